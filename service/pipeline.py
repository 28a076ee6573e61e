"""The one library call every face uses: a video (or a script) in, its scores out."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from service.evidence.types import VideoEvidence
from service.extract import EvidenceModels, ExtractOptions, extract_evidence
from service.scoring.video import VideoScores, score_evidence, script_evidence


@dataclass(frozen=True)
class ScoredVideo:
    """A video's evidence and its scores."""

    evidence: VideoEvidence
    scores: VideoScores

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {"evidence": self.evidence.to_dict(), "scores": asdict(self.scores)}

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text, characters of every language kept as they are."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def load_scorer(version: str = "latest") -> Any:
    """The sentence scorer from the model store (cached per process)."""
    from functools import cache

    from models.heads import load_scorer as _load

    @cache
    def _cached(v: str) -> Any:
        return _load(v)

    return _cached(version)


def score_video(
    path: str | Path,
    language: str | None = None,
    models: EvidenceModels | None = None,
    scorer: Any | None = None,
    options: ExtractOptions | None = None,
) -> ScoredVideo:
    """Extract a video's evidence and score it."""
    evidence = extract_evidence(path, language=language, models=models, options=options)
    return ScoredVideo(evidence, score_evidence(evidence, scorer or load_scorer()))


def score_script(text: str, language: str | None = None, scorer: Any | None = None) -> ScoredVideo:
    """Score a script or transcript before filming (the hook is its first sentence)."""
    from service.errors import InputError

    if not text.strip():
        raise InputError("the script is empty; give the text, or a file that holds it")
    evidence = script_evidence(text, language)
    return ScoredVideo(evidence, score_evidence(evidence, scorer or load_scorer()))
