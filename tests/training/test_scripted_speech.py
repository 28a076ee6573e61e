from dataclasses import replace

import pytest

from service.evidence.types import Caption, SpeechRegion
from tests.service.scoring.test_scoring import _evidence
from training.scripted_speech import character_error_rate, line_words, scripted_evidence

LINES = [
    {"spoken_text": "Nine ninety nine for a full air fryer.", "start_s": 0.2, "end_s": 2.6},
    {"spoken_text": "It has a 1500 W motor", "start_s": 3.0, "end_s": 5.0},
    # no full stop and no pause: a perfect recogniser hears one sentence
    {"spoken_text": "and it crisps in ten minutes.", "start_s": 5.1, "end_s": 7.0},
]


def test_words_are_spread_over_the_line():
    w = line_words("one two three four", 1.0, 3.0, "en")
    assert [x.text for x in w] == ["one", "two", "three", "four"]
    assert [x.start_s for x in w] == [1.0, 1.5, 2.0, 2.5] and w[-1].end_s == 3.0
    zh = line_words("三个 月", 0.0, 3.0, "zh")
    assert [x.text for x in zh] == ["三", "个", "月"]  # characters, the space dropped
    assert line_words("   ", 0.0, 1.0, "en") == []


def test_the_transcript_is_the_script_cut_by_the_pipelines_rules():
    heard = _evidence([("nein ninety wine", 0.2, 2.6)], captions=[
        Caption("AIR FRYER", 0.0, 2.0, (0.1, 0.7, 0.9, 0.8), 0.9)])  # fmt: skip
    ev = scripted_evidence(heard, LINES, "en")
    segs = ev.transcript.segments
    assert [s.text for s in segs] == [
        "Nine ninety nine for a full air fryer.",
        "It has a 1500 W motor and it crisps in ten minutes.",
    ]
    assert segs[0].start_s == 0.2 and segs[1].end_s == 7.0
    assert ev.transcript.language == "en" and ev.transcript.language_source == "given"
    assert ev.captions == heard.captions and ev.media == heard.media  # the rest is kept


def test_a_silence_the_voice_detector_found_splits_the_lines():
    heard = _evidence([])
    regions = (SpeechRegion(0.2, 5.02), SpeechRegion(5.08, 7.0))
    heard = replace(heard, transcript=replace(heard.transcript, speech_regions=regions))
    segs = scripted_evidence(heard, LINES, "en").transcript.segments
    assert len(segs) == 3 and segs[2].text == "and it crisps in ten minutes."


def test_character_error_rate():
    assert character_error_rate("It's 15 euros!", "its 15 EUROS") == 0.0
    assert character_error_rate("abcd", "abxd") == pytest.approx(0.25)
    assert character_error_rate("abcd", "") == 1.0
    assert character_error_rate("", "") == 0.0 and character_error_rate("", "x") == 1.0
