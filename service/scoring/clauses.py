"""Run-on sentences with no comma to cut at, cut at their longest pause before scoring.

Whisper writes no punctuation in Thai (and at times none over long stretches of other
languages), so several claims said one after the other come back as one sentence when
the pause between them is shorter than the speech stage's own sentence break
(``service.evidence.sentences.PAUSE_SPLIT_S``) and voice activity heard no silence there.
Scored whole, the second claim takes the first one's start time and the heads read a
mixture of both. ``cut_long_sentence`` cuts such a sentence at a comma; this cuts what it
leaves too long at the longest gap between two words instead.

On dev-split synthetic videos with the script's words at their spoken times
(``bench_recovery.py --split dev --seed 21 --n 25 --transcript both``, 8 languages, 200
videos; limits taken from ``cut_long_sentence``, not tuned): Thai selling points P / R
0.78 / 0.60 -> 0.76 / 0.83, Thai sell share within 0.1 on 0.72 -> 1.00 of videos, all
languages 0.87 / 0.82 -> 0.87 / 0.86; as Whisper heard them, all languages unchanged
(0.62 / 0.41).
"""

from __future__ import annotations

from dataclasses import replace

from service.evidence.sentences import LONG_SENTENCE_S, MIN_CLAUSE_S, join_words
from service.evidence.types import Segment, Word

# A gap between word timestamps shorter than this is not a pause (Whisper's word times
# touch or overlap inside a phrase; the synthetic voices leave 0.2-0.6 s between lines).
MIN_PAUSE_S = 0.1


def _segment(words: tuple[Word, ...], language: str | None) -> Segment:
    return Segment(join_words(words, language), words[0].start_s, words[-1].end_s, words)


def cut_at_pauses(
    segment: Segment,
    language: str | None,
    max_s: float = LONG_SENTENCE_S,
    min_s: float = MIN_CLAUSE_S,
    min_pause_s: float = MIN_PAUSE_S,
) -> tuple[Segment, ...]:
    """A sentence longer than ``max_s`` cut at its longest pause, again until none is too
    long or none can be cut.

    A cut leaves at least ``min_s`` on each side and needs a gap of ``min_pause_s`` or more
    between the two words; a sentence with no such gap is kept whole.
    """
    w = segment.words
    if segment.end_s - segment.start_s <= max_s or len(w) < 2:
        return (segment,)
    gaps = [
        (w[k + 1].start_s - w[k].end_s, k)
        for k in range(len(w) - 1)
        if w[k].end_s - w[0].start_s >= min_s and w[-1].end_s - w[k + 1].start_s >= min_s
    ]
    gap, k = max(gaps, default=(0.0, -1))
    if gap < min_pause_s:
        return (segment,)
    head, tail = w[: k + 1], (replace(w[k + 1], joined=False), *w[k + 2 :])
    return tuple(
        part
        for words in (head, tail)
        for part in cut_at_pauses(_segment(words, language), language, max_s, min_s, min_pause_s)
    )
