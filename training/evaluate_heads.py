"""Held-out quality of the sentence scorer: seed test split, Upworthy pairs, clickbait.

Every figure here comes from data the model was not trained or tuned on: the seed
corpus's test split, Upworthy A/B tests whose test id hashes to the test split, and the
clickbait test split. The dev split is used only to fit the temperatures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from models.heads import TASK_LABELS
from training.hook_data import upworthy_pairs

SEED_EVAL_TASKS = ("hook_strength", "hook_type", "fabe_role", "intent", "cta")


def macro_f1(y: np.ndarray, p: np.ndarray, n_labels: int) -> float:
    """Macro-averaged F1 over the labels present in ``y`` or ``p``."""
    f1s = []
    for k in range(n_labels):
        tp = int(((p == k) & (y == k)).sum())
        fp = int(((p == k) & (y != k)).sum())
        fn = int(((p != k) & (y == k)).sum())
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def confusion(y: np.ndarray, p: np.ndarray, n_labels: int) -> np.ndarray:
    """Rows: truth; columns: prediction."""
    m = np.zeros((n_labels, n_labels), int)
    for a, b in zip(y, p, strict=True):
        m[a, b] += 1
    return m


@dataclass(frozen=True)
class SeedReport:
    """Macro-F1 per task overall and per language, and confusion matrices (seed test split)."""

    overall: dict[str, float]
    per_language: dict[str, dict[str, float]]
    confusion: dict[str, list[list[int]]]
    n: dict[str, int]


def seed_report(examples: list, logits: dict[str, np.ndarray]) -> SeedReport:
    """Score predictions on seed-corpus examples (``training.train_heads.Example``)."""
    overall, per_lang, conf, counts = {}, defaultdict(dict), {}, {}
    for task in SEED_EVAL_TASKS:
        idx = [i for i, e in enumerate(examples) if task in e.labels]
        if not idx:
            continue
        n_labels = len(TASK_LABELS[task])
        y = np.array([examples[i].labels[task] for i in idx])
        p = logits[task][idx].argmax(axis=1)
        overall[task] = macro_f1(y, p, n_labels)
        conf[task] = confusion(y, p, n_labels).tolist()
        counts[task] = len(idx)
        langs = np.array([examples[i].lang for i in idx])
        for lang in sorted(set(langs)):
            m = langs == lang
            per_lang[lang][task] = macro_f1(y[m], p[m], n_labels)
    return SeedReport(overall, dict(per_lang), conf, counts)


def hook_score(logits: dict[str, np.ndarray]) -> np.ndarray:
    """The hook-strength score: log-odds of strong vs weak."""
    z = logits["hook_strength"]
    return z[:, 1] - z[:, 0]


@dataclass(frozen=True)
class PairReport:
    """Which-headline-earned-more-clicks accuracy on held-out Upworthy tests."""

    n_pairs: int
    n_tests: int
    accuracy: float
    ci: tuple[float, float]
    baseline_accuracy: float
    baseline_ci: tuple[float, float]


def _cluster_bootstrap(
    correct: np.ndarray, clusters: np.ndarray, n: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% interval of the mean, resampling whole A/B tests (their pairs are not independent)."""
    from training.bootstrap import cluster_resamples

    stats = [correct[idx].mean() for idx in cluster_resamples(clusters, n, seed)]
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)


