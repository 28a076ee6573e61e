"""On-screen text as the heads read it: wrapped caption lines joined, subtitles read as speech.

Two things the raw OCR lines get wrong for the scoring stages:

- OCR reads one line of text at a time, so a caption wrapped over four lines of the frame
  came back as four captions ("La rueda abdominal es" / "doble, de 18 centímetros, y" /
  ...) and the heads read fragments. Lines that come and go together, stacked one under
  the other in the same type size, are one caption (:func:`caption_blocks`).
- Creators burn in subtitles of what they say (editors' auto-captions; on Douyin nearly
  every video has them). Where a caption shows what a speech sentence says, the caption is
  the better text: Whisper base mishears words, and a misheard claim loses its FABE role,
  while the subtitle was typed. :func:`read_subtitles` pairs runs of speech sentences with
  runs of captions on screen at the same time whose characters mostly agree
  (:func:`text_agreement` >= :data:`SUBTITLE_AGREEMENT`) and reads the sentences from the
  captions; the line keeps the speech's times, and what was heard is kept beside it.

A caption that only picks out a phrase of what is said ("30% VITAMIN C" under a whole
sentence about the serum) agrees with too little of the sentence to be its subtitle: it
stays a caption of its own, and the sentence keeps its words.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from service.evidence.onscreen_text import normalise_text
from service.evidence.types import Caption

# Lines of one caption are seen by the same OCR read; one that was unreadable in that read
# turns up in the next, a second later at most (reads are about a second apart).
SAME_TIME_S = 1.1
# Stacked lines: the next line's top lies within this many line heights of the last one's
# bottom (a little overlap comes from the padding around detected lines), and the two are
# set in about the same size.
LINE_GAP = 0.6
SIZE_RATIO = 1.6
# A caption appears at the first OCR read after its line is said (up to about a second
# late) and stays until a read finds it gone.
CAPTION_LAG_S = 1.0
# Share of character pairs two texts have in common (Dice) above which a caption is the
# subtitle of what was said. On dev-split synthetic videos (seed 21, en es fr id fi, 125
# videos; Whisper base on espeak-ng voices, character error rates 0.06-0.34) a caption and
# the sentence it subtitles agreed by 0.62-0.94 (median per language), any other caption
# on screen with a sentence by 0.33 or less in 95 cases of 100.
SUBTITLE_AGREEMENT = 0.5
MAX_RUN = 3  # sentences (or captions) one subtitle pairing may join
# Languages whose subtitles the text reader cannot read as written: PP-OCRv6's dictionary
# lacks most of Vietnamese's letters with diacritics ("Ngủ dậy không còn mỏi cổ" comes
# back "Ng dy không còn mi c") and every Thai letter (tests/models/test_text_reader.py
# checks this against the stored model). Their captions still count as shown text.
UNREAD_SUBTITLE_LANGUAGES = ("vi", "th")
NO_SPACE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR")


class TimedLine(Protocol):
    """A line of text with its time: a speech sentence (``Segment``) or a ``Caption``."""

    @property
    def text(self) -> str: ...
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...


@dataclass(frozen=True)
class SpokenLine:
    """A speech sentence as the heads read it: from its subtitle when one shows it."""

    text: str
    start_s: float
    end_s: float
    heard: str | None = None  # what the speech stage heard, when ``text`` is the subtitle's


def _unspaced(ch: str) -> bool:
    """A character of a script written without spaces between words."""
    name = unicodedata.name(ch, "")
    return any(name.startswith(s) for s in NO_SPACE_SCRIPTS)


def join_lines(texts: Sequence[str]) -> str:
    """Lines of one caption as one text: a space between them, none between two characters
    of a script written without spaces (Chinese, Japanese, Thai ...)."""
    out = ""
    for t in (t.strip() for t in texts):
        if not t:
            continue
        if out and not (_unspaced(out[-1]) and _unspaced(t[0])):
            out += " "
        out += t
    return out


def _stacked(upper: Caption, lower: Caption) -> bool:
    """Whether ``lower`` is the next line of ``upper``'s caption."""
    h_up, h_low = upper.box[3] - upper.box[1], lower.box[3] - lower.box[1]
    if h_up <= 0 or h_low <= 0 or max(h_up, h_low) / min(h_up, h_low) > SIZE_RATIO:
        return False
    gap = lower.box[1] - upper.box[3]
    overlap_x = min(upper.box[2], lower.box[2]) - max(upper.box[0], lower.box[0])
    return -LINE_GAP * min(h_up, h_low) <= gap <= LINE_GAP * min(h_up, h_low) and overlap_x > 0


def _together(a: Caption, b: Caption) -> bool:
    """Whether two lines come and go together."""
    return (
        abs(a.start_s - b.start_s) <= SAME_TIME_S
        and abs(a.end_s - b.end_s) <= SAME_TIME_S
        and min(a.end_s, b.end_s) > max(a.start_s, b.start_s)
    )


