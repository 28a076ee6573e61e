"""The conversion model: conversion rate (orders / view) and GPM from a video's features.

An additive model (gradient-boosted trees in which every tree splits on one feature only,
``interaction_cst="no_interactions"``; a GAM, as in explainable boosting machines). Two
reasons for it: its per-feature contributions are exact (the Shapley values of an additive
model are its shape functions, centred on a background sample), and moving one feature in
the diagnosis changes the prediction by that feature's own effect only.

Targets are on the log scale, smoothed towards the pooled rate with a prior of
``PRIOR_VIEWS`` views so a video with 80 views and 0 orders is not read as "never
converts". Prediction intervals are conformalised quantile regression (CQR): quantile
models at the interval's ends, widened by a margin fitted on out-of-fold predictions of a
grouped cross-validation, so coverage holds on new creators / products, not only on rows
like the training rows. Metadata (views, price, followers, the creator's recent rate,
category) is masked at random in a copy of the training rows, so a prediction without
metadata is learned, not imputed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from service.errors import ModelStaleError
from service.features import FEATURE_NAMES, FEATURES, FEATURES_VERSION

CONVERSION_MODEL = "sellscope-conversion"
PRIOR_VIEWS = 200.0
NOMINAL = 0.8  # interval coverage
META_FEATURES = ("log_views", "log_price_usd", "log_followers", "creator_cvr", "category")
MASK_P = 0.5
MAX_FEATURES = 0.1  # share of the features each split considers (see _regressor)
TARGETS = ("cvr", "gpm")


@dataclass(frozen=True)
class Prediction:
    """A video's predicted conversion, with its interval and per-feature contributions."""

    cvr: float
    cvr_low: float
    cvr_high: float
    gpm: float | None  # USD per 1,000 views; None without a GPM model
    gpm_low: float | None
    gpm_high: float | None
    base_cvr: float  # the model's average prediction (the contributions' starting point)
    contributions: dict[str, float]  # feature -> effect on ln(cvr); they sum to ln(cvr/base)
    nominal: float = NOMINAL


@dataclass(frozen=True)
class TrainingRows:
    """Features and outcomes of labelled videos."""

    x: np.ndarray  # (n, len(FEATURE_NAMES)), NaN where unknown
    views: np.ndarray
    orders: np.ndarray
    gmv_usd: np.ndarray  # NaN where unknown
    groups: np.ndarray  # creator (or product) ids for grouped cross-validation


def smoothed_log_rate(events: np.ndarray, views: np.ndarray, pooled: float) -> np.ndarray:
    """``ln((events + k * pooled) / (views + k))``: an empirical-Bayes rate per view."""
    return np.log((events + PRIOR_VIEWS * pooled) / (views + PRIOR_VIEWS))


def _regressor(
    categorical: list[bool],
    loss: str = "squared_error",
    quantile: float | None = None,
    seed: int = 0,
    monotonic: list[int] | None = None,
) -> Any:
    from sklearn.ensemble import HistGradientBoostingRegressor

    kw: dict[str, Any] = {"quantile": quantile} if quantile is not None else {}
    return HistGradientBoostingRegressor(
        loss=loss,
        learning_rate=0.1,
        max_iter=200,
        max_leaf_nodes=8,
        min_samples_leaf=10,
        l2_regularization=1.0,
        interaction_cst="no_interactions",
        # each split sees a random tenth of the features, so the boosting spreads the
        # effect over every feature that carries it (as explainable boosting's round-robin
        # does) instead of giving it all to the strongest few; with a few hundred rows the
        # greedy version left hook strength and selling points at zero effect, and the
        # diagnosis, which re-predicts with a feature repaired, could not name them
        max_features=MAX_FEATURES,
        categorical_features=categorical if any(categorical) else None,
        monotonic_cst=monotonic,
        early_stopping=False,
        random_state=seed,
        **kw,
    )


def _augment(x: np.ndarray, rng: np.random.Generator, names: list[str]) -> np.ndarray:
    """A copy of ``x`` with each metadata feature masked (NaN) with probability MASK_P."""
    out = x.copy()
    for j, name in enumerate(names):
        if name in META_FEATURES:
            out[rng.random(len(out)) < MASK_P, j] = np.nan
    return out


@dataclass
class _TargetModel:
    point: Any
    low: Any
    high: Any
    margin: float  # CQR widening on the log scale
    pooled: float


