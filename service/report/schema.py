"""The report: one JSON document per scored video (or script), with a versioned schema.

Pydantic models, since the report is what crosses the HTTP edge; the JSON Schema is
exported to ``service/report/report.schema.json`` (``python -m service.report.schema``)
and a test keeps the two in step. Times are seconds from the start of the video; quotes
are in the video's own language; shares are 0-1, scores 0-100.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

# 1.1: meta.creator_cvr (the creator's recent conversion rate) added.
# 1.2: scores.lines[].heard (a spoken line read from the subtitle that shows it).
REPORT_SCHEMA_VERSION = "1.2"
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VideoFacts(_Model):
    """The file (or the script) that was scored."""

    source: str = Field(description="'video' or 'script'")
    file_name: str | None
    duration_s: float
    width: int
    height: int
    fps: float
    has_audio: bool
    size_bytes: int
    language: str | None
    language_source: str = Field(description="given, detected or none")


class Meta(_Model):
    """What the seller told us besides the file (all optional)."""

    product_name: str | None = None
    category: str | None = None
    price: float | None = None
    currency: str | None = None
    views: int | None = None
    creator_id: str | None = None
    creator_followers: int | None = None
    creator_cvr: float | None = None  # the creator's recent orders / views


class TimedText(_Model):
    text: str
    start_s: float
    end_s: float


class EvidenceSummary(_Model):
    """What the extraction found, in short."""

    transcript: list[TimedText]
    captions: list[TimedText]
    cuts_s: list[float]
    face_share: float | None = Field(description="share of analysis frames with a face")
    words_per_second: float
    dead_air_share: float
    longest_dead_air_s: float
    cuts_per_10s: float
    mean_shot_s: float


class HookReport(_Model):
    score: float
    band: str = Field(description="good (>= 70), fair (50-70) or poor (< 50)")
    hook_type: str | None
    quote: str | None
    window_s: tuple[float, float]
    said_strength: float = Field(description="calibrated P(strong hook) of the opening line")
    caption_in_window: str | None
    cut_or_motion_early: bool
    face_early: bool


class SellingPointReport(_Model):
    text: str
    role: str = Field(description="feature, advantage, benefit or evidence (FABE)")
    confidence: float
    start_s: float
    end_s: float
    source: str = Field(description="speech or caption")
    shown_on_screen: bool
    specific: bool


class SellingPointsReport(_Model):
    score: float
    band: str
    points: list[SellingPointReport]
    roles_covered: list[str]
    first_time_s: float | None
    shown_share: float
    specific_share: float


class CurveWindow(_Model):
    start_s: float
    end_s: float
    seed: float
    sell: float


class SeedSellReport(_Model):
    seed_share: float
    sell_share: float
    curve: list[CurveWindow]
    sell_turn_s: float | None
    sell_too_early: bool
    never_sells: bool
    cta_time_s: float | None
    cta_quote: str | None


class ProductReport(_Model):
    first_shown_s: float | None
    shown_evidence: str | None
    first_named_s: float | None
    named_quote: str | None
    named_by: str = Field(description="name, selling_point or none")


class LineReport(_Model):
    """One sentence said or shown, as the heads read it."""

    text: str
    start_s: float
    end_s: float
    source: str
    hook_strength: float
    hook_type: str
    fabe_role: str
    intent: str
    seed: float
    sell: float
    cta: float
    heard: str | None = Field(
        None,
        description="what the speech stage heard, when the text was read from the on-screen "
        "subtitle that shows this speech (None: the text is what was heard, or shown)",
    )


class Scores(_Model):
    hook: HookReport
    selling_points: SellingPointsReport
    seed_sell: SeedSellReport
    product: ProductReport
    lines: list[LineReport]


class Contribution(_Model):
    feature: str
    label: str
    value: float | None = Field(description="the feature's value in this video (None: unknown)")
    effect: float = Field(description="effect on ln(conversion rate) against the average video")


class PredictionReport(_Model):
    cvr: float = Field(description="predicted conversion rate, orders per view")
    cvr_interval: tuple[float, float]
    gpm: float | None = Field(description="predicted GMV per 1,000 views, USD")
    gpm_interval: tuple[float, float] | None
    interval_coverage: float = Field(description="nominal coverage of the intervals")
    base_cvr: float = Field(description="the model's prediction for an average video")
    contributions: list[Contribution] = Field(description="largest effects first")


class ReasonEvidenceReport(_Model):
    time_s: float | None
    end_s: float | None
    quote: str | None
    frame_time_s: float | None


class ReasonReport(_Model):
    code: str
    title: str
    severity: str = Field(description="high, medium or low")
    effect: float = Field(description="relative change of predicted conversion if fixed")
    evidence: ReasonEvidenceReport
    fix: str


class KeyFrameReport(_Model):
    time_s: float
    jpeg_b64: str


class Report(_Model):
    """Everything sellscope says about one video."""

    schema_version: str = REPORT_SCHEMA_VERSION
    generated_at: str
    sellscope_version: str
    video: VideoFacts
    meta: Meta
    evidence: EvidenceSummary
    scores: Scores
    prediction: PredictionReport | None = Field(
        description="None when no conversion model is in the store"
    )
    diagnosis: list[ReasonReport]
    key_frames: list[KeyFrameReport]
    models: dict[str, str] = Field(description="role -> model store tag of every model used")


def json_schema() -> dict:
    """The report's JSON Schema."""
    return Report.model_json_schema()


def main() -> int:
    """Write the JSON Schema next to this module."""
    SCHEMA_PATH.write_text(json.dumps(json_schema(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
