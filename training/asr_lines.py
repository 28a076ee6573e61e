"""The seed corpus as the scorer hears it: every line spoken and transcribed by the pipeline.

The heads read Whisper's transcript, not the clean text of the corpus: words misheard,
numbers written as digits, punctuation lost. This module speaks every seed line of a split
with the synthetic videos' voices (espeak-ng, the language's voice, a random speed and
pitch), lays lines out the way ``sellscope synth`` does (0.2-0.6 s apart, in sessions of a
few minutes so that Whisper decodes full batches), transcribes each session with the
pipeline's own speech stage (``service.evidence.speech.transcribe``: voice activity, batched
Whisper base, loop removal), and gives each line the words whose middle falls in its time.

The result, one row per seed line (``id``, ``lang``, ``asr_text``, the voice), is written to
``datasets/asr/<split>.jsonl.gz``: the train split teaches the heads to read transcripts
(``TrainConfig.asr_share``), the test split measures them on transcripts (held out, like
the clean test split). Labels stay in the seed corpus; rows join on ``id``.

    python -m training.asr_lines --split train [--langs en fr] [--out datasets/asr]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.evidence.types import Word
from training.seed_corpus import LANGUAGES, ROOT, SeedItem, load_items

ASR_DIR = ROOT / "datasets" / "asr"
SESSION_LINES = 60  # lines per transcribed session (about 4 minutes of speech)
MIDDLE_SLACK_S = 0.3  # a word just outside a line's span still belongs to the nearest line


@dataclass(frozen=True)
class AsrLine:
    """One seed line as Whisper transcribed it when spoken."""

    id: str
    lang: str
    asr_text: str
    voice: str
    speed_wpm: int
    pitch: int


def assign_words(words: tuple[Word, ...], spans: list[tuple[float, float]]) -> list[list[Word]]:
    """Group timed words by the line span their middle falls in (or nearest, within slack)."""
    groups: list[list[Word]] = [[] for _ in spans]
    for w in words:
        mid = (w.start_s + w.end_s) / 2
        dist = [0.0 if a <= mid <= b else min(abs(mid - a), abs(mid - b)) for a, b in spans]
        k = int(np.argmin(dist))
        if dist[k] <= MIDDLE_SLACK_S:
            groups[k].append(w)
    return groups


def transcribe_session(
    items: list[SeedItem],
    lang: str,
    rng: np.random.Generator,
    asr: Any,
    exe: str,
    pool: ThreadPoolExecutor,
) -> list[AsrLine]:
    """Speak ``items`` one after another in one voice, transcribe, and split back into lines."""
    from service.evidence.sentences import join_words
    from service.evidence.speech import transcribe
    from training.render import to_16k
    from training.synth import GAP_S, PITCH, SPEED_WPM, VOICES, speak
    from training.synth_draw import clean_text

    voice = VOICES[lang]
    speed = int(rng.integers(SPEED_WPM[0], SPEED_WPM[1] + 1))
    pitch = int(rng.integers(PITCH[0], PITCH[1] + 1))
    spoken = list(pool.map(lambda it: speak(clean_text(it.text), voice, speed, pitch, exe), items))
    rate = spoken[0][1]
    gaps = rng.uniform(*GAP_S, size=len(items))
    pieces, spans, pos = [np.zeros(int(0.3 * rate), np.float32)], [], 0.3
    for (clip, _), gap in zip(spoken, gaps, strict=True):
        spans.append((pos, pos + clip.size / rate))
        pieces += [clip, np.zeros(int(gap * rate), np.float32)]
        pos += clip.size / rate + int(gap * rate) / rate
    audio = to_16k(np.concatenate(pieces), rate)
    transcript = transcribe(audio, asr, language=lang)
    groups = assign_words(transcript.words, spans)
    return [
        AsrLine(it.id, lang, join_words(g, lang), voice, speed, pitch)
        for it, g in zip(items, groups, strict=True)
    ]


def build(
    split: str,
    langs: tuple[str, ...] = LANGUAGES,
    seed: int = 0,
    progress: Callable[[str], None] = print,
) -> list[AsrLine]:
    """Transcribe every seed line of ``split`` in ``langs`` (deterministic for a seed)."""
    from models import runtime
    from training.synth import espeak_executable

    asr = runtime.whisper().model
    exe = espeak_executable()
    items = [it for it in load_items() if it.split == split and it.lang in langs]
    out: list[AsrLine] = []
    t0 = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        for lang in langs:
            mine = [it for it in items if it.lang == lang]
            rng = np.random.default_rng([seed, LANGUAGES.index(lang), 41])
            order = [mine[i] for i in rng.permutation(len(mine))]
            for s in range(0, len(order), SESSION_LINES):
                out += transcribe_session(order[s : s + SESSION_LINES], lang, rng, asr, exe, pool)
            progress(f"  {lang}: {len(mine)} lines ({time.perf_counter() - t0:.0f} s)")
    return sorted(out, key=lambda r: r.id)


def write(rows: list[AsrLine], path: Path) -> None:
    """One JSON row per line, gzip-compressed (deterministic bytes: no timestamp)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows)
    with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def load(split: str, root: Path | None = None) -> dict[str, str]:
    """Seed line id -> its transcript, for ``split``; empty when the file is not there."""
    path = (root or ASR_DIR) / f"{split}.jsonl.gz"
    if not path.is_file():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {r["id"]: r["asr_text"] for r in map(json.loads, f)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", required=True, choices=("train", "dev", "test"))
    ap.add_argument("--langs", nargs="+", default=list(LANGUAGES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ASR_DIR)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = build(args.split, tuple(args.langs), args.seed)
    path = args.out / f"{args.split}.jsonl.gz"
    write(rows, path)
    empty = sum(not r.asr_text for r in rows)
    print(
        f"{len(rows)} lines ({empty} heard as nothing) in {time.perf_counter() - t0:.0f} s "
        f"-> {path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
