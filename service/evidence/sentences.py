"""From Whisper's timed words to clean sentences: loops removed, spacing kept, cut at pauses.

Three things Whisper's raw word list gets wrong for the scoring stages:

- batched decoding has no temperature fallback, so a clip the model cannot read (Whisper
  base on Thai, a noisy Chinese opening) comes back as one token repeated dozens of times;
  the loop would become the hook quote, count as fast speech and feed the heads noise;
- a word that Whisper attached to the previous one (``j`` + ``'espère``, ``4`` + ``,50``)
  must not get a space, or quotes read "j 'espère" and "4 ,50 euros";
- creators do not always end a sentence with a full stop Whisper can hear; a silence the
  voice activity detector found between two words is a sentence break too.

Run-on sentences are cut into clauses when lines are scored
(``service.scoring.clauses.cut_long_sentence``).
"""

from __future__ import annotations

import re

from service.evidence.types import Segment, SpeechRegion, Word

SENTENCE_END = tuple(".?!。？！…")
PAUSE_SPLIT_S = 0.6
NO_SPACE_LANGS = ("zh", "ja", "th")
LOOP_MIN_COPIES = 4  # a unit said this many times in a row is a decoding loop, not speech
LOOP_MAX_UNIT = 12  # longest repeated unit looked for, in words (characters for zh / th)


def _key(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def collapse_loops(words: list[Word]) -> list[Word]:
    """Keep one copy of any run of words repeated :data:`LOOP_MIN_COPIES` times or more.

    The kept copy's last word is stretched to the end of the run, so that the time the loop
    covered stays speech (the words per second then count what was really said once).
    """
    keys = [_key(w.text) for w in words]
    out: list[Word] = []
    i = 0
    while i < len(words):
        best_unit, best_copies = 0, 1
        for unit in range(1, LOOP_MAX_UNIT + 1):
            pattern = keys[i : i + unit]
            if len(pattern) < unit or not any(pattern):
                break
            copies = 1
            while keys[i + copies * unit : i + (copies + 1) * unit] == pattern:
                copies += 1
            if copies >= LOOP_MIN_COPIES and copies * unit > best_copies * best_unit:
                best_unit, best_copies = unit, copies
        if best_unit:
            kept = list(words[i : i + best_unit])
            last = words[i + best_copies * best_unit - 1]
            kept[-1] = Word(
                kept[-1].text, kept[-1].start_s, last.end_s, kept[-1].probability, kept[-1].joined
            )
            out += kept
            i += best_copies * best_unit
        else:
            out.append(words[i])
            i += 1
    return out


def _silence_between(a: Word, b: Word, regions: tuple[SpeechRegion, ...]) -> bool:
    """Whether voice activity detection heard a silence between the middles of two words."""
    mid_a, mid_b = (a.start_s + a.end_s) / 2, (b.start_s + b.end_s) / 2
    return any(
        r1.end_s >= mid_a and r2.start_s <= mid_b and r1.end_s < r2.start_s
        for r1, r2 in zip(regions, regions[1:], strict=False)
    )


def join_words(words: list[Word] | tuple[Word, ...], language: str | None) -> str:
    """The words as text, spaced the way Whisper wrote them."""
    if language in NO_SPACE_LANGS:
        return "".join(w.text for w in words).strip()
    return "".join(("" if w.joined or k == 0 else " ") + w.text for k, w in enumerate(words))


def _sentence(words: list[Word] | tuple[Word, ...], language: str | None) -> Segment:
    """Timed words as one sentence: their text, first start, last end."""
    return Segment(join_words(words, language), words[0].start_s, words[-1].end_s, tuple(words))


def split_sentences(
    words: list[Word], language: str | None, regions: tuple[SpeechRegion, ...] = ()
) -> tuple[Segment, ...]:
    """Cut a run of timed words into sentences.

    A sentence ends at end punctuation, at a gap of :data:`PAUSE_SPLIT_S` between word
    timestamps, or at a silence that voice activity detection found between two words
    (``regions``; Whisper's word times often run across short silences).
    """
    out: list[Segment] = []
    cur: list[Word] = []

    def flush() -> None:
        if cur:
            out.append(_sentence(cur, language))
            cur.clear()

    for i, w in enumerate(words):
        if cur and (
            w.start_s - cur[-1].end_s >= PAUSE_SPLIT_S or _silence_between(cur[-1], w, regions)
        ):
            flush()
        cur.append(w)
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w.text.endswith(SENTENCE_END) or nxt is None:
            flush()
    return tuple(out)
