"""``sellscope train heads``: train, calibrate, evaluate on held-out data, register in the store."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from models.heads import register_heads
from training.evaluate_heads import (
    CalibrationReport,
    PairReport,
    PointDetectionReport,
    SeedReport,
    calibration_report,
    format_calibration,
    format_point_detection,
    format_seed_report,
    hook_score,
    pair_report,
    point_detection_report,
    roc_auc,
    seed_report,
)
from training.train_heads import (
    TrainConfig,
    TrainedHeads,
    clickbait_examples,
    data_fingerprint,
    fit_temperatures,
    headline_pairs,
    predict_logits,
    seed_examples,
    test_examples,
    train,
    with_heard,
)

HEARD_TITLE = "the seed test split as heard (spoken by espeak-ng, transcribed by the pipeline)"
# The quality bars of the heads (seed corpus test split, macro-F1 per task): a scorer below
# them is registered and served like any other, so the run says so loudly.
BAR_OVERALL = 0.85
BAR_PER_LANGUAGE = 0.75


def quality_shortfalls(report: SeedReport) -> list[str]:
    """Where a seed test-split report falls below the bars, one ``task where f1`` each.

    Args:
        report: the per-task macro-F1, overall and per language.

    Returns:
        e.g. ``["hook_type overall 0.849", "cta th 0.674"]``; empty when every task is at
        least ``BAR_OVERALL`` overall and ``BAR_PER_LANGUAGE`` in every language.
    """
    out = [f"{t} overall {f:.3f}" for t, f in report.overall.items() if f < BAR_OVERALL]
    for lang, per_task in sorted(report.per_language.items()):
        out += [f"{t} {lang} {f:.3f}" for t, f in per_task.items() if f < BAR_PER_LANGUAGE]
    return out


def bars_warning(shortfalls: list[str]) -> str:
    """The one WARNING line for heads below the bars (``quality_shortfalls``)."""
    return (
        f"WARNING: these heads miss the quality bars (macro-F1 >= {BAR_OVERALL} per task, "
        f">= {BAR_PER_LANGUAGE} in every language, seed test split): " + ", ".join(shortfalls)
    )


@dataclass(frozen=True)
class HeldOut:
    """A scorer's figures on the held-out splits (the ones ``train heads`` prints)."""

    seed: SeedReport
    pairs: PairReport
    clickbait_auc: float
    calibration: CalibrationReport
    points: PointDetectionReport
    heard: SeedReport | None = None  # the same test lines, as the speech stage transcribed them
    heard_points: PointDetectionReport | None = None

    def summary(self) -> str:
        """The figures as tables and lines of text."""
        p = self.pairs
        heard = (
            [
                format_seed_report(self.heard, HEARD_TITLE, confusions=False),
                "",
                format_point_detection(self.heard_points, HEARD_TITLE),
                "",
            ]
            if self.heard and self.heard_points
            else []
        )
        return "\n".join(
            [
                format_seed_report(self.seed),
                "",
                format_point_detection(self.points),
                "",
                *heard,
                format_calibration(self.calibration),
                "",
                f"Upworthy held-out tests: {p.n_pairs} significant pairs from {p.n_tests} tests",
                f"  pair accuracy, sellscope hook head : {p.accuracy:.3f} "
                f"(95% CI {p.ci[0]:.3f}-{p.ci[1]:.3f})",
                f"  pair accuracy, TF-IDF + logistic  : {p.baseline_accuracy:.3f} "
                f"(95% CI {p.baseline_ci[0]:.3f}-{p.baseline_ci[1]:.3f})",
                f"clickbait test split ROC-AUC: {self.clickbait_auc:.3f}",
            ]
        )


@dataclass(frozen=True)
class HeadsResult:
    """A trained and registered scorer with its held-out figures."""

    tag: str | None
    seconds: float
    held_out: HeldOut
    temperatures: dict[str, float]
    stopped_after_epoch: int | None = None  # the time budget ended training here
    planned_epochs: int | None = None
    budget_seconds: float | None = None

    def summary(self) -> str:
        """The figures, as printed by the command, and a warning when they miss the bars."""
        return "\n".join(
            [
                self.held_out.summary(),
                "temperatures (dev split): "
                + ", ".join(f"{k} {v:.2f}" for k, v in self.temperatures.items()),
                f"training time: {self.seconds:.0f} s",
                f"model: {self.tag or '(not registered)'}",
                *self.warning(),
            ]
        )

    def warning(self) -> list[str]:
        """What to tell the user when the scorer misses the quality bars (none if it meets them)."""
        short = quality_shortfalls(self.held_out.seed)
        if not short:
            return []
        why = (
            f"the {self.budget_seconds or 0:.0f} s budget stopped training after "
            f"{self.stopped_after_epoch} of {self.planned_epochs} epochs (a busy or slow "
            "machine); "
            if self.stopped_after_epoch is not None
            else ""
        )
        return [
            bars_warning(short),
            f"  {why}scores from them are less reliable. Train again on an idle machine "
            "(`sellscope train heads`); the newest version in the store is the one served.",
        ]


