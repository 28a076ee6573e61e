"""Whisper's timed words to sentences: loops, spacing, breaks."""

from __future__ import annotations

from service.evidence.sentences import (
    collapse_loops,
    cut_long_sentence,
    join_words,
    split_sentences,
)
from service.evidence.types import Segment, SpeechRegion, Word


def _words(texts: list[str], step: float = 0.2, joined: set[int] = frozenset()) -> list[Word]:
    return [Word(t, i * step, i * step + step, 0.9, i in joined) for i, t in enumerate(texts)]


def test_split_sentences_at_punctuation_and_pauses():
    w = [
        Word("Hi", 0.0, 0.2, 1),
        Word("there.", 0.2, 0.5, 1),
        Word("This", 0.6, 0.8, 1),
        Word("pan", 0.8, 1.0, 1),
        Word("rocks", 2.0, 2.3, 1),
    ]
    s = split_sentences(w, "en")
    assert [x.text for x in s] == ["Hi there.", "This pan", "rocks"]
    assert s[1].start_s == 0.6 and s[1].end_s == 1.0
    zh = split_sentences([Word("好", 0, 0.2, 1), Word("用。", 0.2, 0.4, 1)], "zh")
    assert zh[0].text == "好用。"


def test_a_silence_heard_between_two_words_ends_the_sentence():
    # Whisper stretched "walks" over the pause; voice activity heard it (1.0 to 1.3 s)
    w = [
        Word("Easy", 0.0, 0.4, 1),
        Word("walks", 0.4, 1.2, 1),
        Word("half", 1.2, 1.6, 1),
        Word("the", 1.6, 1.8, 1),
        Word("salt", 1.8, 2.2, 1),
    ]
    regions = (SpeechRegion(0.0, 1.0), SpeechRegion(1.3, 2.3))
    assert [x.text for x in split_sentences(w, "en", regions)] == ["Easy walks", "half the salt"]
    assert len(split_sentences(w, "en")) == 1  # without the regions: one sentence


def test_pieces_whisper_wrote_onto_a_word_get_no_space():
    w = _words(["j", "'espère", "à", "4", ",50", "€"], joined={1, 4})
    assert join_words(w, "fr") == "j'espère à 4,50 €"
    assert join_words(_words(["好", "用"]), "zh") == "好用"
    assert split_sentences(w, "fr")[0].text == "j'espère à 4,50 €"


def test_a_decoding_loop_keeps_one_copy_and_its_time():
    w = _words(["Stop", "scrolling,"] + ["melar", "empat", "arah,"] * 9 + ["ok."])
    out = collapse_loops(w)
    assert [x.text for x in out] == ["Stop", "scrolling,", "melar", "empat", "arah,", "ok."]
    # the kept copy ends where the loop ended
    assert out[4].end_s == w[-2].end_s
    thai = _words(["ฮ", "ั", "ม"] + ["ฆ", "า"] * 30)
    assert "".join(x.text for x in collapse_loops(thai)) == "ฮัมฆา"


def test_speech_that_repeats_a_few_times_is_left_alone():
    w = _words(["no", "no", "no,", "this", "is", "it", "this", "is", "it"])
    assert collapse_loops(w) == w


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
