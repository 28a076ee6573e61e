"""On-screen text stage: captions read by OCR on the frames that changed.

OCR is the costly visual stage, so it runs only on frames whose picture changed since
the last frame read (or right after a cut); a caption that stays on screen is one entry
with a start and an end, not one entry per frame.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import numpy as np

from service.evidence.types import Caption

MIN_CONFIDENCE = 0.6
SAME_TEXT = 0.8  # similarity above which two reads are the same caption
BLOCK_CHANGE = 10.0  # mean grey-level change of one block that counts as "changed"


def normalise_text(text: str) -> str:
    """Lower case, NFKC, no punctuation or spaces: what two reads of one caption share."""
    t = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", t)


def _grid(img: np.ndarray) -> np.ndarray:
    import cv2

    g = cv2.cvtColor(cv2.resize(img, (72, 128)), cv2.COLOR_BGR2GRAY).astype(np.float32)
    return g.reshape(8, 9, 8, 16).mean(axis=(1, 3))  # 8x8 blocks of mean grey


def changed_frames(
    frames: np.ndarray,
    times: np.ndarray,
    cut_times: tuple[float, ...],
    min_interval_s: float = 1.0,
) -> list[int]:
    """Indices of frames whose picture changed enough to look at again.

    A frame is picked when any block of an 8x8 grid changed by more than ``BLOCK_CHANGE``
    grey levels since the last frame picked and at least ``min_interval_s`` has passed, or
    right after a cut. The first frame is always picked. Captions in these videos stay up
    for a second or more, so a read a second at most misses none of them.
    """
    picked: list[int] = []
    last_grid = None
    last_t = -1.0
    for i, img in enumerate(frames):
        g = _grid(img)
        t = float(times[i])
        cut_between = any(last_t < c <= t for c in cut_times)
        due = t - last_t >= min_interval_s - 1e-6
        if last_grid is None or cut_between or (due and np.abs(g - last_grid).max() > BLOCK_CHANGE):
            picked.append(i)
            last_grid = g
            last_t = t
    return picked


@dataclass
class _Open:
    text: str
    norm: str
    start: float
    last_seen: float
    box: tuple[float, float, float, float]
    conf: list[float]


@dataclass(frozen=True)
class _Line:
    text: str
    box: tuple[float, float, float, float]
    score: float
    signature: np.ndarray


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _read(reader: Any, img: np.ndarray, previous: list[_Line]) -> list[_Line]:
    """Detect text lines; recognise only lines that are not the same as in the last read.

    Detection is cheap next to recognition of every line, and a caption usually stays on
    screen for several reads: a line at the same place with the same pixels keeps its text.
    The lines left to read are recognised in one batched call.
    """
    import cv2

    from models.text_reader import line_boxes

    h, w = img.shape[:2]
    lines: list[_Line | None] = []
    todo: list[tuple[int, np.ndarray, tuple[float, float, float, float], np.ndarray]] = []
    for x0, y0, x1, y1 in line_boxes(reader.detect(img), w, h, pad=2):
        crop = img[y0:y1, x0:x1]
        sig = cv2.resize(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), (64, 16)).astype(np.float32)
        box = (round(x0 / w, 3), round(y0 / h, 3), round(x1 / w, 3), round(y1 / h, 3))
        same = next(
            (
                p
                for p in previous
                if _iou(p.box, box) > 0.7 and float(np.abs(p.signature - sig).mean()) < 8.0
            ),
            None,
        )
        if same is not None:
            lines.append(_Line(same.text, box, same.score, sig))
        else:
            todo.append((len(lines), crop, box, sig))
            lines.append(None)
    for (i, _crop, box, sig), (text, score) in zip(
        todo, reader.recognise([t[1] for t in todo]), strict=True
    ):
        lines[i] = _Line(text, box, score, sig) if text else None
    return [line for line in lines if line is not None]


def read_captions(
    frames: np.ndarray,
    times: np.ndarray,
    engine: Any,
    cut_times: tuple[float, ...] = (),
    duration_s: float | None = None,
    changed: list[int] | None = None,
) -> tuple[Caption, ...]:
    """Read on-screen text, merging reads of the same caption into one timed entry.

    Args:
        frames: ``(N, H, W, 3)`` uint8 BGR analysis frames.
        times: seconds of each frame.
        engine: a ``TextReader`` (``models.runtime.ocr``): ``detect`` and ``recognise``.
        cut_times: cut times; a cut forces a new read.
        duration_s: the video's length, to close captions still on screen at the end.
        changed: indices of frames to read (``changed_frames``); computed when None.

    Returns:
        Captions in order of appearance.
    """
    if len(frames) == 0:
        return ()
    step = float(np.median(np.diff(times))) if len(times) > 1 else 0.5
    end_of_video = duration_s if duration_s is not None else float(times[-1]) + step
    # A caption's start is the first read that sees it and its end the first read that
    # does not: both are late by at most the gap between reads (about a second).
    to_read = set(changed if changed is not None else changed_frames(frames, times, cut_times))
    open_: list[_Open] = []
    done: list[Caption] = []
    last_read: list[_Line] = []

    def close(c: _Open, end: float) -> None:
        done.append(
            Caption(
                text=c.text,
                start_s=round(c.start, 3),
                end_s=round(min(end, end_of_video), 3),
                box=c.box,
                confidence=round(float(np.mean(c.conf)), 3),
            )
        )

    for i, t in enumerate(times):
        t = float(t)
        if i not in to_read:
            continue  # the picture did not change (or was read less than a second ago)
        still: list[_Open] = []
        last_read = _read(engine, frames[i], last_read)
        for line in last_read:
            text, box, score = line.text, line.box, line.score
            norm = normalise_text(text)
            if score < MIN_CONFIDENCE or len(norm) < 2:
                continue
            match = next(
                (c for c in open_ if SequenceMatcher(None, c.norm, norm).ratio() >= SAME_TEXT),
                None,
            )
            if match is not None:
                open_.remove(match)
                match.last_seen = t
                match.conf.append(score)
                if score > max(match.conf[:-1], default=0):
                    match.text, match.norm, match.box = text, norm, box
                still.append(match)
            else:
                still.append(_Open(text, norm, t, t, box, [score]))
        for c in open_:
            close(c, t)  # gone by this read
        open_ = still
    for c in open_:
        close(c, end_of_video)  # still up at the last read, and the picture did not change
    return tuple(sorted(done, key=lambda c: (c.start_s, c.box[1])))
