"""Assemble the report from what the pipeline stages produced."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from importlib import metadata

from models.conversion import Prediction
from service.diagnosis import Reason
from service.evidence.types import VideoEvidence
from service.features import LABELS
from service.meta import VideoMeta
from service.report.schema import (
    Contribution,
    EvidenceSummary,
    HookReport,
    KeyFrameReport,
    LineReport,
    Meta,
    PredictionReport,
    ProductReport,
    ReasonReport,
    Report,
    Scores,
    SeedSellReport,
    SellingPointsReport,
    TimedText,
    VideoFacts,
)
from service.scoring.video import VideoScores

TOP_CONTRIBUTIONS = 12


def band(score: float) -> str:
    """good (>= 70), fair (50-70), poor (< 50): the colour bands content teams read."""
    return "good" if score >= 70 else "fair" if score >= 50 else "poor"


def _version() -> str:
    try:
        return metadata.version("sellscope")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _timed(x: object) -> TimedText:
    return TimedText(text=x.text, start_s=x.start_s, end_s=x.end_s)


def _nan_none(x: float) -> float | None:
    return None if x != x else round(x, 4)


def build_report(
    evidence: VideoEvidence,
    scores: VideoScores,
    meta: VideoMeta,
    features: dict[str, float],
    prediction: Prediction | None,
    diagnosis: tuple[Reason, ...],
    models: dict[str, str],
) -> Report:
    """The report of one video (or script)."""
    m, t, p = evidence.media, evidence.transcript, evidence.pacing
    is_script = m.container == "script"
    faces = evidence.faces
    frames = evidence.keyframes
    s = scores
    pred = None
    if prediction is not None:
        contrib = sorted(prediction.contributions.items(), key=lambda kv: -abs(kv[1]))
        pred = PredictionReport(
            cvr=prediction.cvr,
            cvr_interval=(prediction.cvr_low, prediction.cvr_high),
            gpm=prediction.gpm,
            gpm_interval=None
            if prediction.gpm is None
            else (prediction.gpm_low, prediction.gpm_high),
            interval_coverage=prediction.nominal,
            base_cvr=prediction.base_cvr,
            contributions=[
                Contribution(
                    feature=k, label=LABELS[k], value=_nan_none(features[k]), effect=round(v, 4)
                )
                for k, v in contrib[:TOP_CONTRIBUTIONS]
                if abs(v) > 1e-6
            ],
        )
    return Report(
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        sellscope_version=_version(),
        video=VideoFacts(
            source="script" if is_script else "video",
            file_name=None if is_script else m.path.rsplit("/", 1)[-1],
            duration_s=m.duration_s,
            width=m.width,
            height=m.height,
            fps=m.fps,
            has_audio=m.has_audio,
            size_bytes=m.size_bytes,
            language=t.language,
            language_source=t.language_source,
        ),
        meta=Meta(**asdict(meta)),
        evidence=EvidenceSummary(
            transcript=[
                TimedText(text=x.text, start_s=x.start_s, end_s=x.end_s) for x in t.segments
            ],
            captions=[
                TimedText(text=c.text, start_s=c.start_s, end_s=c.end_s) for c in evidence.captions
            ],
            cuts_s=[c.time_s for c in evidence.cuts],
            face_share=(sum(f.count > 0 for f in faces) / len(faces)) if faces else None,
            words_per_second=p.words_per_second,
            dead_air_share=p.dead_air_share,
            longest_dead_air_s=p.longest_dead_air_s,
            cuts_per_10s=p.cuts_per_10s,
            mean_shot_s=p.mean_shot_s,
        ),
        scores=Scores(
            hook=HookReport(band=band(s.hook.score), **asdict(s.hook)),
            selling_points=SellingPointsReport(
                score=s.selling_points.score,
                band=band(s.selling_points.score),
                points=[asdict(x) for x in s.selling_points.points],
                roles_covered=list(s.selling_points.roles_covered),
                first_time_s=s.selling_points.first_time_s,
                shown_share=s.selling_points.shown_share,
                specific_share=s.selling_points.specific_share,
            ),
            seed_sell=SeedSellReport(**asdict(s.seed_sell)),
            product=ProductReport(**asdict(s.product)),
            lines=[
                LineReport(
                    text=ln.text,
                    start_s=ln.start_s,
                    end_s=ln.end_s,
                    source=ln.source,
                    hook_strength=round(ln.hook_strength, 3),
                    hook_type=ln.hook_type,
                    fabe_role=ln.fabe_role,
                    intent=ln.intent,
                    seed=round(ln.seed, 3),
                    sell=round(ln.sell, 3),
                    cta=round(ln.cta, 3),
                    heard=ln.heard,
                )  # fmt: skip
                for ln in s.lines
            ],
        ),
        prediction=pred,
        diagnosis=[ReasonReport(**asdict(r)) for r in diagnosis],
        key_frames=[KeyFrameReport(time_s=k.time_s, jpeg_b64=k.jpeg_b64) for k in frames],
        models=dict(models),
    )
