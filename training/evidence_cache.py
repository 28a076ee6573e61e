"""Evidence of many videos, extracted in parallel and cached by content hash.

Retraining and batch scoring extract the same videos again and again; the evidence of a
file depends only on its bytes, the language asked for, the extraction models and the
extraction code, so it is
kept under ``<cache>/<sha256 of those>.json`` and a rerun reads it back instead of
decoding and transcribing again. A video that fails is reported with its reason, never
fatal to the run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from service.evidence.types import EVIDENCE_SCHEMA_VERSION, VideoEvidence

_worker_models = None
ROOT = Path(__file__).resolve().parents[1]
# The code that turns a video into evidence (decoding, speech, captions, faces, cuts, the
# model runtime): a change to any of it makes new cache keys, so evidence extracted by
# older code is never served, even when EVIDENCE_SCHEMA_VERSION was not bumped.
EXTRACTION_SOURCES = (
    "service/extract.py",
    "service/media.py",
    "service/evidence",
    "models/runtime.py",
)
EXTRACTION_SETTINGS = ("SELLSCOPE_BEAM_SIZE", "SELLSCOPE_SAMPLE_FPS")


def default_cache_dir() -> Path:
    """``$SELLSCOPE_CACHE/evidence``, default ``~/.cache/sellscope/evidence``."""
    root = os.environ.get("SELLSCOPE_CACHE") or Path.home() / ".cache" / "sellscope"
    return Path(root) / "evidence"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def sources_sha256(root: Path, sources: Iterable[str]) -> str:
    """SHA-256 of source files (a folder: its ``.py`` files), names and bytes, in name order.

    Args:
        root: the folder the ``sources`` are relative to.
        sources: files or folders; a missing one counts as missing (its name is hashed).
    """
    h = hashlib.sha256()
    for rel in sources:
        p = root / rel
        files = sorted(p.rglob("*.py")) if p.is_dir() else [p]
        for f in files:
            h.update(f.relative_to(root).as_posix().encode() + b"\0")
            h.update(f.read_bytes() if f.is_file() else b"<missing>")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def extraction_code_sha256() -> str:
    """The fingerprint of the extraction code (``EXTRACTION_SOURCES``), once per process."""
    return sources_sha256(ROOT, EXTRACTION_SOURCES)


def cache_key(content_sha256: str, language: str | None, model_tags: dict[str, str]) -> str:
    """The cache key of one extraction: content, language, models, schema version, the
    extraction code's fingerprint and the settings that change what is extracted
    (``EXTRACTION_SETTINGS``: the Whisper beam, the analysis frame rate)."""
    spec = json.dumps(
        [
            content_sha256, language, sorted(model_tags.items()), EVIDENCE_SCHEMA_VERSION,
            extraction_code_sha256(),
            # the settings service.extract reads that change what is extracted
            {k: os.environ.get(k, "") for k in EXTRACTION_SETTINGS},
        ]
    )  # fmt: skip
    return hashlib.sha256(spec.encode()).hexdigest()


@dataclass(frozen=True)
class Job:
    """One video to extract."""

    key: str  # the caller's identity of the row (e.g. its manifest row)
    path: Path
    language: str | None


@dataclass(frozen=True)
class Outcome:
    """What became of one job: evidence, or the reason it failed."""

    key: str
    evidence: VideoEvidence | None
    error: str | None
    cached: bool


def _init_worker(threads: int) -> None:
    global _worker_models
    os.environ["SELLSCOPE_THREADS"] = str(threads)
    from service.extract import EvidenceModels

    _worker_models = EvidenceModels.from_store()


def _extract(path: str, language: str | None) -> tuple[str | None, str | None]:
    """In a worker: (evidence JSON, None) or (None, the reason it failed)."""
    from service.errors import SellscopeError
    from service.extract import extract_evidence

    try:
        ev = extract_evidence(path, language=language, models=_worker_models)
        return ev.to_json(indent=None), None
    except SellscopeError as e:
        return None, str(e)
    except Exception as e:  # noqa: BLE001 - one bad video must not end the run
        return None, f"internal error: {type(e).__name__}: {e}"


def model_tags() -> dict[str, str]:
    """Store tags of the extraction models (part of the cache key), without loading them."""
    from models.base_import import FACES, LANGID, OCR, WHISPER
    from models.runtime import ocr_tag
    from models.store import get_model

    tags = {role: get_model(name).tag for role, name in
            (("asr", WHISPER), ("faces", FACES), ("langid", LANGID))}  # fmt: skip
    ocr = get_model(OCR)
    return {**tags, "ocr": ocr_tag(ocr.tag, ocr.metadata)}


def extract_many(
    jobs: Iterable[Job],
    workers: int = 2,
    cache_dir: Path | None = None,
    progress: Callable[[Outcome, int, int], None] | None = None,
) -> list[Outcome]:
    """Evidence for every job, from the cache or extracted by ``workers`` processes.

    Args:
        jobs: the videos.
        workers: extraction processes (each loads the models once).
        cache_dir: where evidence is cached (``default_cache_dir()`` if omitted).
        progress: called after each job with (outcome, done, total).

    Returns:
        One outcome per job, in the order of ``jobs``.
    """
    jobs = list(jobs)
    cache = cache_dir or default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    tags = model_tags()
    results: dict[str, Outcome] = {}
    todo: dict[Path, list[Job]] = {}  # cache entry -> jobs that need it (one extraction each)
    done = 0

    def finish(o: Outcome) -> None:
        nonlocal done
        results[o.key] = o
        done += 1
        if progress:
            progress(o, done, len(jobs))

    for job in jobs:
        if not job.path.is_file():
            finish(Outcome(job.key, None, f"file not found: {job.path}", False))
            continue
        target = cache / f"{cache_key(file_sha256(job.path), job.language, tags)}.json"
        if target.is_file():
            ev = VideoEvidence.from_dict(json.loads(target.read_text(encoding="utf-8")))
            finish(Outcome(job.key, ev, None, True))
        else:
            todo.setdefault(target, []).append(job)
    if todo:
        threads = max(1, (os.cpu_count() or 1) // max(1, workers))
        # spawn, not fork: the parent may hold ONNX / CTranslate2 / torch thread pools
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init_worker, initargs=(threads,)
        ) as pool:
            futures = {
                pool.submit(_extract, str(same[0].path), same[0].language): target
                for target, same in todo.items()
            }
            for fut in as_completed(futures):
                target = futures[fut]
                text, error = fut.result()
                ev = None
                if text is not None:
                    tmp = target.with_suffix(".tmp")
                    tmp.write_text(text, encoding="utf-8")
                    tmp.replace(target)  # atomic: a killed run leaves no half-written entry
                    ev = VideoEvidence.from_dict(json.loads(text))
                for job in todo[target]:
                    finish(Outcome(job.key, ev, error, False))
    return [results[j.key] for j in jobs]
