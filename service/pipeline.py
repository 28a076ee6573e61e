"""The one library call every face uses: a video (or a script) in, its report out."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from service.diagnosis import Reason, diagnose
from service.domain import language_code
from service.evidence.types import VideoEvidence
from service.extract import EvidenceModels, ExtractOptions, extract_evidence
from service.features import FEATURE_NAMES, conversion_features
from service.meta import VideoMeta
from service.report.schema import Report
from service.scoring.video import VideoScores, score_evidence, script_evidence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredVideo:
    """Everything the pipeline made of one video."""

    evidence: VideoEvidence
    scores: VideoScores
    meta: VideoMeta
    features: dict[str, float]
    prediction: Any | None  # models.conversion.Prediction; None without a conversion model
    diagnosis: tuple[Reason, ...]
    models: dict[str, str]  # role -> store tag

    def report(self) -> Report:
        """The report document (``service.report.schema.Report``)."""
        from service.report.build import build_report

        return build_report(
            self.evidence, self.scores, self.meta, self.features, self.prediction,
            self.diagnosis, self.models,
        )  # fmt: skip


@dataclass(frozen=True)
class Scorers:
    """The loaded text and conversion models (the conversion model may be absent)."""

    heads: Any
    conversion: Any | None
    conversion_tag: str | None

    @property
    def tags(self) -> dict[str, str]:
        """role -> store tag of these models (``heads``, and ``conversion`` when loaded)."""
        tags = {"heads": self.heads.tag}
        if self.conversion_tag:
            tags["conversion"] = self.conversion_tag
        return tags

    @classmethod
    def from_store(cls, heads: str = "latest", conversion: str = "served") -> Scorers:
        """Load from the model store; a missing conversion model leaves predictions out."""
        from models.heads import load_scorer
        from service.errors import ModelMissingError

        scorer = load_scorer(heads)
        try:
            from models.conversion import load_conversion

            model, tag = load_conversion(conversion)
        except ModelMissingError as e:
            log.warning("no conversion prediction: %s", e)
            model, tag = None, None
        return cls(scorer, model, tag)


@cache
def default_scorers() -> Scorers:
    """The store's latest models, loaded once per process."""
    return Scorers.from_store()


def score_and_featurise(
    evidence: VideoEvidence, meta: VideoMeta, heads: Any
) -> tuple[VideoScores, dict[str, float]]:
    """The video-level scores and the conversion features (what training needs)."""
    scores = score_evidence(evidence, heads, meta.product_name)
    return scores, conversion_features(scores, evidence, meta)


def analyse(
    evidence: VideoEvidence, meta: VideoMeta | None = None, scorers: Scorers | None = None
) -> ScoredVideo:
    """Score evidence, predict conversion and diagnose (everything after extraction)."""
    meta = meta or VideoMeta()
    scorers = scorers or default_scorers()
    scores, features = score_and_featurise(evidence, meta, scorers.heads)
    prediction, reasons = None, ()
    if scorers.conversion is not None:
        row = np.array([[features[n] for n in FEATURE_NAMES]])
        prediction = scorers.conversion.predict(row)[0]
        reasons = diagnose(features, scores, evidence, scorers.conversion.predict_log)
    models = {**evidence.models, **scorers.tags}
    return ScoredVideo(evidence, scores, meta, features, prediction, reasons, models)


def score_video(
    path: str | Path,
    language: str | None = None,
    meta: VideoMeta | None = None,
    models: EvidenceModels | None = None,
    scorers: Scorers | None = None,
    options: ExtractOptions | None = None,
) -> ScoredVideo:
    """Extract a video's evidence, score it, predict its conversion and diagnose it.

    Args:
        path: the video file.
        language: ISO 639-1 code of the speech, when known (detected otherwise).
        meta: what the seller knows (product name, price, views ...), all optional.
        models: loaded evidence models (from the store when omitted).
        scorers: loaded heads and conversion model (the store's latest when omitted).
        options: extraction options (``ExtractOptions.from_env()`` when omitted).

    Returns:
        The analysis; ``.report()`` gives the report document.
    """
    evidence = extract_evidence(path, language=language, models=models, options=options)
    return analyse(evidence, meta, scorers)


def score_script(
    text: str,
    language: str | None = None,
    meta: VideoMeta | None = None,
    scorers: Scorers | None = None,
) -> ScoredVideo:
    """Score a script or transcript before filming (the hook: what is said in its first 3 s)."""
    from service.errors import InputError

    if not text.strip():
        raise InputError("the script is empty; give the text, or a file that holds it")
    if not re.search(r"\w", text):  # emoji or punctuation alone: nothing a head can read
        raise InputError(
            f"the script has no words ({text.strip()[:40]!r}); give what is said in the video"
        )
    return analyse(script_evidence(text, language_code(language)), meta, scorers)
