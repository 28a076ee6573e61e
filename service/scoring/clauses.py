"""Run-on sentences cut into clauses before scoring: at a comma, else at the longest pause.

Creators chain claims ("hi girls, hope you're well, this powder is so fine it doesn't
settle in lines, ...") and Whisper writes them as one sentence; scored whole, the second
claim takes the first one's start and the heads read a mixture. Where there is no comma
to cut at, the longest pause serves: Whisper writes no punctuation in Thai (and at times
none over long stretches of other languages), so claims said one after the other come
back as one sentence when the pause between them is shorter than the speech stage's own
sentence break (``service.evidence.sentences.PAUSE_SPLIT_S``) and voice activity heard
no silence there.

The pause fallback, on dev-split synthetic videos with the script's words at their spoken
times (``bench_recovery.py --split dev --seed 21 --n 25 --transcript both``, 8 languages,
200 videos; the comma cut's limits, not tuned): Thai selling points P / R 0.78 / 0.60 ->
0.76 / 0.83, Thai sell share within 0.1 on 0.72 -> 1.00 of videos, all languages
0.87 / 0.82 -> 0.87 / 0.86; as Whisper heard them, all languages unchanged (0.62 / 0.41).
"""

from __future__ import annotations

from dataclasses import replace

from service.evidence.sentences import join_words
from service.evidence.types import Segment, Word

CLAUSE_END = (",", "，", "、", ";", "；")
# A sentence longer than this is cut into clauses (none shorter than MIN_CLAUSE_S). Chosen
# on dev-split synthetic videos as Whisper heard them, with comma cuts only
# (bench_recovery --split dev --seed 21 --n 25, en es fr id zh fi vi, 175 videos): selling
# points P / R 0.64 / 0.42 uncut, 0.62 / 0.46 at 8 s / 2 s, 0.60 / 0.42 at 6 s / 2 s; sell
# share within 0.1 on 0.55, 0.60 and 0.57 of videos.
LONG_SENTENCE_S = 8.0
MIN_CLAUSE_S = 2.0
# A gap between word timestamps shorter than this is not a pause (Whisper's word times
# touch or overlap inside a phrase; the synthetic voices leave 0.2-0.6 s between lines).
MIN_PAUSE_S = 0.1


def _segment(words: tuple[Word, ...], language: str | None) -> Segment:
    return Segment(join_words(words, language), words[0].start_s, words[-1].end_s, words)


def _cut_index(segment: Segment, min_s: float, min_pause_s: float) -> int | None:
    """After which word to cut: the comma nearest the middle, else the longest pause of
    ``min_pause_s`` or more; a cut leaves at least ``min_s`` on each side."""
    w = segment.words
    fair = [
        k
        for k in range(len(w) - 1)
        if w[k].end_s - w[0].start_s >= min_s and w[-1].end_s - w[k + 1].start_s >= min_s
    ]
    commas = [k for k in fair if w[k].text.rstrip().endswith(CLAUSE_END)]
    if commas:
        middle = (segment.start_s + segment.end_s) / 2
        return min(commas, key=lambda k: abs((w[k].end_s + w[k + 1].start_s) / 2 - middle))
    gap, k = max(((w[k + 1].start_s - w[k].end_s, k) for k in fair), default=(0.0, None))
    return k if gap >= min_pause_s else None


def cut_long_sentence(
    segment: Segment,
    language: str | None,
    max_s: float = LONG_SENTENCE_S,
    min_s: float = MIN_CLAUSE_S,
    min_pause_s: float = MIN_PAUSE_S,
) -> tuple[Segment, ...]:
    """A run-on sentence cut into clauses, each at most ``max_s`` long where it can be.

    A sentence over ``max_s`` is cut at the comma nearest its middle, or, with none, at
    its longest pause (``_cut_index``), and each part again until none is too long or
    none can be cut. A segment without timed words is kept whole.
    """
    w = segment.words
    if segment.end_s - segment.start_s <= max_s or len(w) < 2:
        return (segment,)
    k = _cut_index(segment, min_s, min_pause_s)
    if k is None:
        return (segment,)
    head, tail = w[: k + 1], (replace(w[k + 1], joined=False), *w[k + 2 :])
    return tuple(
        part
        for words in (head, tail)
        for part in cut_long_sentence(
            _segment(words, language), language, max_s, min_s, min_pause_s
        )
    )
