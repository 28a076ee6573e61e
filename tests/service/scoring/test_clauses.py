"""Run-on sentences without commas cut at their longest pause (service.scoring.clauses)."""

from __future__ import annotations

from service.evidence.sentences import join_words
from service.evidence.types import Pacing, Segment, Transcript, VideoEvidence, Word
from service.media import MediaInfo
from service.scoring.clauses import cut_at_pauses
from service.scoring.lines import collect_lines

# Three Thai lines said one after the other, 0.3 s apart: no punctuation, no spaces
THAI = ("เคยสงสัยไหมครับว่าทำไม", "ซื้อไปฝากที่บ้าน", "ขนมตัวนี้ช่วยตอนหิว")


def _spoken(lines: tuple[str, ...], line_s: float = 5.0, gap_s: float = 0.3) -> Segment:
    """Each line's characters spread evenly over ``line_s``, ``gap_s`` between lines."""
    words, t = [], 0.0
    for line in lines:
        step = line_s / len(line)
        words += [Word(c, t + i * step, t + (i + 1) * step, 0.9) for i, c in enumerate(line)]
        t += line_s + gap_s
    return Segment(join_words(words, "th"), words[0].start_s, words[-1].end_s, tuple(words))


def test_a_long_thai_sentence_is_cut_back_into_its_lines_at_the_pauses():
    parts = cut_at_pauses(_spoken(THAI), "th", max_s=8.0, min_s=2.0)
    assert [p.text for p in parts] == list(THAI)
    assert abs(parts[1].start_s - 5.3) < 1e-9 and abs(parts[1].end_s - 10.3) < 1e-9


def test_short_sentences_and_sentences_without_a_pause_stay_whole():
    short = _spoken(THAI[:1])  # 5 s: under the limit
    assert cut_at_pauses(short, "th", max_s=8.0) == (short,)
    no_pause = _spoken(THAI, gap_s=0.0)  # 15 s but the words touch
    assert cut_at_pauses(no_pause, "th", max_s=8.0) == (no_pause,)
    # the only pause would leave a sliver of one second
    sliver = _spoken(("เคย", "ซื้อไปฝากที่บ้านต่างจังหวัดยายบอกว่าอร่อย"), line_s=1.0)
    long_tail = cut_at_pauses(sliver, "th", max_s=1.5, min_s=2.0)
    assert long_tail == (sliver,)
    no_words = Segment("a script line with no timed words", 0.0, 20.0)
    assert cut_at_pauses(no_words, "en", max_s=5.0) == (no_words,)


def test_a_spaced_language_keeps_its_spacing_across_the_cut():
    words = [
        Word(w, i * 0.5, i * 0.5 + 0.5, 0.9) for i, w in enumerate(["one", "two", "three", "four"])
    ]
    words += [Word(w, 2.4 + i * 0.5, 2.9 + i * 0.5, 0.9) for i, w in enumerate(["five", "six"])]
    seg = Segment(join_words(words, "vi"), 0.0, words[-1].end_s, tuple(words))
    parts = cut_at_pauses(seg, "vi", max_s=3.0, min_s=0.9)
    assert [p.text for p in parts] == ["one two three four", "five six"]


def test_collect_lines_scores_the_cut_clauses_as_lines():
    media = MediaInfo("v.mp4", "mp4", 1, 20.0, 720, 1280, 0, 30.0, "h264", True, "aac", 1)
    transcript = Transcript("th", 0.9, "given", (_spoken(THAI),))
    ev = VideoEvidence(media, (), (), (), transcript, Pacing(3.0, 0.8, 0.2, 1.0, 1.0, 5.0))
    assert [ln.text for ln in collect_lines(ev)] == list(THAI)
