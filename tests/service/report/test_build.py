"""The report document: built from the pipeline's parts, valid JSON, schema file in step."""

from __future__ import annotations

import json

from models.conversion import Prediction
from service.diagnosis import Reason, ReasonEvidence
from service.evidence.types import KeyFrame, VideoEvidence
from service.features import conversion_features
from service.meta import VideoMeta
from service.report.build import band, build_report
from service.report.schema import SCHEMA_PATH, Report, json_schema
from service.scoring.video import score_evidence, script_evidence
from tests.service.scoring.test_scoring import TABLE, TableScorer, _evidence


def _parts():
    ev = _evidence(
        [("Nine ninety nine for a full air fryer.", 0.2, 2.5), ("点击下方小黄车", 3.0, 5.0)]
    )
    ev = VideoEvidence(ev.media, ev.cuts, ev.faces, ev.captions, ev.transcript, ev.pacing,
                       models={"asr": "w:1"}, keyframes=(KeyFrame(0.0, "QUJD"),))  # fmt: skip
    meta = VideoMeta(product_name="Vortexa", price=39.9, currency="USD")
    scores = score_evidence(ev, TableScorer(TABLE), meta.product_name)
    return ev, meta, scores, conversion_features(scores, ev, meta)


def test_report_carries_every_part_and_round_trips():
    ev, meta, scores, feats = _parts()
    pred = Prediction(0.01, 0.005, 0.02, 4.0, 2.0, 8.0, 0.008,
                      {"hook_score": 0.2, "cta": -0.1, "duration_s": 0.0}, 0.8)  # fmt: skip
    where = ReasonEvidence(0.0, 3.0, "点击下方小黄车", 0.0)
    reason = Reason("weak_hook", "No hook", "high", 0.4, where, "Open on the problem.")
    r = build_report(ev, scores, meta, feats, pred, (reason,), {"heads": "h:1", "asr": "w:1"})
    assert r.schema_version == "1.2" and r.video.source == "video" and r.video.file_name == "v.mp4"
    assert r.meta.product_name == "Vortexa" and r.meta.price == 39.9
    assert r.scores.hook.quote == "Nine ninety nine for a full air fryer."
    assert r.scores.hook.band == band(r.scores.hook.score)
    assert r.prediction.cvr_interval == (0.005, 0.02) and r.prediction.gpm_interval == (2.0, 8.0)
    # contributions: largest first, zero effects left out, labelled in plain words
    assert [c.feature for c in r.prediction.contributions] == ["hook_score", "cta"]
    assert r.prediction.contributions[0].label == "hook score (0-100)"
    assert r.diagnosis[0].code == "weak_hook" and r.diagnosis[0].evidence.quote == "点击下方小黄车"
    assert r.key_frames[0].jpeg_b64 == "QUJD" and r.models["heads"] == "h:1"
    text = r.model_dump_json()
    assert "点击下方小黄车" in text  # not ASCII-escaped
    assert Report.model_validate_json(text) == r


def test_script_report_has_no_prediction_and_no_frames():
    ev = script_evidence("Stop scrolling. It has a 1500 W motor.", "en")
    scores = score_evidence(ev, TableScorer(TABLE))
    r = build_report(ev, scores, VideoMeta(), conversion_features(scores, ev), None, (), {})
    assert r.video.source == "script" and r.video.file_name is None
    assert r.prediction is None and r.key_frames == [] and r.diagnosis == []


def test_exported_json_schema_is_up_to_date():
    # `python -m service.report.schema` rewrites it after a change of the models
    assert json.loads(SCHEMA_PATH.read_text()) == json_schema()
    assert json_schema()["properties"]["schema_version"]["default"] == "1.2"
