"""Whisper's timed words to sentences: loops, spacing, breaks."""

from __future__ import annotations

from service.evidence.sentences import (
    collapse_loops,
    join_words,
    split_sentences,
)
from service.evidence.types import SpeechRegion, Word


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
