"""Diagnosis: conditions, measured effects, ranking, evidence, and no invented reasons."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from service.diagnosis import CODES, MIN_EFFECT, diagnose, longest_gap
from service.evidence.types import Caption, Cut, FaceFrame, KeyFrame, VideoEvidence
from service.features import FEATURE_NAMES, conversion_features
from service.meta import VideoMeta
from service.scoring.video import score_evidence
from tests.service.scoring.test_scoring import TABLE, TableScorer, _evidence

J = {n: i for i, n in enumerate(FEATURE_NAMES)}
WEAK = {**TABLE, "I use it every morning for my kids.": {"intent": "seed", "hook_strength": "weak"}}


def linear_model(weights: dict[str, float]):
    """ln(cvr) = -5 + sum w * feature (NaN counts as 0): a stand-in conversion model."""

    def predict_log(x: np.ndarray) -> np.ndarray:
        x = np.nan_to_num(np.atleast_2d(x))
        return -5.0 + np.zeros(len(x)) + sum(w * x[:, J[k]] for k, w in weights.items())

    return predict_log


def _weak_video() -> VideoEvidence:
    ev = _evidence(
        [("I use it every morning for my kids.", 0.5, 3.0),
         ("Tap the yellow cart now.", 6.0, 8.0)],
        cuts=[Cut(5.0, 0.5)], duration=12.0,
    )  # fmt: skip
    kf = tuple(KeyFrame(float(t), "AAAA") for t in range(12))
    return VideoEvidence(ev.media, ev.cuts, ev.faces, ev.captions, ev.transcript, ev.pacing,
                         keyframes=kf)  # fmt: skip


def test_reasons_are_ranked_by_measured_effect_with_evidence():
    ev = _weak_video()
    s = score_evidence(ev, TableScorer(WEAK))
    f = conversion_features(s, ev, VideoMeta())
    model = linear_model({"hook_said_strength": 1.0, "sp_points": 0.1, "hook_caption": 0.05})
    reasons = diagnose(f, s, ev, model)
    codes = [r.code for r in reasons]
    assert codes[0] == "weak_hook"  # the largest effect first
    assert "no_clear_selling_point" in codes and "no_text_in_hook" in codes
    assert all(c in CODES for c in codes)
    effects = [r.effect for r in reasons]
    assert effects == sorted(effects, reverse=True) and min(effects) >= MIN_EFFECT
    hook = reasons[0]
    # effect = exp(w * (0.9 - strength)) - 1; the table scorer gives P(strong) = 0.1
    strength = f["hook_said_strength"]
    assert strength == pytest.approx(0.1)
    assert hook.effect == pytest.approx(math.exp(0.9 - strength) - 1, abs=1e-3)
    assert hook.severity == "high"
    assert hook.evidence.quote == "I use it every morning for my kids."
    assert hook.evidence.time_s == 0.0 and hook.evidence.frame_time_s == 0.0
    assert "opens with" in hook.fix
    # the model does not reward cuts: "static_opening" is not reported although it applies
    assert "static_opening" not in codes


def test_a_good_video_gets_no_invented_reasons():
    ev = _evidence(
        [("Nine ninety nine for a full air fryer.", 0.2, 2.5),
         ("It has a 1500 W motor.", 3.0, 5.0),
         ("Crisps in 10 minutes, not 40 like an oven.", 5.5, 8.0),
         ("Tap the yellow cart now.", 8.2, 10.0)],
        captions=[Caption("1500 W MOTOR", 3.0, 5.5, (0.1, 0.7, 0.9, 0.8), 0.99),
                  Caption("9.99 TODAY", 0.0, 2.5, (0.1, 0.1, 0.9, 0.2), 0.99)],
        cuts=[Cut(1.5, 0.6), Cut(4.0, 0.5), Cut(7.0, 0.5)],
        faces=[FaceFrame(0.5, 1, 0.2)], duration=10.5,
    )  # fmt: skip
    s = score_evidence(ev, TableScorer(TABLE))
    f = conversion_features(s, ev, VideoMeta())
    model = linear_model({n: 0.3 for n in FEATURE_NAMES})
    codes = [r.code for r in diagnose(f, s, ev, model)]
    assert "weak_hook" not in codes and "no_clear_selling_point" not in codes
    assert "no_cta" not in codes and "all_seed_no_cta" not in codes
    flat = linear_model({})  # a model that rewards nothing: nothing to report
    assert diagnose(f, s, _weak_video(), flat) == ()


def test_a_hard_sell_too_early_points_at_the_sell_line_not_the_price_hook():
    table = {**TABLE, "Only today, half price, last 20 left.": {"intent": "sell"}}
    ev = _evidence(
        [("Nine ninety nine for a full air fryer.", 0.2, 2.5),
         ("Only today, half price, last 20 left.", 3.5, 6.0),
         ("I use it every morning for my kids.", 6.5, 9.0)],
        duration=10.0,
    )  # fmt: skip
    s = score_evidence(ev, TableScorer(table))
    assert s.seed_sell.sell_turn_s == 0.2 and s.seed_sell.sell_too_early
    f = conversion_features(s, ev, VideoMeta())
    (reason,) = diagnose(f, s, ev, linear_model({"sell_too_early": -1.0}))
    assert reason.code == "hard_sell_too_early"
    assert reason.effect == pytest.approx(math.e - 1, abs=1e-3)
    assert reason.evidence.time_s == 3.5
    assert reason.evidence.quote == "Only today, half price, last 20 left."
    # a silent video with captions only: the caption that sells too early is quoted
    cap = _evidence(
        [], captions=[Caption("9.99 AIR FRYER", 0.2, 2.5, (0.1, 0.1, 0.9, 0.2), 0.99),
                      Caption("Only today, half price, last 20 left.", 3.5, 6.0,
                              (0.1, 0.7, 0.9, 0.8), 0.99)], duration=10.0,
    )  # fmt: skip
    s = score_evidence(cap, TableScorer(table))
    assert s.seed_sell.sell_too_early
    f = conversion_features(s, cap, VideoMeta())
    (reason,) = diagnose(f, s, cap, linear_model({"sell_too_early": -1.0}))
    assert reason.evidence.time_s == 3.5
    assert reason.evidence.quote == "Only today, half price, last 20 left."


def test_longest_gap_finds_the_silence():
    ev = _evidence([("a", 0.0, 2.0), ("b", 2.2, 3.0), ("c", 6.5, 8.0)], duration=9.0)
    assert longest_gap(ev) == (3.0, 6.5)


def test_unknown_metadata_is_nan_and_scripts_leave_visuals_unknown():
    from service.scoring.video import script_evidence

    ev = _weak_video()
    s = score_evidence(ev, TableScorer(TABLE))
    f = conversion_features(s, ev, VideoMeta())
    for name in (
        "log_views", "log_price_usd", "log_followers", "creator_cvr", "category",
        "product_shown_s",
    ):  # fmt: skip
        assert math.isnan(f[name]), name
    g = conversion_features(
        s, ev, VideoMeta(price=20.0, currency="EUR", category="beauty", creator_cvr=0.0)
    )
    assert g["log_price_usd"] == pytest.approx(math.log1p(20 / 0.92))
    assert g["creator_cvr"] == 0.0  # a creator who sold nothing lately is known, not unknown
    assert g["category"] == 0.0
    assert math.isnan(
        conversion_features(s, ev, VideoMeta(price=5, currency="XXX"))["log_price_usd"]
    )
    sev = script_evidence("Stop scrolling. It has a 1500 W motor.", "en")
    sf = conversion_features(score_evidence(sev, TableScorer(TABLE)), sev, VideoMeta())
    assert math.isnan(sf["cuts_per_10s"]) and math.isnan(sf["hook_caption"])
    assert list(f) == list(FEATURE_NAMES)


def test_dead_air_repair_removes_the_share_the_silence_took():
    ev = _weak_video()
    ev = replace(ev, pacing=replace(ev.pacing, longest_dead_air_s=3.0, dead_air_share=0.5))
    s = score_evidence(ev, TableScorer(WEAK))
    f = conversion_features(s, ev, VideoMeta())
    assert f["longest_dead_air_s"] >= 1.5 and f["has_speech"] == 1.0
    reasons = diagnose(f, s, ev, linear_model({"dead_air_share": -10.0}))
    (dead,) = [r for r in reasons if r.code == "dead_air"]
    removed = (f["longest_dead_air_s"] - 0.5) / f["duration_s"]
    assert removed < f["dead_air_share"]
    assert dead.effect == pytest.approx(math.exp(10.0 * removed) - 1, abs=1e-3)


def test_a_silent_video_is_told_nothing_is_said_not_that_it_builds_desire():
    ev = _evidence([], duration=6.0)
    ev = replace(ev, pacing=replace(ev.pacing, longest_dead_air_s=6.0, dead_air_share=1.0))
    s = score_evidence(ev, TableScorer(TABLE))
    f = conversion_features(s, ev, VideoMeta())
    assert f["has_speech"] == 0.0 and math.isnan(f["sell_share"])
    # a model like the shipped one: it has only seen videos with speech, so has_speech
    # moves it little; the silence is what it punishes
    model = linear_model({"has_speech": 0.01, "dead_air_share": -2.0, "cta": 0.2})
    reasons = {r.code: r for r in diagnose(f, s, ev, model)}
    assert "no_speech" in reasons and "all_seed_no_cta" not in reasons
    assert "no_cta" in reasons  # nothing asks for the order either
    assert reasons["no_speech"].effect == pytest.approx(
        math.exp(0.01 + 2.0 * (1.0 - 0.07)) - 1, abs=1e-3
    )
