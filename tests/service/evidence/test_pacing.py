"""Pacing from a transcript and cuts."""

from __future__ import annotations

import pytest

from service.evidence.pacing import measure_pacing
from service.evidence.types import Cut, Segment, SpeechRegion, Transcript, Word


def _transcript(regions, n_words):
    words = tuple(Word(f"w{i}", i * 0.1, i * 0.1 + 0.1, 0.9) for i in range(n_words))
    return Transcript(
        "en", 0.9, "given", (Segment("x", 0, 1, words),), tuple(SpeechRegion(*r) for r in regions)
    )


def test_dead_air_speech_rate_and_cut_rate():
    t = _transcript([(0.0, 4.0), (6.0, 8.0)], n_words=18)
    p = measure_pacing(t, (Cut(2.0, 0.5), Cut(5.0, 0.5)), duration_s=10.0)
    assert p.speech_share == pytest.approx(0.6)
    assert p.dead_air_share == pytest.approx(0.4)
    assert p.longest_dead_air_s == pytest.approx(2.0)
    assert p.words_per_second == pytest.approx(3.0)
    assert p.cuts_per_10s == pytest.approx(2.0)
    assert p.mean_shot_s == pytest.approx(10 / 3, rel=1e-3)


def test_overlapping_regions_count_once():
    t = _transcript([(0.0, 3.0), (2.0, 5.0)], n_words=5)
    assert measure_pacing(t, (), 10.0).speech_share == pytest.approx(0.5)


def test_silent_video_is_all_dead_air():
    t = Transcript(None, 0.0, "none")
    p = measure_pacing(t, (), 7.0)
    assert p.dead_air_share == 1.0 and p.words_per_second == 0.0 and p.longest_dead_air_s == 7.0


def test_pieces_written_onto_a_word_are_not_counted_as_words():
    # "j'espère que" comes from Whisper as j + 'espère + que: two words, not three
    words = (
        Word("j", 0.0, 0.1, 0.9),
        Word("'espère", 0.1, 0.5, 0.9, joined=True),
        Word("que", 0.5, 1.0, 0.9),
    )
    t = Transcript(
        "fr", 0.9, "given", (Segment("j'espère que", 0, 1, words),), (SpeechRegion(0, 1),)
    )
    assert measure_pacing(t, (), duration_s=1.0).words_per_second == pytest.approx(2.0)