def _one_thread() -> Any:
    """OpenMP limited to one thread for the trees: these fits are small, and a second
    thread only spins (badly so when the cores are busy with extraction or serving)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


def _fit_target(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    groups: np.ndarray,
    pooled: float,
    names: list[str],
    nominal: float,
    seed: int,
    folds: int = 5,
) -> _TargetModel:
    from sklearn.model_selection import GroupKFold

    specs = [FEATURES[FEATURE_NAMES.index(n)] for n in names]
    cat = [f.categorical for f in specs]
    mono = [f.direction for f in specs]

    def reg(loss: str = "squared_error", q: float | None = None) -> Any:
        return _regressor(cat, loss, q, seed, mono)

    a = (1 - nominal) / 2
    rng = np.random.default_rng(seed)
    n_folds = max(2, min(folds, len(set(groups.tolist()))))
    scores = np.empty(len(y))
    for tr, te in GroupKFold(n_splits=n_folds).split(x, y, groups):
        xa = np.vstack([x[tr], _augment(x[tr], rng, names)])
        ya = np.r_[y[tr], y[tr]]
        # quantile models unweighted: weighted leaf percentiles are 10x slower in sklearn,
        # and the conformal margin restores coverage whatever they are
        lo = reg("quantile", a).fit(xa, ya).predict(x[te])
        hi = reg("quantile", 1 - a).fit(xa, ya).predict(x[te])
        scores[te] = np.maximum(lo - y[te], y[te] - hi)
    n = len(scores)
    level = min(1.0, math.ceil((n + 1) * nominal) / n)
    margin = float(np.quantile(scores, level))
    xa = np.vstack([x, _augment(x, rng, names)])
    ya, wa = np.r_[y, y], np.r_[w, w]
    return _TargetModel(
        point=reg().fit(xa, ya, sample_weight=wa),
        low=reg("quantile", a).fit(xa, ya),
        high=reg("quantile", 1 - a).fit(xa, ya),
        margin=margin,
        pooled=pooled,
    )


@dataclass
class ConversionModel:
    """Fitted CVR (and GPM) models, a background sample, and what they were fitted on."""

    cvr: _TargetModel
    gpm: _TargetModel | None
    background: np.ndarray  # rows of the used features
    used: tuple[str, ...]  # features with any known value in training (the rest are ignored)
    nominal: float = NOMINAL
    metadata: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, rows: TrainingRows, nominal: float = NOMINAL, seed: int = 0) -> ConversionModel:
        """Fit on labelled videos (``views`` > 0)."""
        with _one_thread():
            return cls._fit(rows, nominal, seed)

    @classmethod
    def _fit(cls, rows: TrainingRows, nominal: float, seed: int) -> ConversionModel:
        keep = rows.views > 0
        x, views, orders = rows.x[keep], rows.views[keep], rows.orders[keep]
        gmv, groups = rows.gmv_usd[keep], rows.groups[keep]
        if len(x) < 20:
            raise ValueError(f"{len(x)} labelled videos with views; at least 20 are needed")
        known = ~np.isnan(x).all(axis=0)
        used = [n for n, k in zip(FEATURE_NAMES, known, strict=True) if k]
        x = x[:, known]
        w = views / (views + PRIOR_VIEWS)  # a video with few views says little about its rate
        pooled = float(orders.sum() / views.sum())
        y = smoothed_log_rate(orders, views, pooled)
        cvr = _fit_target(x, y, w, groups, pooled, used, nominal, seed)
        gpm = None
        has_gmv = ~np.isnan(gmv)
        if has_gmv.sum() >= 20:
            g_pooled = float(gmv[has_gmv].sum() / views[has_gmv].sum())
            y = smoothed_log_rate(gmv[has_gmv], views[has_gmv], g_pooled) + math.log(1000.0)
            gpm = _fit_target(
                x[has_gmv], y, w[has_gmv], groups[has_gmv], g_pooled, used, nominal, seed
            )
        rng = np.random.default_rng(seed)
        bg = x[rng.choice(len(x), min(256, len(x)), replace=False)]
        return cls(cvr, gpm, bg, tuple(used), nominal)

    def _select(self, x: np.ndarray) -> np.ndarray:
        idx = [FEATURE_NAMES.index(n) for n in self.used]
        return np.atleast_2d(np.asarray(x, float))[:, idx]

    def predict_log(self, x: np.ndarray) -> np.ndarray:
        """Predicted ln(cvr) for each row of full feature vectors (``FEATURE_NAMES`` order)."""
        with _one_thread():
            return self.cvr.point.predict(self._select(x))

    def predict(self, x: np.ndarray) -> list[Prediction]:
        """Predictions with intervals and contributions, one per row of ``x``."""
        with _one_thread():
            return self._predict(self._select(x))

    def _predict(self, x: np.ndarray) -> list[Prediction]:
        out = []
        point = self.cvr.point.predict(x)
        lo = self.cvr.low.predict(x) - self.cvr.margin
        hi = self.cvr.high.predict(x) + self.cvr.margin
        if self.gpm is not None:
            g_point = self.gpm.point.predict(x)
            g_lo = self.gpm.low.predict(x) - self.gpm.margin
            g_hi = self.gpm.high.predict(x) + self.gpm.margin
        base = float(self.cvr.point.predict(self.background).mean())  # background: used cols
        for i in range(len(x)):
            phi = self._contributions(x[i])
            gp = (
                (None, None, None)
                if self.gpm is None
                else tuple(float(np.exp(v[i])) for v in (g_point, g_lo, g_hi))
            )
            out.append(
                Prediction(
                    cvr=float(np.exp(point[i])),
                    cvr_low=float(np.exp(min(lo[i], point[i]))),
                    cvr_high=float(np.exp(max(hi[i], point[i]))),
                    gpm=gp[0],
                    gpm_low=None if gp[1] is None else min(gp[1], gp[0]),
                    gpm_high=None if gp[2] is None else max(gp[2], gp[0]),
                    base_cvr=float(np.exp(base)),
                    contributions=phi,
                    nominal=self.nominal,
                )
            )
        return out

    def _contributions(self, x: np.ndarray) -> dict[str, float]:
        """Exact Shapley values of the additive ln(cvr) model against the background.

        For ``f(x) = c + sum_j g_j(x_j)``, feature j's Shapley value is
        ``g_j(x_j) - mean_b g_j(b_j)``, which is ``f(x) - mean_b f(x with x_j := b_j)``.
        They sum to ``f(x) - mean_b f(b)``. Features unused in training contribute 0.
        """
        bg = self.background
        n, d = bg.shape
        rows = np.repeat(x[None, :], n * d, axis=0)
        for j in range(d):
            rows[j * n : (j + 1) * n, j] = bg[:, j]
        point = self.cvr.point
        fx = float(point.predict(x[None, :])[0])
        swapped = point.predict(rows).reshape(d, n).mean(axis=1)
        phi = dict.fromkeys(FEATURE_NAMES, 0.0)
        phi.update({name: fx - float(s) for name, s in zip(self.used, swapped, strict=True)})
        return phi

    # ------------------------------------------------------------------ storage

    def save(self, folder: Path) -> None:
        """Write the fitted models (joblib) and a JSON description to ``folder``."""
        import joblib

        joblib.dump(
            {"cvr": self.cvr, "gpm": self.gpm, "background": self.background,
             "used": list(self.used), "nominal": self.nominal, "features": list(FEATURE_NAMES),
             "features_version": FEATURES_VERSION},
            folder / "conversion.joblib",
        )  # fmt: skip
        (folder / "features.json").write_text(
            json.dumps([f.__dict__ for f in FEATURES], ensure_ascii=False, indent=1)
        )

    @classmethod
    def load(cls, folder: Path, metadata: dict | None = None) -> ConversionModel:
        """Read a model written by :meth:`save`."""
        import joblib

        d = joblib.load(folder / "conversion.joblib")
        version = d.get("features_version", 1)
        if tuple(d["features"]) != FEATURE_NAMES or version != FEATURES_VERSION:
            changed = sorted(set(d["features"]) ^ set(FEATURE_NAMES))
            what = ", ".join(changed) or f"features version {version}, now {FEATURES_VERSION}"
            raise ModelStaleError(
                f"the stored conversion model at {folder} was fitted on other features "
                f"(differing: {what}); fit a new one with `sellscope train conversion` "
                "or `sellscope train --outcomes MANIFEST`"
            )
        return cls(
            d["cvr"], d["gpm"], d["background"], tuple(d["used"]), d["nominal"],
            dict(metadata or {}),
        )  # fmt: skip


def _store_safe(x: Any) -> Any:
    """JSON-normalised metadata without None (BentoML stores only basic values)."""
    if isinstance(x, dict):
        return {str(k): _store_safe(v) for k, v in x.items() if v is not None}
    if isinstance(x, list | tuple):
        return [_store_safe(v) for v in x if v is not None]
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return json.loads(json.dumps(x, default=float))


def register_conversion(model: ConversionModel, metadata: dict) -> str:
    """Save ``model`` as a new version of ``sellscope-conversion``; return its tag.

    A new version is not served until promoted (``models.store.set_served``), except the
    first one; registering never changes which version is served.
    """
    import bentoml

    from models.store import get_served, list_models, set_served

    existing = list_models(CONVERSION_MODEL)
    if get_served(CONVERSION_MODEL) is None and existing:
        set_served(CONVERSION_MODEL, existing[0].tag)  # pin what "latest" served so far
    with bentoml.models.create(CONVERSION_MODEL, metadata=_store_safe(metadata)) as m:
        model.save(Path(m.path))
        tag = str(m.tag)
    if get_served(CONVERSION_MODEL) is None:
        set_served(CONVERSION_MODEL, tag)
    return tag


def load_conversion(version: str = "served") -> tuple[ConversionModel, str]:
    """The stored conversion model (the served version by default) and its tag."""
    from models.store import get_model, resolve_served

    if version == "served":
        version = resolve_served(CONVERSION_MODEL)
    stored = get_model(CONVERSION_MODEL, version, fix="sellscope train conversion")
    return ConversionModel.load(stored.path, stored.metadata), stored.tag
