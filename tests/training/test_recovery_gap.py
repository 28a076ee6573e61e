import math

import pytest

from training.recovery_gap import RECOVERED, as_recovered, rate_with, record_effect
from training.synth_outcome import (
    DEFAULT_BASE_CVR,
    RECORD_Z_MEAN,
    W_CTA,
    ContentFeatures,
    content_quality,
)

TRUTH = ContentFeatures(
    hook_strong=True,
    roles=frozenset({"feature", "benefit", "evidence"}),
    shown_share=0.5,
    product_first_shown_s=1.0,
    cta=True,
    sell_share=0.3,
    hard_sell_too_early=False,
    dead_air_spans=1,
)
# what a pipeline that recovered every term right would report
SEEN = {
    "hook_said_strength": 0.9,
    "sp_roles": 3.0,
    "sp_evidence": 1.0,
    "sp_shown_share": 0.5,
    "product_shown_s": 1.0,
    "cta": 1.0,
    "sell_share": 0.3,
    "sell_too_early": 0.0,
}


def test_a_pipeline_that_saw_it_all_changes_nothing():
    assert content_quality(as_recovered(TRUTH, SEEN)) == pytest.approx(content_quality(TRUTH))
    for read in RECOVERED.values():
        assert content_quality(read(TRUTH, SEEN)) == pytest.approx(content_quality(TRUTH))


def test_one_term_misread_moves_the_rate_by_its_weight():
    missed = {**SEEN, "cta": 0.0}
    out = {"true_cvr": 0.01, "creator_cvr_effect": 0.2}
    f = RECOVERED["cta"](TRUTH, missed)
    assert not f.cta and f.roles == TRUTH.roles  # the other terms stay true
    assert rate_with(f, TRUTH, out, 0.2) == pytest.approx(0.01 * math.exp(-W_CTA))


def test_roles_keep_count_and_proof():
    f = RECOVERED["fabe_roles"](TRUTH, {**SEEN, "sp_roles": 2.0, "sp_evidence": 0.0})
    assert len(f.roles) == 2 and "evidence" not in f.roles
    f = RECOVERED["fabe_roles"](TRUTH, {**SEEN, "sp_roles": 1.0, "sp_evidence": 1.0})
    assert f.roles == frozenset({"evidence"})


def test_missing_readings_count_as_absent():
    nan = math.nan
    f = as_recovered(TRUTH, {**SEEN, "sp_shown_share": nan, "product_shown_s": nan,
                             "sell_share": nan})  # fmt: skip
    assert f.shown_share == 0.0 and f.product_first_shown_s == math.inf and f.sell_share is None


def test_record_effect_inverts_the_simulated_record():
    assert record_effect(DEFAULT_BASE_CVR * math.exp(RECORD_Z_MEAN + 0.3)) == pytest.approx(0.3)
    assert record_effect(math.nan) == 0.0
    out = {"true_cvr": 0.01, "creator_cvr_effect": 0.3}
    assert rate_with(TRUTH, TRUTH, out, 0.3) == pytest.approx(0.01)
