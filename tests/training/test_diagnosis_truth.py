"""The oracle for diagnosis reasons: each fix's true effect in the simulation."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from service.diagnosis import CODES, MIN_EFFECT
from tests.training.test_synth import GOOD
from training.diagnosis_truth import TRUTH_FIXES, true_effect, true_effects
from training.synth_outcome import (
    W_CTA,
    W_DEAD_AIR,
    W_EVIDENCE,
    W_HARD_SELL_EARLY,
    W_HOOK_STRONG,
    W_ROLE,
    W_SHOWN,
)

# the outcome tests' best video, and one with every flaw the simulation has a term for
FLAWED = replace(
    GOOD,
    hook_strong=False,
    roles=frozenset({"feature"}),
    shown_share=0.25,
    product_first_shown_s=8.0,
    cta=False,
    sell_share=0.0,
    hard_sell_too_early=True,
    dead_air_spans=2,
)


def test_every_diagnosis_code_has_a_truth_fix():
    assert set(TRUTH_FIXES) == set(CODES)


def test_fixes_are_worth_what_the_outcome_model_pays():
    assert true_effect("weak_hook", FLAWED) == pytest.approx(math.exp(W_HOOK_STRONG) - 1)
    assert true_effect("selling_point_not_shown", FLAWED) == pytest.approx(
        math.exp(0.75 * W_SHOWN) - 1
    )
    assert true_effect("no_proof", FLAWED) == pytest.approx(math.exp(W_ROLE + W_EVIDENCE) - 1)
    assert true_effect("hard_sell_too_early", FLAWED) == pytest.approx(
        math.exp(-W_HARD_SELL_EARLY) - 1
    )
    assert true_effect("dead_air", FLAWED) == pytest.approx(math.exp(-2 * W_DEAD_AIR) - 1)
    # all seed: the fix is a CTA and a third of the persuasion selling (the sell band too)
    assert true_effect("all_seed_no_cta", FLAWED) > math.exp(W_CTA) - 1
    assert true_effect("no_cta", FLAWED) == pytest.approx(math.exp(W_CTA) - 1)
    selling = replace(FLAWED, sell_share=0.3)
    assert true_effect("all_seed_no_cta", selling) == 0.0


def test_a_good_video_has_nothing_worth_fixing():
    effects = true_effects(GOOD)
    assert max(effects.values()) < MIN_EFFECT
    # codes the simulation has no term for are never real, whatever the video
    assert true_effects(FLAWED)["static_opening"] == 0.0


def test_a_fix_already_made_is_worth_nothing():
    f = replace(FLAWED, product_first_shown_s=0.5, hook_strong=True)
    assert true_effect("product_too_late", f) == 0.0
    assert true_effect("weak_hook", f) == 0.0
    with pytest.raises(KeyError):
        true_effect("not_a_code", f)
