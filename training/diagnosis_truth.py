"""What each diagnosis reason's fix is worth on a synthetic video: the oracle for reasons.

The diagnosis (``service.diagnosis``) estimates a reason's effect with the fitted conversion
model. On a synthetic video the truth is known: make the same fix in the video's
ground-truth content features, where the flaw is there in truth, and ask the outcome model
(``training.synth_outcome``) how much the true conversion rate rises. A reason is *real* on
that video when its true effect reaches the diagnosis's own bar (``MIN_EFFECT``), and
*invented* when it does not.

Judging reasons by planted flaws alone calls real advice invented: a video planned without
a flaw can still show one selling point in four on screen, or have no proof, and the
simulation pays for fixing either. Codes the simulation has no term for (text in the hook,
motion, vague claims, pacing, no speech) are never real here; in real shops they may be.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from service import diagnosis as d
from training.synth import ScriptLine, SellingPointTruth, content_features
from training.synth_outcome import ContentFeatures, content_quality

Fix = Callable[[ContentFeatures], ContentFeatures]
Applies = Callable[[ContentFeatures], bool]


# Each reason code in ground-truth terms: whether the flaw is there (the diagnosis's own
# condition, on the truth) and its fix, as ``service.diagnosis`` repairs the model's
# features (same targets: the product by 1 s, three roles with proof and two thirds shown,
# a CTA with a third of the persuasion selling, ...). None: the simulation has no term.
TRUTH_FIXES: dict[str, tuple[Applies, Fix] | None] = {
    "weak_hook": (lambda f: not f.hook_strong, lambda f: replace(f, hook_strong=True)),
    "no_text_in_hook": None,
    "static_opening": None,
    "product_too_late": (
        lambda f: f.product_first_shown_s > d.PRODUCT_LATE_S,
        lambda f: replace(f, product_first_shown_s=d.PRODUCT_FIXED_S),
    ),
    "no_clear_selling_point": (
        lambda f: not f.roles,
        lambda f: replace(
            f, roles=frozenset({"feature", "benefit", "evidence"}), shown_share=d.SHOWN_FIXED
        ),
    ),
    "selling_point_not_shown": (
        lambda f: bool(f.roles) and f.shown_share < d.FEW_SHOWN,
        lambda f: replace(f, shown_share=1.0),
    ),
    "no_proof": (
        lambda f: bool(f.roles) and "evidence" not in f.roles,
        lambda f: replace(f, roles=f.roles | {"evidence"}),
    ),
    "vague_selling_points": None,
    "all_seed_no_cta": (
        lambda f: not f.cta and (f.sell_share is None or f.sell_share < d.SOME_SELL),
        lambda f: replace(f, cta=True, sell_share=d.SELL_WITH_CTA),
    ),
    # "no call to action" is true of every video without one (the diagnosis names it
    # instead of all_seed_no_cta when it hears some selling)
    "no_cta": (lambda f: not f.cta, lambda f: replace(f, cta=True)),
    "hard_sell_too_early": (
        lambda f: f.hard_sell_too_early,
        lambda f: replace(f, hard_sell_too_early=False),
    ),
    "too_much_sell": (
        lambda f: f.sell_share is not None and f.sell_share > d.MOSTLY_SELL,
        lambda f: replace(f, sell_share=d.SELL_FIXED),
    ),
    "dead_air": (lambda f: f.dead_air_spans > 0, lambda f: replace(f, dead_air_spans=0)),
    "no_speech": None,
    "slow_pacing": None,
}


def truth_features(truth: dict[str, Any]) -> ContentFeatures:
    """The outcome model's inputs, read back from a synthetic video's truth JSON."""
    return content_features(
        tuple(ScriptLine(**ln) for ln in truth["lines"]),
        tuple(SellingPointTruth(**sp) for sp in truth["selling_points"]),
        float(truth["product_first_shown_s"]),
        tuple((a, b) for a, b in truth["dead_air"]),
        truth["sell_share"],
    )


def true_effect(code: str, f: ContentFeatures) -> float:
    """Relative change of the true conversion rate if the reason ``code`` were fixed.

    0 where the flaw is not there, and for codes the simulation has no term for. The
    rate's clip to ``[CVR_MIN, CVR_MAX]`` is ignored (no synthetic video comes near it).

    Raises:
        KeyError: an unknown reason code.
    """
    entry = TRUTH_FIXES[code]
    if entry is None or not entry[0](f):
        return 0.0
    return math.exp(content_quality(entry[1](f)) - content_quality(f)) - 1.0


def true_effects(f: ContentFeatures) -> dict[str, float]:
    """Every reason code's true effect on this video."""
    return {code: true_effect(code, f) for code in TRUTH_FIXES}
