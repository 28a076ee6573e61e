"""Run-on sentences cut into clauses: at a comma, else at the longest pause."""

from __future__ import annotations

from service.evidence.sentences import join_words
from service.evidence.types import Pacing, Segment, Transcript, VideoEvidence, Word
from service.media import MediaInfo
from service.scoring.clauses import cut_long_sentence
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
    parts = cut_long_sentence(_spoken(THAI), "th", max_s=8.0, min_s=2.0)
    assert [p.text for p in parts] == list(THAI)
    assert abs(parts[1].start_s - 5.3) < 1e-9 and abs(parts[1].end_s - 10.3) < 1e-9


def test_short_sentences_and_sentences_without_a_pause_stay_whole():
    short = _spoken(THAI[:1])  # 5 s: under the limit
    assert cut_long_sentence(short, "th", max_s=8.0) == (short,)
    no_pause = _spoken(THAI, gap_s=0.0)  # 15 s but the words touch
    assert cut_long_sentence(no_pause, "th", max_s=8.0) == (no_pause,)
    # the only pause would leave a sliver of one second
    sliver = _spoken(("เคย", "ซื้อไปฝากที่บ้านต่างจังหวัดยายบอกว่าอร่อย"), line_s=1.0)
    long_tail = cut_long_sentence(sliver, "th", max_s=1.5, min_s=2.0)
    assert long_tail == (sliver,)
    no_words = Segment("a script line with no timed words", 0.0, 20.0)
    assert cut_long_sentence(no_words, "en", max_s=5.0) == (no_words,)


def test_a_spaced_language_keeps_its_spacing_across_the_cut():
    words = [
        Word(w, i * 0.5, i * 0.5 + 0.5, 0.9) for i, w in enumerate(["one", "two", "three", "four"])
    ]
    words += [Word(w, 2.4 + i * 0.5, 2.9 + i * 0.5, 0.9) for i, w in enumerate(["five", "six"])]
    seg = Segment(join_words(words, "vi"), 0.0, words[-1].end_s, tuple(words))
    parts = cut_long_sentence(seg, "vi", max_s=3.0, min_s=0.9)
    assert [p.text for p in parts] == ["one two three four", "five six"]


def test_collect_lines_scores_the_cut_clauses_as_lines():
    media = MediaInfo("v.mp4", "mp4", 1, 20.0, 720, 1280, 0, 30.0, "h264", True, "aac", 1)
    transcript = Transcript("th", 0.9, "given", (_spoken(THAI),))
    ev = VideoEvidence(media, (), (), (), transcript, Pacing(3.0, 0.8, 0.2, 1.0, 1.0, 5.0))
    assert [ln.text for ln in collect_lines(ev)] == list(THAI)


def _words(texts: list[str], step: float) -> list[Word]:
    return [Word(t, i * step, i * step + step, 0.9) for i, t in enumerate(texts)]


def _sentence(said: str | list[str], step: float, language: str = "en") -> Segment:
    w = _words(said.split() if isinstance(said, str) else said, step)
    return Segment(join_words(w, language), w[0].start_s, w[-1].end_s, tuple(w))


def test_a_run_on_sentence_is_cut_into_clauses_at_commas_near_its_middle():
    # 0-12 s: three claims chained with commas, as Whisper writes a creator who never stops
    said = "hi girls, hope you are well, this powder is so fine, it never settles in lines"
    parts = cut_long_sentence(_sentence(said, 0.75), "en", max_s=5.0, min_s=2.0)
    assert [p.text for p in parts] == [
        "hi girls, hope you are well,", "this powder is so fine,", "it never settles in lines"
    ]  # fmt: skip
    assert parts[1].start_s == 4.5 and parts[1].end_s == 8.25  # the clause keeps its words' times
    assert all(p.end_s - p.start_s <= 5.0 for p in parts)


def test_a_sentence_short_enough_or_without_a_fair_cut_stays_whole():
    short = _sentence("so yeah, this heats up in three minutes", 0.75)
    assert cut_long_sentence(short, "en", max_s=8.0) == (short,)
    # long, but its only comma would leave a sliver of half a second
    sliver = _sentence("so, this heats up in three minutes whereas a normal oven takes", 0.75)
    assert cut_long_sentence(sliver, "en", max_s=5.0, min_s=2.0) == (sliver,)
    no_words = Segment("a script line with no timed words, and a comma", 0.0, 20.0)
    assert cut_long_sentence(no_words, "en", max_s=5.0) == (no_words,)


def test_chinese_clauses_are_cut_at_full_width_commas_without_spaces():
    said = list("姐妹们大家好，") + list("这个粉底特别细，") + list("一整天都不卡粉")
    parts = cut_long_sentence(_sentence(said, 0.5, "zh"), "zh", max_s=6.0, min_s=2.0)
    assert [p.text for p in parts] == ["姐妹们大家好，", "这个粉底特别细，", "一整天都不卡粉"]
