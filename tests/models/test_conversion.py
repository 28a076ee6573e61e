"""The conversion model on simulated features with a known additive effect."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import spearmanr

from models.conversion import ConversionModel, TrainingRows, smoothed_log_rate
from service.features import FEATURE_NAMES

J = {n: i for i, n in enumerate(FEATURE_NAMES)}


def _simulate(n: int, seed: int) -> tuple[TrainingRows, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.full((n, len(FEATURE_NAMES)), np.nan)
    x[:, J["hook_said_strength"]] = rng.random(n)
    x[:, J["cta"]] = rng.random(n) < 0.6
    x[:, J["sp_roles"]] = rng.integers(0, 5, n)
    x[:, J["duration_s"]] = rng.uniform(10, 60, n)  # no effect
    x[:, J["log_price_usd"]] = np.log1p(rng.lognormal(math.log(20), 0.5, n))
    x[:, J["category"]] = rng.integers(0, 4, n)
    creators = rng.integers(0, 60, n)
    creator_effect = rng.normal(0, 0.2, 60)[creators]
    log_cvr = (
        math.log(0.004)
        + 0.6 * x[:, J["hook_said_strength"]]
        + 0.5 * x[:, J["cta"]]
        + 0.2 * x[:, J["sp_roles"]]
        - 0.5 * (x[:, J["log_price_usd"]] - math.log(21))
        + creator_effect
    )
    true_cvr = np.exp(log_cvr)
    views = np.round(rng.lognormal(math.log(5000), 0.6, n)).astype(float)
    x[:, J["log_views"]] = np.log1p(views)
    orders = rng.binomial(views.astype(int), true_cvr).astype(float)
    gmv = orders * 20.0
    return TrainingRows(x, views, orders, gmv, creators.astype(str)), true_cvr


@pytest.fixture(scope="module")
def fitted():
    rows, _ = _simulate(800, 0)
    return ConversionModel.fit(rows, nominal=0.8, seed=0)


def test_ranks_held_out_videos_and_intervals_cover(fitted):
    test, true_cvr = _simulate(600, 1)
    preds = fitted.predict(test.x)
    cvr = np.array([p.cvr for p in preds])
    realised = test.orders / test.views
    oracle = spearmanr(true_cvr, realised).statistic
    ours = spearmanr(cvr, realised).statistic
    assert ours >= 0.85 * oracle, (ours, oracle)
    y = smoothed_log_rate(test.orders, test.views, fitted.cvr.pooled)
    lo = np.log([p.cvr_low for p in preds])
    hi = np.log([p.cvr_high for p in preds])
    coverage = np.mean((y >= lo) & (y <= hi))
    assert abs(coverage - 0.8) <= 0.06, coverage
    assert all(p.cvr_low <= p.cvr <= p.cvr_high for p in preds)
    assert all(p.gpm is not None and p.gpm_low <= p.gpm <= p.gpm_high for p in preds)


def test_contributions_are_exact_and_point_the_right_way(fitted):
    test, _ = _simulate(5, 2)
    for p in fitted.predict(test.x):
        total = sum(p.contributions.values())
        assert total == pytest.approx(math.log(p.cvr / p.base_cvr), abs=1e-9)
    good, bad = test.x[0].copy(), test.x[0].copy()
    good[J["cta"]], bad[J["cta"]] = 1.0, 0.0
    pg, pb = fitted.predict(np.stack([good, bad]))
    assert pg.contributions["cta"] > 0 > pb.contributions["cta"]
    assert abs(pg.contributions["duration_s"]) < 0.1  # a feature without effect stays small
    # an additive model: moving one feature changes the prediction by its own effect only
    assert math.log(pg.cvr / pb.cvr) == pytest.approx(
        pg.contributions["cta"] - pb.contributions["cta"], abs=1e-9
    )


def test_unknown_metadata_is_learned_not_read_as_zero(fitted):
    test, _ = _simulate(300, 3)
    x = test.x.copy()
    x[:, J["log_views"]] = np.nan
    x[:, J["log_price_usd"]] = np.nan
    with_meta = np.array([p.cvr for p in fitted.predict(test.x)])
    without = np.array([p.cvr for p in fitted.predict(x)])
    # without price the prediction is the average over prices, not that of price 0
    assert np.median(without / with_meta) == pytest.approx(1.0, abs=0.25)
    assert spearmanr(without, test.orders / test.views).statistic > 0.3


def test_save_and_load(fitted, tmp_path):
    fitted.save(tmp_path)
    again = ConversionModel.load(tmp_path, {"note": "x"})
    test, _ = _simulate(10, 4)
    assert [p.cvr for p in again.predict(test.x)] == [p.cvr for p in fitted.predict(test.x)]
    assert again.metadata == {"note": "x"}


def test_a_model_fitted_on_other_features_is_a_clear_stale_error(fitted, tmp_path):
    import joblib

    from service.errors import ModelMissingError, ModelStaleError

    fitted.save(tmp_path)
    d = joblib.load(tmp_path / "conversion.joblib")
    d["features"] = [*d["features"], "sp_score"]  # as saved by a version with one more
    joblib.dump(d, tmp_path / "conversion.joblib")
    with pytest.raises(ModelStaleError, match="differing: sp_score.*sellscope train") as e:
        ConversionModel.load(tmp_path)
    assert isinstance(e.value, ModelMissingError)  # callers that fall back on missing do here
    d["features"] = d["features"][:-1]
    d["features_version"] -= 1  # same names, an older meaning
    joblib.dump(d, tmp_path / "conversion.joblib")
    with pytest.raises(ModelStaleError, match="features version"):
        ConversionModel.load(tmp_path)


def test_too_few_videos_is_a_clear_error():
    rows, _ = _simulate(10, 5)
    with pytest.raises(ValueError, match="at least 20"):
        ConversionModel.fit(rows)