def train_default_heads(
    config: TrainConfig | None = None,
    register: bool = True,
    progress: Callable[[str], None] = print,
) -> HeadsResult:
    """Train the scorer on the seed corpus + real headline data and register it.

    Args:
        config: hyper-parameters (the defaults are the shipped model's).
        register: save the model as a new version of ``sellscope-heads`` in the store.
        progress: receives progress lines.
    """
    from transformers import AutoTokenizer, BertModel
    from transformers.utils import logging as hf_logging

    from models.base_import import E5
    from models.store import get_model

    config = config or TrainConfig()
    t0 = time.perf_counter()
    base = get_model(E5)
    hf_logging.set_verbosity_error()
    tokenizer = AutoTokenizer.from_pretrained(str(base.path))
    encoder = BertModel.from_pretrained(str(base.path), add_pooling_layer=False)

    heard_opts = {
        "heard": config.heard_share > 0,
        "heard_min_similarity": config.heard_min_similarity,
    }
    train_ex = seed_examples(
        "train", config.fabe_none_in_finetune, **heard_opts
    ) + clickbait_examples("train", config.clickbait_examples, config.seed)
    train_pairs = headline_pairs("train")
    dev_ex = seed_examples("dev") + clickbait_examples("dev", 1000, config.seed)
    progress(
        f"training on {len(train_ex)} labelled texts "
        f"({sum(e.source == 'seed' for e in train_ex)} from the seed corpus, "
        f"{sum(e.heard is not None for e in train_ex)} of them also as heard) "
        f"and {len(train_pairs)} Upworthy pairs"
    )
    refit_ex = seed_examples("train", **heard_opts)
    trained = train(
        encoder, tokenizer, train_ex, train_pairs, config, progress,
        # FABE "none" from the other tasks too; written and heard
        refit_examples=with_heard(refit_ex) if config.heard_share > 0 else refit_ex,
        started=t0,
    )  # fmt: skip
    t_eval = time.perf_counter()
    temps = fit_temperatures(trained, dev_ex)

    held = evaluate_held_out(trained, temps, config.seed)
    seconds = time.perf_counter() - t0
    progress(
        f"evaluated on the held-out splits in {time.perf_counter() - t_eval:.0f} s; "
        f"{seconds:.0f} s in all (budget {config.budget_seconds:.0f} s)"
    )

    tag = None
    if register:
        metrics = {
            "split": "test: seed corpus test split, Upworthy tests hashed to test, clickbait test",
            "seed_macro_f1": held.seed.overall,
            "seed_macro_f1_per_language": held.seed.per_language,
            "upworthy_pair_accuracy": held.pairs.accuracy,
            "upworthy_pair_accuracy_ci": list(held.pairs.ci),
            "upworthy_tfidf_baseline": held.pairs.baseline_accuracy,
            "clickbait_roc_auc": held.clickbait_auc,
            "hook_strength_ece_per_language": held.calibration.ece,
            "selling_point_precision": held.points.precision,
            "selling_point_recall": held.points.recall,
            "below_quality_bars": quality_shortfalls(held.seed),
        }
        if held.heard and held.heard_points:
            metrics |= {
                "heard_macro_f1": held.heard.overall,
                "heard_macro_f1_per_language": held.heard.per_language,
                "heard_selling_point_precision": held.heard_points.precision,
                "heard_selling_point_recall": held.heard_points.recall,
            }
        meta = {
            "kind": "fine-tuned",
            "base_model": base.tag,
            "config": asdict(config),
            "training_data_sha256": data_fingerprint(train_ex, train_pairs),
            "training_seconds": round(trained.seconds, 1),
            "history": trained.history,
            "temperatures": temps,
            "metrics": metrics,
        }
        tag = register_heads(trained.encoder, trained.heads, config.trainable_layers, meta)
    stop = next((h for h in trained.history if "stopped_after_epoch" in h), None)
    return HeadsResult(
        tag, seconds, held, temps,
        stopped_after_epoch=stop["stopped_after_epoch"] if stop else None,
        planned_epochs=config.epochs, budget_seconds=config.budget_seconds,
    )  # fmt: skip


def evaluate_held_out(trained: TrainedHeads, temperatures: dict[str, float], seed: int) -> HeldOut:
    """Seed test split (per task, selling points, as heard), Upworthy held-out pairs and
    the clickbait test split.

    Args:
        trained: the scorer.
        temperatures: each head's temperature (hook-strength calibration and selling-point
            detection read calibrated probabilities).
        seed: the training seed (the clickbait split is drawn with it).
    """
    import numpy as np

    # the per-task figures on each task's own items, as the corpus defines the tasks
    test_ex = test_examples()
    test_logits = predict_logits(trained, [e.text for e in test_ex])
    fabe_t = temperatures["fabe_role"]
    heard, heard_points = _heard_reports(trained, fabe_t)
    cb = clickbait_examples("test", None, seed)
    cb_logits = predict_logits(trained, [e.text for e in cb])["clickbait"]
    return HeldOut(
        seed=seed_report(test_ex, test_logits),
        pairs=pair_report(lambda texts: hook_score(predict_logits(trained, texts))),
        clickbait_auc=roc_auc(
            np.array([e.labels["clickbait"] for e in cb]), cb_logits[:, 1] - cb_logits[:, 0]
        ),
        calibration=calibration_report(test_ex, test_logits, temperatures["hook_strength"]),
        points=_points(test_logits, fabe_t),
        heard=heard,
        heard_points=heard_points,
    )


