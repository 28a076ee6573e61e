"""Retraining the conversion model from labelled shop outcomes (``sellscope train --outcomes``).

1. Evidence of every video, in parallel, cached by content hash (``training.evidence_cache``);
   rows with a transcript and no video take the script path. A video that fails is listed
   with its reason and skipped.
2. Features from the current heads (``service.features``).
3. A held-out split by creator (or product): ``HOLDOUT`` of the groups never seen in fitting.
   On it: Spearman and R^2 of ln CVR and ln GPM, interval coverage, for the new model, a
   views-and-metadata-only baseline, and the model currently served.
4. The new model is registered with a model card; ``promote`` makes it the served one
   only if its held-out Spearman is not worse than the served model's.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.conversion import (
    META_FEATURES,
    ConversionModel,
    TrainingRows,
    smoothed_log_rate,
)
from service.features import FEATURE_NAMES
from service.meta import PER_USD, VideoMeta
from training.outcomes import OutcomeRow

HOLDOUT = 0.25
BASELINE_FEATURES = (*META_FEATURES, "language", "duration_s")


@dataclass(frozen=True)
class LabelledVideo:
    """One manifest row with its features."""

    row: OutcomeRow
    features: dict[str, float]
    group: str


@dataclass(frozen=True)
class Figures:
    """Held-out quality of one model."""

    spearman_cvr: float
    r2_cvr: float
    coverage_cvr: float | None
    spearman_gpm: float | None
    r2_gpm: float | None
    coverage_gpm: float | None


@dataclass(frozen=True)
class ConversionResult:
    """What a retraining run did and measured."""

    n_rows: int
    n_used: int
    failures: list[tuple[str, str]]  # (video, reason)
    n_train: int
    n_test: int
    new: Figures
    baseline: Figures
    served: Figures | None
    served_tag: str | None
    tag: str | None
    promoted: bool
    seconds: float

    def summary(self) -> str:
        """The figures, as the command prints them."""

        def line(name: str, f: Figures | None) -> str:
            if f is None:
                return f"  {name:28s} -"
            g = "" if f.spearman_gpm is None else (
                f"  GPM: Spearman {f.spearman_gpm:.3f}, R^2 {f.r2_gpm:.3f}"
                + ("" if f.coverage_gpm is None else f", coverage {f.coverage_gpm:.2f}")
            )  # fmt: skip
            cov = "" if f.coverage_cvr is None else f", coverage {f.coverage_cvr:.2f}"
            return f"  {name:28s} CVR: Spearman {f.spearman_cvr:.3f}, R^2 {f.r2_cvr:.3f}{cov}{g}"

        out = [
            f"{self.n_used} of {self.n_rows} rows used; {len(self.failures)} failed",
            *(f"  skipped {v}: {why}" for v, why in self.failures[:20]),
            f"held-out split by creator / product: {self.n_train} train, {self.n_test} test rows",
            line("new model", self.new),
            line("views + metadata baseline", self.baseline),
            line(f"served ({self.served_tag or 'none'})", self.served),
            f"registered: {self.tag}" + (" (promoted: now served)" if self.promoted else ""),
            f"time: {self.seconds:.0f} s",
        ]
        return "\n".join(out)


def meta_of(row: OutcomeRow, with_views: bool = True) -> VideoMeta:
    """The metadata a manifest row gives."""
    return VideoMeta(
        product_name=row.product_name,
        category=row.category,
        price=row.price,
        currency=row.currency,
        views=row.views if with_views else None,
        creator_id=row.creator_id,
        creator_followers=row.creator_followers,
        creator_cvr=row.creator_cvr,
    )


def label_videos(
    rows: list[OutcomeRow],
    scorers: Any,
    workers: int = 2,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] = print,
) -> tuple[list[LabelledVideo], list[tuple[str, str]]]:
    """Features of every row (extracting video evidence in parallel, cached)."""
    from service.pipeline import score_and_featurise
    from service.scoring.video import script_evidence
    from training.evidence_cache import Job, extract_many

    jobs = [Job(str(i), r.video, r.language) for i, r in enumerate(rows) if r.video is not None]
    t0 = time.perf_counter()
    bar = _Bar(len(jobs), progress)
    outcomes = {o.key: o for o in extract_many(jobs, workers, cache_dir, bar.step)}
    bar.close(time.perf_counter() - t0)
    done, failures = [], []
    for i, r in enumerate(rows):
        if r.video is not None:
            o = outcomes[str(i)]
            if o.evidence is None:
                failures.append((str(r.video), o.error or "unknown error"))
                continue
            evidence = o.evidence
        else:
            evidence = script_evidence(r.transcript or "", r.language)
        _, features = score_and_featurise(evidence, meta_of(r), scorers.heads)
        group = r.creator_id or r.product_id or str(r.video or i)
        done.append(LabelledVideo(r, features, group))
    return done, failures


class _Bar:
    """A progress line: count, rate, ETA (tqdm when on a terminal)."""

    def __init__(self, total: int, progress: Callable[[str], None]) -> None:
        self.total, self.progress, self.t0 = total, progress, time.perf_counter()
        self.cached = self.failed = 0

    def step(self, o: Any, done: int, total: int) -> None:  # noqa: ANN401 - evidence Outcome
        self.cached += o.cached
        self.failed += o.error is not None
        el = time.perf_counter() - self.t0
        fresh = max(1, done - self.cached)
        eta = (total - done) * el / fresh
        if done == total or done % max(1, total // 20) == 0:
            self.progress(
                f"evidence {done}/{total} ({self.cached} cached, {self.failed} failed), "
                f"{fresh / max(el, 1e-6) * 60:.1f} videos/min, ETA {eta:.0f} s"
            )

    def close(self, seconds: float) -> None:
        self.progress(f"evidence of {self.total} videos in {seconds:.0f} s")


def training_rows(videos: list[LabelledVideo]) -> TrainingRows:
    """Feature matrix and outcomes of labelled videos."""
    x = np.array([[v.features[n] for n in FEATURE_NAMES] for v in videos], float)
    gmv = np.array(
        [
            math.nan
            if v.row.gmv is None or PER_USD.get((v.row.currency or "USD").upper()) is None
            else v.row.gmv / PER_USD[(v.row.currency or "USD").upper()]
            for v in videos
        ]
    )
    return TrainingRows(
        x=x,
        views=np.array([v.row.views for v in videos], float),
        orders=np.array([v.row.orders for v in videos], float),
        gmv_usd=gmv,
        groups=np.array([v.group for v in videos]),
    )


def holdout_split(groups: np.ndarray, share: float = HOLDOUT, seed: int = 0) -> np.ndarray:
    """Boolean mask of held-out rows: whole groups, about ``share`` of them."""
    from sklearn.model_selection import GroupShuffleSplit

    split = GroupShuffleSplit(n_splits=1, test_size=share, random_state=seed)
    _, test = next(split.split(groups, groups=groups))
    mask = np.zeros(len(groups), bool)
    mask[test] = True
    return mask


def subset(rows: TrainingRows, mask: np.ndarray) -> TrainingRows:
    """The rows where ``mask`` is true."""
    return TrainingRows(*(getattr(rows, f)[mask] for f in TrainingRows.__dataclass_fields__))


def evaluate(model: ConversionModel, test: TrainingRows) -> Figures:
    """Held-out figures of ``model``: ranking and fit of ln CVR / ln GPM, coverage."""
    from scipy.stats import spearmanr
    from sklearn.metrics import r2_score

    preds = model.predict(test.x)
    realised = test.orders / test.views
    y = smoothed_log_rate(test.orders, test.views, model.cvr.pooled)
    p_log = np.log([p.cvr for p in preds])
    lo = np.log([p.cvr_low for p in preds])
    hi = np.log([p.cvr_high for p in preds])
    fig = {
        "spearman_cvr": float(spearmanr(p_log, realised).statistic),
        "r2_cvr": float(r2_score(y, p_log, sample_weight=test.views / (test.views + 200))),
        "coverage_cvr": float(np.mean((y >= lo) & (y <= hi))),
        "spearman_gpm": None,
        "r2_gpm": None,
        "coverage_gpm": None,
    }
    has = ~np.isnan(test.gmv_usd)
    if model.gpm is not None and has.sum() >= 5:
        g = smoothed_log_rate(test.gmv_usd[has], test.views[has], model.gpm.pooled) + math.log(1000)
        gp = np.log([p.gpm for p, h in zip(preds, has, strict=True) if h])
        glo = np.log([p.gpm_low for p, h in zip(preds, has, strict=True) if h])
        ghi = np.log([p.gpm_high for p, h in zip(preds, has, strict=True) if h])
        fig["spearman_gpm"] = float(spearmanr(gp, test.gmv_usd[has] / test.views[has]).statistic)
        fig["r2_gpm"] = float(r2_score(g, gp))
        fig["coverage_gpm"] = float(np.mean((g >= glo) & (g <= ghi)))
    return Figures(**fig)


def baseline_rows(rows: TrainingRows) -> TrainingRows:
    """The same rows with every content feature unknown: views and metadata only."""
    return without(rows, tuple(n for n in FEATURE_NAMES if n not in BASELINE_FEATURES))


def without(rows: TrainingRows, names: tuple[str, ...]) -> TrainingRows:
    """The same rows with the features ``names`` unknown (what a seller may not have)."""
    x = rows.x.copy()
    x[:, [FEATURE_NAMES.index(n) for n in names]] = np.nan
    return TrainingRows(x, rows.views, rows.orders, rows.gmv_usd, rows.groups)


def fit_and_compare(
    rows: TrainingRows,
    served: ConversionModel | None,
    seed: int = 0,
    refit: bool = False,
    test_mask: np.ndarray | None = None,
) -> tuple[ConversionModel, Figures, Figures, Figures | None, np.ndarray]:
    """Fit on the training groups; evaluate new, baseline and served models on the rest.

    With ``refit`` the returned model is then refitted on every row (the held-out groups
    included): the figures are those of the same procedure on groups it did not see, and
    the model learns from all the outcomes there are (a quarter more data; for the default
    model this raised test-split Spearman from about 0.28 to 0.35). ``train --outcomes``
    does not refit: a later run compares the served model with a new one on held-out rows,
    which the served model must not have been fitted on. ``test_mask`` gives the held-out
    rows instead of a split by ``rows.groups``.
    """
    if test_mask is None:
        test_mask = holdout_split(rows.groups, seed=seed)
    train, test = subset(rows, ~test_mask), subset(rows, test_mask)
    model = ConversionModel.fit(train, seed=seed)
    base = ConversionModel.fit(baseline_rows(train), seed=seed)
    served_fig = evaluate(served, test) if served is not None else None
    figures = evaluate(model, test), evaluate(base, baseline_rows(test))
    if refit:
        model = ConversionModel.fit(rows, seed=seed)
    return model, *figures, served_fig, test_mask


def train_from_outcomes(
    manifest: str | Path,
    workers: int = 2,
    promote: bool = False,
    cache_dir: Path | None = None,
    seed: int = 0,
    progress: Callable[[str], None] = print,
) -> ConversionResult:
    """``sellscope train --outcomes MANIFEST``: features, fit, held-out comparison, register.

    Raises:
        ManifestError: the manifest has problems (every one listed with row and column).
        InputError: too few usable rows to fit and evaluate a model.
    """
    from models.conversion import register_conversion
    from models.store import get_served, set_served
    from service.errors import InputError
    from service.pipeline import Scorers
    from training.outcomes import load_manifest

    t0 = time.perf_counter()
    rows = load_manifest(manifest, check_files=False)
    scorers = Scorers.from_store()
    videos, failures = label_videos(rows, scorers, workers, cache_dir, progress)
    if len(videos) < 40:
        raise InputError(
            f"{len(videos)} usable rows ({len(failures)} failed); at least 40 labelled videos "
            "are needed to fit and evaluate a conversion model"
        )
    data = training_rows(videos)
    served_tag = get_served("sellscope-conversion")
    model, new, base, served_fig, test_mask = fit_and_compare(data, scorers.conversion, seed)
    promoted = promote and (served_fig is None or new.spearman_cvr >= served_fig.spearman_cvr)
    card = {
        "kind": "conversion",
        "trained_on": str(manifest),
        "rows": len(videos),
        "failed_rows": len(failures),
        "heads": scorers.heads.tag,
        "held_out": "groups (creator or product) held out: "
        f"{int(test_mask.sum())} of {len(videos)} rows",
        "metrics_held_out": asdict(new),
        "baseline_views_metadata_held_out": asdict(base),
        "served_model_held_out": None if served_fig is None else asdict(served_fig),
        "served_model": served_tag,
        "nominal_coverage": model.nominal,
        "created_by": "sellscope train --outcomes",
    }
    tag = register_conversion(model, card)
    if promoted:
        set_served("sellscope-conversion", tag)
    return ConversionResult(
        n_rows=len(rows),
        n_used=len(videos),
        failures=failures,
        n_train=int((~test_mask).sum()),
        n_test=int(test_mask.sum()),
        new=new,
        baseline=base,
        served=served_fig,
        served_tag=served_tag,
        tag=tag,
        promoted=promoted,
        seconds=time.perf_counter() - t0,
    )


def write_card(result: ConversionResult, path: Path) -> None:
    """The run's figures as JSON (for CI logs and reviews)."""
    path.write_text(json.dumps(asdict(result), indent=1, default=str))
