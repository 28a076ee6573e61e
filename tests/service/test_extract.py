"""The whole extraction on a generated video with real speech, captions and cuts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from service.errors import NotAVideoError
from service.evidence.types import VideoEvidence
from service.extract import extract_evidence

pytestmark = pytest.mark.integration


def test_extract_finds_speech_captions_cuts_and_serialises(make_video, jfk_audio, evidence_models):
    audio = np.concatenate([np.zeros(8000, np.float32), jfk_audio])
    duration = len(audio) / 16000
    shots = [(0.0, (40, 40, 160)), (4.0, (160, 90, 30)), (8.0, (40, 140, 40))]
    captions = [(0.0, 4.0, "STOP SCROLLING"), (4.0, 8.0, "1200 W MOTOR")]
    path = make_video(
        duration=duration,
        size=(360, 640),
        fps=15,
        shots=shots,
        captions=captions,
        audio=audio,
        motion=True,
    )
    ev = extract_evidence(path, models=evidence_models)
    assert [round(c.time_s) for c in ev.cuts] == [4, 8]
    assert [c.text for c in ev.captions] == ["STOP SCROLLING", "1200 W MOTOR"]
    assert "ask not what your country" in ev.transcript.text.lower()
    assert ev.pacing.cuts_per_10s == pytest.approx(2 / duration * 10, rel=0.01)
    assert 0.0 < ev.pacing.dead_air_share < 0.5
    assert len(ev.faces) == len(set(f.time_s for f in ev.faces)) > 10
    assert set(ev.models) == {"asr", "ocr", "faces", "langid"}
    assert ev.stage_seconds["total"] > 0
    data = json.loads(ev.to_json())
    assert data["transcript"]["text"] == ev.transcript.text
    assert VideoEvidence.from_dict(data) == ev


def test_silent_video_without_audio(make_video, evidence_models):
    ev = extract_evidence(make_video(duration=2.0), models=evidence_models)
    assert ev.transcript.segments == () and not ev.media.has_audio
    assert ev.pacing.dead_air_share == 1.0


def test_bad_input_fails_before_loading_models(tmp_path):
    p = tmp_path / "x.mp4"
    p.write_text("hello")
    with pytest.raises(NotAVideoError):
        extract_evidence(p, models=None)
