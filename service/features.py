"""Conversion features of one video: its scores, evidence and metadata as named numbers.

Unknown values are NaN, never 0: the conversion model (gradient-boosted trees) sends a
missing value down its own branch, so "price unknown" is not read as "price 0". Each
feature has a plain-language label (the report's contribution table uses it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.domain import CATEGORIES, LANGUAGES
from service.evidence.types import VideoEvidence
from service.meta import VideoMeta, log_or_nan
from service.scoring.video import VideoScores

NAN = math.nan


@dataclass(frozen=True)
class Feature:
    """A conversion feature: its name, what it means, its kind and its known direction.

    ``direction`` is what the domain says of its effect on conversion, all else equal:
    +1 more is never worse (a stronger hook, proof on screen, a call to action), -1 more is
    never better (a later product shot, dead air, a higher price), 0 unknown or not
    monotone (the seed / sell share, pacing, length). The conversion model is constrained
    to these directions, which keeps its shape functions sane on small data and makes the
    diagnosis's "what if fixed" point the right way.
    """

    name: str
    label: str
    direction: int = 0
    categorical: bool = False


# The selling-point clarity score is not a feature: it is a weighted sum of the sp_*
# features below, and as one more input it carried the effect of FABE coverage and of
# points shown on screen into every selling-point repair, so the diagnosis told good
# videos their claims were vague. The hook score stays: without it the model spread the
# hook's effect thinly and named half as many weak hooks (bench_conversion, test split).
FEATURES: tuple[Feature, ...] = (
    Feature("hook_score", "hook score (0-100)", 1),
    Feature("hook_said_strength", "strength of the opening line", 1),
    Feature("hook_caption", "text on screen in the first 3 s", 1),
    Feature("hook_motion", "a cut or motion in the first 2 s", 1),
    Feature("hook_face", "a face in the first 3 s", 1),
    Feature("sp_points", "number of selling points", 1),
    Feature("sp_roles", "FABE roles covered", 1),
    Feature("sp_evidence", "proof shown or said (FABE evidence)", 1),
    Feature("sp_shown_share", "share of selling points also on screen", 1),
    Feature("sp_specific_share", "share of selling points with numbers or units", 1),
    Feature("sp_first_s", "time of the first selling point", -1),
    Feature("sell_share", "hard-sell share of seed + sell"),
    Feature("sell_turn_s", "time of the first hard-sell line"),
    Feature("sell_too_early", "hard sell right after the hook", -1),
    Feature("cta", "a call to action", 1),
    Feature("cta_position", "where the call to action comes (share of the video)"),
    Feature("product_shown_s", "time the product is first shown", -1),
    Feature("product_named_s", "time the product is first named", -1),
    Feature("words_per_second", "speech rate"),
    Feature("dead_air_share", "share of the video without speech", -1),
    Feature("longest_dead_air_s", "longest silence", -1),
    Feature("cuts_per_10s", "cuts per 10 s"),
    Feature("face_share", "share of frames with a face"),
    Feature("captions_per_10s", "on-screen text lines per 10 s"),
    Feature("duration_s", "video length"),
    Feature("has_speech", "speech in the video", 1),
    Feature("log_views", "views (log)"),
    Feature("log_price_usd", "price (log, USD)", -1),
    Feature("log_followers", "creator followers (log)"),
    Feature("creator_cvr", "the creator's recent conversion rate", 1),
    Feature("category", "product category", categorical=True),
    Feature("language", "language", categorical=True),
)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
# Raised when a feature's meaning changes, so models fitted on the old meaning are refitted.
# 2: sp_score dropped; sell_too_early: the first line after the hook that carries
# anything is a hard sell, not a selling point (was: a sell before 5 s, hook included).
# 3: cta_position is where the last call to action comes (was: the first).
# 4: creator_cvr (the creator's recent conversion rate) added.
# 5: sell_share leaves out the hook and the selling points (seed_sell.balance_lines).
FEATURES_VERSION = 5
LABELS = {f.name: f.label for f in FEATURES}
# Features a creator changes by re-editing or re-shooting the video (the diagnosis moves
# these); the rest describe the offer and the audience.
CONTENT_FEATURES = FEATURE_NAMES[: FEATURE_NAMES.index("log_views")]
# What a script (no video) cannot tell: unknown, not "absent".
VISUAL_FEATURES = (
    "hook_caption", "hook_motion", "hook_face", "product_shown_s", "dead_air_share",
    "longest_dead_air_s", "cuts_per_10s", "face_share", "captions_per_10s",
)  # fmt: skip


def _code(value: str | None, known: tuple[str, ...]) -> float:
    return float(known.index(value)) if value in known else NAN


def _nan(x: float | None) -> float:
    return NAN if x is None else float(x)


def conversion_features(
    scores: VideoScores, evidence: VideoEvidence, meta: VideoMeta | None = None
) -> dict[str, float]:
    """The video's features by name (NaN where unknown), in ``FEATURE_NAMES`` order."""
    meta = meta or VideoMeta()
    h, sp, ss, pr = scores.hook, scores.selling_points, scores.seed_sell, scores.product
    duration = max(evidence.media.duration_s, 1e-6)
    per10 = 10.0 / duration
    faces = evidence.faces
    has_speech = bool(evidence.transcript.segments)
    persuasion = ss.seed_share + ss.sell_share > 0
    f = {
        "hook_score": h.score,
        "hook_said_strength": h.said_strength,
        "hook_caption": float(h.caption_in_window is not None),
        "hook_motion": float(h.cut_or_motion_early),
        "hook_face": float(h.face_early),
        "sp_points": float(len(sp.points)),
        "sp_roles": float(len(sp.roles_covered)),
        "sp_evidence": float("evidence" in sp.roles_covered),
        "sp_shown_share": sp.shown_share if sp.points else NAN,
        "sp_specific_share": sp.specific_share if sp.points else NAN,
        "sp_first_s": _nan(sp.first_time_s),
        "sell_share": ss.sell_share if persuasion else NAN,
        "sell_turn_s": _nan(ss.sell_turn_s),
        "sell_too_early": float(ss.sell_too_early),
        "cta": float(ss.cta_time_s is not None),
        "cta_position": NAN if ss.cta_time_s is None else ss.cta_time_s / duration,
        "product_shown_s": _nan(pr.first_shown_s),
        "product_named_s": _nan(pr.first_named_s),
        "words_per_second": evidence.pacing.words_per_second if has_speech else NAN,
        "dead_air_share": evidence.pacing.dead_air_share,
        "longest_dead_air_s": evidence.pacing.longest_dead_air_s,
        "cuts_per_10s": evidence.pacing.cuts_per_10s,
        "face_share": (sum(x.count > 0 for x in faces) / len(faces)) if faces else NAN,
        "captions_per_10s": len(evidence.captions) * per10,
        "duration_s": evidence.media.duration_s,
        "has_speech": float(has_speech),
        "log_views": log_or_nan(meta.views),
        "log_price_usd": log_or_nan(meta.price_usd),
        "log_followers": log_or_nan(meta.creator_followers),
        "creator_cvr": _nan(meta.creator_cvr),
        "category": _code(meta.category, CATEGORIES),
        "language": _code(evidence.transcript.language, LANGUAGES),
    }
    if evidence.media.container == "script":
        f.update(dict.fromkeys(VISUAL_FEATURES, NAN))
    return {name: float(f[name]) for name in FEATURE_NAMES}
