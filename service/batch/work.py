"""What a worker does with one video, the same in a local process and in a Ray actor.

A worker is built once per process from a spec (``"module:Class"``, so it can be named
across a spawn or a Ray cluster) and called once per task. The default, ``ModelWorker``,
loads the evidence models and the scorers from the store in its constructor, takes
evidence from the content-hash cache of ``training.evidence_cache`` when it is there, and
turns every problem with one video into a failed row, never an exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from service.batch.results import FAILED, SCORED, ResultRow, atomic_write_bytes, now_iso
from service.meta import VideoMeta

DEFAULT_WORKER = "service.batch.work:ModelWorker"


@dataclass(frozen=True)
class Task:
    """One video for a worker: where it is, its content hash and what is known about it."""

    row: int
    video: str
    sha256: str
    language: str | None = None
    meta: VideoMeta = field(default_factory=VideoMeta)
    product_id: str | None = None

    @property
    def input_key(self) -> str:
        """Digest of what, besides the bytes and the models, changes the scores."""
        spec = json.dumps([self.language, asdict(self.meta), self.product_id], sort_keys=True)
        return hashlib.sha256(spec.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        """JSON text (how a task travels to a Ray actor)."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Task:
        """From :meth:`to_json` output."""
        d = json.loads(text)
        return cls(**{**d, "meta": VideoMeta(**d["meta"])})

    def row_base(self, status: str, error: str | None = None) -> ResultRow:
        """A result row with this task's identity and no scores."""
        return ResultRow(
            row=self.row,
            video=self.video,
            file_name=Path(self.video).name,
            sha256=self.sha256 or None,  # "" before the file is hashed
            creator_id=self.meta.creator_id,
            product_id=self.product_id,
            product_name=self.meta.product_name,
            status=status,
            error=error,
            input_key=self.input_key,
            finished_at=now_iso(),
        )


def models_key(tags: dict[str, str]) -> str:
    """Digest of the model tags a row was scored with (role -> tag)."""
    return hashlib.sha256(json.dumps(sorted(tags.items())).encode()).hexdigest()[:16]


class Worker(Protocol):
    """Scores tasks in one process; built once per process."""

    @property
    def tags(self) -> dict[str, str]:
        """role -> tag of the models its rows are scored with."""
        ...

    def __call__(self, task: Task) -> ResultRow: ...


