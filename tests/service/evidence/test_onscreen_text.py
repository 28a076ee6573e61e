"""On-screen text read by the real OCR model from drawn captions."""

from __future__ import annotations

import numpy as np
import pytest

from service.evidence.onscreen_text import changed_frames, normalise_text, read_captions
from service.media import decode

pytestmark = pytest.mark.integration


def test_captions_are_read_timed_and_deduplicated(make_video, evidence_models):
    captions = [
        (0.0, 2.0, "STOP SCROLLING"),
        (2.0, 4.5, "1200 W MOTOR"),
        (4.5, 6.0, "ONLY 9.90 TODAY"),
    ]
    path = make_video(duration=6.0, size=(360, 640), fps=10, captions=captions, motion=True)
    v = decode(path)
    found = read_captions(v.frames, v.frame_times, evidence_models.ocr, duration_s=6.0)
    texts = [normalise_text(c.text) for c in found]
    assert texts == ["stopscrolling", "1200wmotor", "only990today"], found
    for got, (start, end, _) in zip(found, captions, strict=True):
        assert abs(got.start_s - start) <= 1.01  # reads at most a second apart
        assert abs(got.end_s - end) <= 1.01
        assert got.confidence > 0.8
        assert 0.6 < got.box[1] < 0.8  # drawn at 75% of the height


def test_static_picture_is_read_once(make_video, evidence_models):
    path = make_video(duration=4.0, size=(360, 640), fps=10, captions=[(0, 4, "DISHWASHER SAFE")])
    v = decode(path)
    assert changed_frames(v.frames, v.frame_times, ()) == [0]
    calls = []

    class Counting:
        def detect(self, img):
            calls.append("detect")
            return evidence_models.ocr.detect(img)

        def recognise(self, crops):
            calls.append("recognise")
            return evidence_models.ocr.recognise(crops)

    found = read_captions(v.frames, v.frame_times, Counting(), duration_s=4.0)
    assert len(found) == 1 and found[0].end_s == pytest.approx(4.0)
    assert calls == ["detect", "recognise"]  # one detection, one batched recognition


def test_no_text_no_captions(make_video, evidence_models):
    v = decode(make_video(duration=2.0, size=(360, 640), motion=True))
    assert read_captions(v.frames, v.frame_times, evidence_models.ocr) == ()


def test_cut_forces_a_new_read():
    frames = np.zeros((6, 128, 72, 3), np.uint8)
    times = np.arange(6) * 0.5
    assert changed_frames(frames, times, (1.5,)) == [0, 3]
