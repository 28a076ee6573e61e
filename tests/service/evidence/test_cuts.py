"""Scene cuts at known times."""

from __future__ import annotations

import numpy as np

from service.evidence.cuts import detect_cuts
from service.media import DecodeOptions, decode


def test_cuts_found_at_known_times_despite_motion(make_video):
    shots = [(0.0, (40, 40, 160)), (1.5, (160, 90, 30)), (3.0, (40, 140, 40)), (4.25, (30, 30, 30))]
    v = decode(make_video(duration=5.5, fps=24, shots=shots, motion=True), DecodeOptions(cut_fps=8))
    cuts = detect_cuts(v.thumbs, v.thumb_times)
    found = [c.time_s for c in cuts]
    assert len(found) == 3, found
    for want, got in zip([1.5, 3.0, 4.25], found, strict=True):
        assert abs(got - want) <= 0.13  # one thumbnail at 8 per second


def test_no_cut_in_a_single_moving_shot(make_video):
    v = decode(make_video(duration=3.0, fps=24, motion=True))
    assert detect_cuts(v.thumbs, v.thumb_times) == ()


def test_cuts_between_similar_colours_are_found():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    b = np.roll(a, 32, axis=0)  # same colours, different picture
    thumbs = np.stack([a] * 6 + [b] * 6)
    times = np.arange(12) / 8
    cuts = detect_cuts(thumbs, times)
    assert [c.time_s for c in cuts] == [0.75]


def test_too_few_thumbnails():
    assert detect_cuts(np.zeros((1, 64, 64, 3), np.uint8), np.array([0.0])) == ()