def thread_env(threads: int) -> dict[str, str]:
    """The environment variables that give a process ``threads`` compute threads."""
    return {"SELLSCOPE_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}


def set_threads(threads: int) -> None:
    """Give this process ``threads`` compute threads (ONNX, CTranslate2 and torch).

    Both engines call it with the same number so their scores are the same bit for bit
    (a reduction split over other thread counts can round differently). OpenMP reads
    ``OMP_NUM_THREADS`` when it first loads, so this must run before any library that
    loads it, or the process must start with ``thread_env`` (Ray actors do).
    """
    os.environ.update(thread_env(threads))
    import torch

    torch.set_num_threads(threads)


class SerialConversion:
    """The conversion model, its calls run with one OpenMP thread.

    Diagnosis asks the model (HistGradientBoosting) about a few rows at a time, tens of
    times a video. Its OpenMP loops bind to the runtime torch loaded first, whose thread
    team costs a wake-up per call: 10 ms when the cores are free, seconds when they are
    busy (measured: 3.5 s against 5 ms a call on 2 loaded cores). Trees give the same
    numbers on one thread; the heads (torch) keep their threads.
    """

    def __init__(self, model: Any) -> None:
        from threadpoolctl import ThreadpoolController

        self._model = model
        self._openmp = ThreadpoolController().select(user_api="openmp")

    def predict(self, x: Any) -> Any:
        with self._openmp.limit(limits=1):
            return self._model.predict(x)

    def predict_log(self, x: Any) -> Any:
        with self._openmp.limit(limits=1):
            return self._model.predict_log(x)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def worker_class(spec: str) -> Any:
    """The class a ``"module:Class"`` spec names."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def build_worker(spec: str, threads: int, cache_dir: str | None) -> Worker:
    """Build the worker of ``spec`` (in the process that will use it)."""
    return worker_class(spec)(threads=threads, cache_dir=cache_dir)


def scored_fields(
    task: Task, models: dict[str, str], scores: dict[str, Any], seconds: float
) -> ResultRow:
    """A scored row: the task's identity, ``scores`` (result fields) and the models used."""
    return replace(
        task.row_base(SCORED),
        heads_model=models.get("heads"),
        conversion_model=models.get("conversion"),
        models=json.dumps(dict(sorted(models.items()))),
        models_key=models_key(models),
        seconds=round(seconds, 3),
        **scores,
    )


def scored_row(task: Task, scored: Any, seconds: float) -> ResultRow:
    """The result row of a ``service.pipeline.ScoredVideo``."""
    s, p, reasons = scored.scores, scored.prediction, scored.diagnosis
    scores = {
        "hook_score": float(s.hook.score),
        "selling_point_score": float(s.selling_points.score),
        "seed_share": float(s.seed_sell.seed_share),
        "sell_share": float(s.seed_sell.sell_share),
        "cta_time_s": s.seed_sell.cta_time_s,
        "cvr": None if p is None else float(p.cvr),
        "cvr_low": None if p is None else float(p.cvr_low),
        "cvr_high": None if p is None else float(p.cvr_high),
        "gpm": None if p is None or p.gpm is None else float(p.gpm),
        "reason_codes": ",".join(r.code for r in reasons),
        "top_reason": reasons[0].title if reasons else None,
        "top_fix": reasons[0].fix if reasons else None,
        "duration_s": float(scored.evidence.media.duration_s),
        "language": scored.evidence.transcript.language,
    }
    return scored_fields(task, scored.models, scores, seconds)


class ModelWorker:
    """The real worker: evidence models and scorers, loaded once per process.

    Built from the store in a batch process (``ModelWorker(threads)``); a subclass can
    instead hand ``_setup`` the models its process already holds (the service's
    ``service.http.batch_task.UploadWorker``).
    Subclasses adapt one step: ``score`` (one video to its analysis) or ``failed``
    (an error to its row).
    """

    def __init__(self, threads: int, cache_dir: str | None = None) -> None:
        set_threads(threads)
        from transformers.utils import logging as hf_logging

        from service.extract import EvidenceModels
        from service.pipeline import Scorers

        hf_logging.disable_progress_bar()  # the batch has one progress line, not one a worker
        self._setup(EvidenceModels.from_store(), Scorers.from_store(), None, cache_dir)

    def _setup(self, models: Any, scorers: Any, options: Any, cache_dir: str | None) -> None:
        """Use models already loaded (``EvidenceModels``, ``Scorers``, ``ExtractOptions``)."""
        if scorers.conversion is not None and not isinstance(scorers.conversion, SerialConversion):
            scorers = replace(scorers, conversion=SerialConversion(scorers.conversion))
        self.models, self.scorers, self.options = models, scorers, options
        self.cache = Path(cache_dir) if cache_dir else None
        if self.cache is not None:
            self.cache.mkdir(parents=True, exist_ok=True)

    @property
    def tags(self) -> dict[str, str]:
        """role -> tag of the models this worker scores with (as rows record them)."""
        return {**self.models.tags, **self.scorers.tags}

    @staticmethod
    def expected_tags() -> dict[str, str]:
        """The tags a worker built from the store will score with, read without loading.

        Raises:
            ModelMissingError: a model the pipeline needs is not in the store.
        """
        from models.conversion import CONVERSION_MODEL
        from models.heads import HEADS_MODEL
        from models.store import get_model, resolve_served
        from service.errors import ModelMissingError
        from training.evidence_cache import model_tags

        tags = {**model_tags(), "heads": get_model(HEADS_MODEL, fix="sellscope train heads").tag}
        with contextlib.suppress(ModelMissingError):  # no conversion model: no predictions
            tags["conversion"] = get_model(CONVERSION_MODEL, resolve_served(CONVERSION_MODEL)).tag
        return tags

    def evidence(self, task: Task) -> Any:
        """The video's evidence: from the cache, or extracted (and then cached)."""
        from service.evidence.types import VideoEvidence
        from service.extract import extract_evidence
        from training.evidence_cache import cache_key

        target = None
        if self.cache is not None:
            key = cache_key(task.sha256, task.language, self.models.tags)
            target = self.cache / f"{key}.json"
            if target.is_file():
                try:
                    return VideoEvidence.from_dict(json.loads(target.read_text("utf-8")))
                except (OSError, ValueError, TypeError, KeyError):
                    pass  # a stale or foreign entry: extract again and overwrite it
        ev = extract_evidence(
            task.video, language=task.language, models=self.models, options=self.options
        )
        if target is not None:
            atomic_write_bytes(target, ev.to_json(indent=None).encode("utf-8"))
        return ev

    def score(self, task: Task) -> Any:
        """One video's analysis (``service.pipeline.ScoredVideo``); raises on a bad video."""
        from service.pipeline import analyse

        return analyse(self.evidence(task), task.meta, self.scorers)

    def failed(self, task: Task, error: Exception) -> ResultRow:
        """The row of a video that could not be scored: the reason, for a person."""
        from service.errors import SellscopeError

        if isinstance(error, SellscopeError):
            return task.row_base(FAILED, str(error))
        return task.row_base(FAILED, f"internal error: {type(error).__name__}: {error}")

    def __call__(self, task: Task) -> ResultRow:
        """Score one video; a problem with it gives a failed row with the reason."""
        t0 = time.perf_counter()
        try:
            scored = self.score(task)
        except Exception as e:  # noqa: BLE001 - one bad video must not end the batch
            return self.failed(task, e)
        return scored_row(task, scored, time.perf_counter() - t0)


def run_task(worker: Worker, task: Task) -> ResultRow:
    """Call a worker; anything it raises becomes a failed row (the batch goes on)."""
    try:
        return worker(task)
    except Exception as e:  # noqa: BLE001 - last line of defence of a long run
        return task.row_base(FAILED, f"internal error: {type(e).__name__}: {e}")