def tfidf_pair_baseline(train: list, test: list) -> np.ndarray:
    """TF-IDF logistic regression on ``tfidf(a) - tfidf(b)``, trained on the training tests.

    Returns, for each test pair, whether it ranks the better headline first.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    vec.fit([t for p in train for t in (p.a, p.b)])
    diff = vec.transform([p.a for p in train]) - vec.transform([p.b for p in train])
    from scipy.sparse import vstack

    x = vstack([diff, -diff])
    y = np.r_[np.ones(diff.shape[0]), np.zeros(diff.shape[0])]
    clf = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    d_test = vec.transform([p.a for p in test]) - vec.transform([p.b for p in test])
    return clf.decision_function(d_test) > 0


def pair_report(score_fn, seed: int = 0) -> PairReport:  # noqa: ANN001 - texts -> scores
    """Pair accuracy of ``score_fn`` and of the TF-IDF baseline on the Upworthy test split."""
    train, test = upworthy_pairs("train"), upworthy_pairs("test")
    texts = sorted({t for p in test for t in (p.a, p.b)})
    s = dict(zip(texts, score_fn(texts), strict=True))
    correct = np.array([s[p.a] > s[p.b] for p in test], float)
    clusters = np.array([p.test_id for p in test])
    base = tfidf_pair_baseline(train, test).astype(float)
    return PairReport(
        n_pairs=len(test),
        n_tests=len(set(clusters)),
        accuracy=float(correct.mean()),
        ci=_cluster_bootstrap(correct, clusters, seed=seed),
        baseline_accuracy=float(base.mean()),
        baseline_ci=_cluster_bootstrap(base, clusters, seed=seed),
    )


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties counted half)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def format_seed_report(
    r: SeedReport, title: str = "the seed test split", confusions: bool = True
) -> str:
    """Tables: macro-F1 per task x language, then (``confusions``) confusion matrices."""
    langs = sorted(r.per_language)
    tasks = [t for t in SEED_EVAL_TASKS if t in r.overall]
    lines = [
        f"macro-F1 on {title}",
        f"{'task':14s} {'all':>6s} " + " ".join(f"{lg:>6s}" for lg in langs),
    ]
    for t in tasks:
        lines.append(
            f"{t:14s} {r.overall[t]:6.3f} "
            + " ".join(f"{r.per_language[lg].get(t, float('nan')):6.3f}" for lg in langs)
        )
    for t in tasks if confusions else []:
        labels = TASK_LABELS[t]
        lines.append(f"\nconfusion {t} (rows truth, columns predicted; n={r.n[t]})")
        lines.append(" " * 18 + " ".join(f"{lb[:8]:>8s}" for lb in labels))
        for lb, row in zip(labels, r.confusion[t], strict=True):
            lines.append(f"{lb[:17]:17s} " + " ".join(f"{v:8d}" for v in row))
    return "\n".join(lines)


@dataclass(frozen=True)
class CalibrationReport:
    """Does P(strong hook) mean the same in every language? (seed test split)"""

    ece: dict[str, float]  # expected calibration error per language (and "all")
    mean_strong: dict[str, float]  # mean P(strong) of the truly strong openers
    mean_weak: dict[str, float]  # mean P(strong) of the truly weak openers


def calibration_report(
    examples: list, logits: dict[str, np.ndarray], temperature: float, bins: int = 10
) -> CalibrationReport:
    """Calibration of the hook-strength probability per language, after temperature scaling.

    The hook score is built on this probability, so the same 0-100 reading across
    languages needs the same calibration in each: a small ECE everywhere, and similar mean
    probabilities for strong and for weak openers.
    """
    idx = [i for i, e in enumerate(examples) if "hook_strength" in e.labels]
    z = logits["hook_strength"][idx] / temperature
    p = 1 / (1 + np.exp(-(z[:, 1] - z[:, 0])))
    y = np.array([examples[i].labels["hook_strength"] for i in idx])
    langs = np.array([examples[i].lang for i in idx])
    ece, strong, weak = {}, {}, {}
    for lang in ["all", *sorted(set(langs))]:
        m = np.ones(len(y), bool) if lang == "all" else langs == lang
        edges = np.minimum((p[m] * bins).astype(int), bins - 1)
        err = 0.0
        for b in range(bins):
            sel = edges == b
            if sel.any():
                err += sel.sum() / m.sum() * abs(p[m][sel].mean() - y[m][sel].mean())
        ece[lang] = float(err)
        strong[lang] = float(p[m][y[m] == 1].mean()) if (y[m] == 1).any() else float("nan")
        weak[lang] = float(p[m][y[m] == 0].mean()) if (y[m] == 0).any() else float("nan")
    return CalibrationReport(ece, strong, weak)


def format_calibration(c: CalibrationReport) -> str:
    """One line per language: ECE and mean P(strong) of strong / weak openers."""
    lines = ["hook-strength calibration on the seed test split (after temperature)"]
    lines.append(f"{'lang':6s} {'ECE':>6s} {'P|strong':>9s} {'P|weak':>7s}")
    for lang in c.ece:
        lines.append(
            f"{lang:6s} {c.ece[lang]:6.3f} {c.mean_strong[lang]:9.3f} {c.mean_weak[lang]:7.3f}"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class PointDetectionReport:
    """Selling point or not, over every line of the seed test split (any task).

    A line is found as a point as the video scorer finds it: FABE role not ``none`` with
    calibrated probability >= ``service.scoring.selling_points.MIN_CONFIDENCE``. The truth
    is a selling-point item with a role; the role must match too for a true positive.
    """

    precision: dict[str, float]  # per language and "all"
    recall: dict[str, float]
    false_points_by_kind: dict[str, int]  # lines of other kinds taken for points


def point_detection_report(
    items: list, logits: np.ndarray, temperature: float = 1.0
) -> PointDetectionReport:
    """``items``: seed corpus items (``training.seed_corpus``); ``logits``: FABE logits,
    before the head's ``temperature`` (the video scorer thresholds calibrated
    probabilities)."""
    from service.scoring.selling_points import MIN_CONFIDENCE

    roles = TASK_LABELS["fabe_role"]
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    pred = [roles[i] if roles[i] != "none" and p[k, i] >= MIN_CONFIDENCE else None
            for k, i in enumerate(p.argmax(axis=1))]  # fmt: skip
    truth = [it.labels["role"] if it.task == "selling_point" and it.labels["role"] != "none"
             else None for it in items]  # fmt: skip
    prec, rec, false_kinds = {}, {}, defaultdict(int)
    for lang in sorted({it.lang for it in items}) + ["all"]:
        idx = [k for k, it in enumerate(items) if lang in ("all", it.lang)]
        found = [k for k in idx if pred[k] is not None]
        true = [k for k in idx if truth[k] is not None]
        hits = sum(pred[k] == truth[k] for k in found)
        prec[lang] = hits / max(1, len(found))
        rec[lang] = hits / max(1, len(true))
    for k, it in enumerate(items):
        if pred[k] is not None and truth[k] is None:
            kind = it.task if it.task != "intent" else f"intent:{it.labels['intent']}"
            false_kinds[kind] += 1
    return PointDetectionReport(prec, rec, dict(false_kinds))


def format_point_detection(r: PointDetectionReport, title: str = "the seed test split") -> str:
    """The report as a small table (languages as columns)."""
    langs = list(r.precision)
    lines = [
        f"selling point or not, every line of {title} (role must match):",
        "            " + " ".join(f"{lg:>6}" for lg in langs),
        "  precision " + " ".join(f"{r.precision[lg]:6.3f}" for lg in langs),
        "  recall    " + " ".join(f"{r.recall[lg]:6.3f}" for lg in langs),
        "  lines of other kinds taken for points: "
        + (", ".join(f"{k} {v}" for k, v in sorted(r.false_points_by_kind.items())) or "none"),
    ]
    return "\n".join(lines)