def evaluate_stored_heads(version: str = "latest") -> tuple[str, HeldOut]:
    """The held-out figures of a scorer in the store, measured again (``sellscope evaluate
    heads``): after a change to the evaluation or the thresholds it reads, such as
    :data:`service.scoring.selling_points.MIN_CONFIDENCE`, without training anew."""
    scorer, trained = _stored(version)
    seed = int(scorer.metadata.get("config", {}).get("seed", TrainConfig().seed))
    return scorer.tag, evaluate_held_out(trained, _temperatures(trained, scorer.labels), seed)


def _stored(version: str) -> tuple[Any, TrainedHeads]:
    """A stored scorer (``models.heads.SentenceScorer``) and the same model as training holds it."""
    from models.heads import load_scorer
    from training.train_heads import HiddenCache

    scorer = load_scorer(version)
    layers = int(scorer.metadata["trainable_layers"])
    frozen = scorer.encoder.config.num_hidden_layers - layers
    cache = HiddenCache(scorer.encoder, scorer.tokenizer, frozen)
    return scorer, TrainedHeads(scorer.encoder, scorer.heads, cache, layers)


def _temperatures(trained: TrainedHeads, labels: Iterable[str]) -> dict[str, float]:
    return dict(zip(labels, map(float, trained.heads.temperature.tolist()), strict=True))


def _points(test_logits: dict, fabe_temperature: float) -> PointDetectionReport:
    """Selling-point detection over every test-split line (``seed_examples`` keeps the
    corpus order, so its logits line up with the items)."""
    from training.seed_corpus import load_items

    items = [it for it in load_items() if it.split == "test"]
    return point_detection_report(items, test_logits["fabe_role"], fabe_temperature)


def _heard_reports(
    trained: TrainedHeads, fabe_temperature: float
) -> tuple[SeedReport | None, PointDetectionReport | None]:
    """The per-task and selling-point figures on the test lines' transcripts (None when
    ``datasets/asr/test.jsonl.gz`` is not there)."""
    from training.seed_corpus import load_items

    test_ex = test_examples(heard=True)
    if not any(e.heard for e in test_ex):
        return None, None
    items = [it for it in load_items() if it.split == "test"]
    kept = [(it, e.as_heard()) for it, e in zip(items, test_ex, strict=True) if e.heard]
    logits = predict_logits(trained, [h.text for _, h in kept])
    report = seed_report([h for _, h in kept], logits)
    points = point_detection_report([it for it, _ in kept], logits["fabe_role"], fabe_temperature)
    return report, points


def refit_stored_heads(
    version: str = "latest", config: TrainConfig | None = None, progress: Callable = print
) -> tuple[str, SeedReport]:
    """Apply the head refit (``TrainConfig.refit_tasks``) to a stored scorer; register it.

    For a scorer trained before the refit step existed: its encoder and other heads are
    kept as they are, so the new version differs only in the refitted heads. The seed
    test-split figures are measured again and stored with it.
    """
    from training.train_heads import class_weights, refit_head

    config = config or TrainConfig()
    scorer, trained = _stored(version)
    layers = trained.trainable_layers
    train_ex = seed_examples(
        "train", heard=config.heard_share > 0, heard_min_similarity=config.heard_min_similarity
    )
    train_ex = with_heard(train_ex) if config.heard_share > 0 else train_ex
    for task in config.refit_tasks:
        loss = refit_head(
            trained, task, train_ex, config.refit_steps, config.refit_lr,
            weight=class_weights(config).get(task),
        )  # fmt: skip
        progress(f"refit the {task} head of {scorer.tag}: loss {loss:.3f}")
    fit_temperatures(trained, seed_examples("dev"))  # tasks without dev items keep theirs
    temps = _temperatures(trained, scorer.labels)
    test_ex = test_examples()
    test_logits = predict_logits(trained, [e.text for e in test_ex])
    seed = seed_report(test_ex, test_logits)
    points = _points(test_logits, temps["fabe_role"])
    progress(format_seed_report(seed))
    progress(format_point_detection(points))
    meta = dict(scorer.metadata)
    meta["metrics"] = {
        **meta.get("metrics", {}),
        "seed_macro_f1": seed.overall,
        "seed_macro_f1_per_language": seed.per_language,
        "selling_point_precision": points.precision,
        "selling_point_recall": points.recall,
        "below_quality_bars": quality_shortfalls(seed),
    }
    meta["temperatures"] = temps
    meta["refit_of"] = scorer.tag
    meta["refit"] = {"tasks": list(config.refit_tasks), "steps": config.refit_steps}
    for key in ("labels", "trainable_layers"):
        meta.pop(key, None)
    tag = register_heads(trained.encoder, trained.heads, layers, meta)
    progress(f"model: {tag}")
    return tag, seed
