"""Pacing stage: speech rate, dead air and cut rate."""

from __future__ import annotations

from service.evidence.types import Cut, Pacing, Transcript


def _merged_length(spans: list[tuple[float, float]], duration: float) -> tuple[float, float]:
    """Total covered length, and the longest uncovered gap, of spans within [0, duration]."""
    covered = 0.0
    longest_gap = 0.0
    cursor = 0.0
    for start, end in sorted(spans):
        start, end = max(0.0, start), min(duration, end)
        if end <= cursor:
            continue
        if start > cursor:
            longest_gap = max(longest_gap, start - cursor)
            covered += end - start
        else:
            covered += end - cursor
        cursor = end
    longest_gap = max(longest_gap, duration - cursor)
    return covered, longest_gap


def measure_pacing(transcript: Transcript, cuts: tuple[Cut, ...], duration_s: float) -> Pacing:
    """Speech rate while speaking, share of dead air, and cuts per 10 s.

    Dead air is time with no speech heard by voice activity detection (music alone counts
    as dead air: nobody is selling).
    """
    duration = max(duration_s, 1e-6)
    spans = [(r.start_s, r.end_s) for r in transcript.speech_regions]
    speech_s, longest_gap = _merged_length(spans, duration)
    # a piece Whisper wrote onto the word before it (j + 'espère) is not another word
    n_words = sum(not w.joined for w in transcript.words)
    shots = len(cuts) + 1
    return Pacing(
        words_per_second=round(n_words / speech_s, 3) if speech_s > 0 else 0.0,
        speech_share=round(speech_s / duration, 3),
        dead_air_share=round(1.0 - speech_s / duration, 3),
        longest_dead_air_s=round(longest_gap, 3),
        cuts_per_10s=round(len(cuts) / duration * 10.0, 3),
        mean_shot_s=round(duration / shots, 3),
    )