def caption_blocks(captions: Sequence[Caption]) -> tuple[Caption, ...]:
    """OCR lines joined into the captions they belong to, in order of appearance.

    A line joins a caption when it comes and goes with the caption's first line and sits
    right under its last line, in about the same type size. The joined caption spans the
    lines' union in time and on screen, with the lowest confidence of its lines.
    """
    blocks: list[list[Caption]] = []
    for c in sorted(captions, key=lambda c: (c.box[1], c.start_s)):
        home = next(
            (b for b in blocks if _together(b[0], c) and _stacked(b[-1], c)),
            None,
        )
        if home is None:
            blocks.append([c])
        else:
            home.append(c)
    out = [
        Caption(
            text=join_lines([c.text for c in b]),
            start_s=min(c.start_s for c in b),
            end_s=max(c.end_s for c in b),
            box=(
                min(c.box[0] for c in b),
                b[0].box[1],
                max(c.box[2] for c in b),
                b[-1].box[3],
            ),
            confidence=min(c.confidence for c in b),
        )
        for b in blocks
    ]
    return tuple(sorted(out, key=lambda c: (c.start_s, c.box[1])))


def _pairs(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def text_agreement(a: str, b: str) -> float:
    """Share of character pairs the two texts have in common, each pair as often as both
    have it (Dice), case, spacing and punctuation ignored; 0 when either has fewer than two
    characters. Counted, not as sets: a longer text holds more of any pair, and would
    otherwise agree with anything."""
    pa, pb = _pairs(normalise_text(a)), _pairs(normalise_text(b))
    if not pa or not pb:
        return 0.0
    return 2 * sum((pa & pb).values()) / (pa.total() + pb.total())


def _on_screen_while_said(caption: TimedLine, sentence: TimedLine) -> bool:
    return sentence.start_s < caption.end_s and sentence.end_s > caption.start_s - CAPTION_LAG_S


def _runs(n: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(n) for j in range(i + 1, min(n, i + MAX_RUN) + 1)]


def read_subtitles(
    sentences: Sequence[TimedLine], captions: Sequence[TimedLine], language: str | None = None
) -> list[SpokenLine]:
    """Speech sentences that an on-screen caption shows, read from the caption.

    Every run of up to :data:`MAX_RUN` consecutive sentences is paired with every run of
    up to as many captions, all on screen while those sentences are said; the pairing
    whose texts agree best is taken first, then the next best among sentences and
    captions not yet paired, while the agreement is at least :data:`SUBTITLE_AGREEMENT`.
    A subtitle split over several pages pairs with its one sentence; a caption that shows
    a sentence Whisper cut in two pairs with both.

    Args:
        sentences: the speech sentences, in time order.
        captions: the captions (:func:`caption_blocks`), in time order.
        language: the speech's language; none is read from subtitles in
            :data:`UNREAD_SUBTITLE_LANGUAGES`.

    Returns:
        The sentences in order, each paired run as one line with the captions' words and
        the run's times; unpaired sentences as they were heard.
    """
    if language in UNREAD_SUBTITLE_LANGUAGES:
        captions = ()
    norm_s = [normalise_text(s.text) for s in sentences]
    norm_c = [normalise_text(c.text) for c in captions]
    candidates: list[tuple[float, int, int, int, int]] = []
    for i, j in _runs(len(sentences)):
        for k, m in _runs(len(captions)):
            if not all(_on_screen_while_said(c, s) for c in captions[k:m] for s in sentences[i:j]):
                continue
            agree = text_agreement("".join(norm_s[i:j]), "".join(norm_c[k:m]))
            if agree >= SUBTITLE_AGREEMENT:
                candidates.append((agree, i, j, k, m))
    used_c: set[int] = set()
    paired: dict[int, tuple[int, int, int]] = {}  # first sentence -> (end, captions)
    taken: set[int] = set()
    for _, i, j, k, m in sorted(candidates, key=lambda x: (-x[0], x[1], x[3])):
        if taken & set(range(i, j)) or used_c & set(range(k, m)):
            continue
        taken |= set(range(i, j))
        used_c |= set(range(k, m))
        paired[i] = (j, k, m)
    out: list[SpokenLine] = []
    i = 0
    while i < len(sentences):
        if i in paired:
            j, k, m = paired[i]
            out.append(
                SpokenLine(
                    text=join_lines([c.text for c in captions[k:m]]),
                    start_s=sentences[i].start_s,
                    end_s=sentences[j - 1].end_s,
                    heard=join_lines([s.text for s in sentences[i:j]]),
                )
            )
            i = j
        else:
            s = sentences[i]
            out.append(SpokenLine(s.text, s.start_s, s.end_s))
            i += 1
    return out
