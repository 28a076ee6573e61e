"""Where the conversion ranking loses to the oracle: the outcome terms as the pipeline saw them.

On a synthetic video the outcome model's inputs are known (``ContentFeatures`` from the
truth JSON). Each of them has a counterpart among the conversion model's features (the
hook head's strength of the opening, the CTA found, the FABE roles covered, ...). Putting
the pipeline's reading of one term in place of the truth, and everything else left true,
gives the rate a perfect model would predict if that term alone were recovered as it is;
the Spearman of those rates against the realised ones, next to the all-true figure, is what
that term's recovery costs the ranking. A conversion model of the pipeline's features
cannot beat the figure with every term as recovered by much: what it has beyond those
readings (pacing, dead air, language) adds little to the simulated rate.

The creator's own effect is not in the video: it is read from the creator's record (their
recent conversion rate) the way the simulation writes it, ``ln(record / base) - z_mean``,
with no shrinkage, so the "all true" figure is a reference, not a bound.

Dead air is left true: the pipeline measures dead-air share and the longest gap, not the
simulation's count of spans.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace

from training.synth_outcome import (
    DEFAULT_BASE_CVR,
    FABE,
    RECORD_Z_MEAN,
    ContentFeatures,
    content_quality,
)

Reading = Callable[[ContentFeatures, Mapping[str, float]], ContentFeatures]


def _roles(features: Mapping[str, float]) -> frozenset[str]:
    """A role set with the count and the proof the pipeline found (the outcome model reads
    only how many roles and whether one is evidence)."""
    n = int(features["sp_roles"])
    proof = features["sp_evidence"] > 0
    others = [r for r in FABE if r != "evidence"][: max(0, n - proof)]
    return frozenset(others + ["evidence"] * proof)


# term -> the truth with that term replaced by the pipeline's reading of it
RECOVERED: dict[str, Reading] = {
    "hook": lambda t, f: replace(t, hook_strong=f["hook_said_strength"] >= 0.5),
    "fabe_roles": lambda t, f: replace(t, roles=_roles(f)),
    "shown_share": lambda t, f: replace(
        t, shown_share=0.0 if math.isnan(f["sp_shown_share"]) else f["sp_shown_share"]
    ),
    "product_shown": lambda t, f: replace(
        t,
        product_first_shown_s=math.inf
        if math.isnan(f["product_shown_s"])
        else f["product_shown_s"],
    ),
    "cta": lambda t, f: replace(t, cta=f["cta"] >= 0.5),
    "sell_share": lambda t, f: replace(
        t, sell_share=None if math.isnan(f["sell_share"]) else f["sell_share"]
    ),
    "hard_sell_too_early": lambda t, f: replace(t, hard_sell_too_early=f["sell_too_early"] >= 0.5),
}


def as_recovered(truth: ContentFeatures, features: Mapping[str, float]) -> ContentFeatures:
    """The truth with every term the pipeline recovers replaced by its reading."""
    for read in RECOVERED.values():
        truth = read(truth, features)
    return truth


def record_effect(creator_cvr: float) -> float:
    """The creator's effect on ln(rate) as their record shows it (0 without a record)."""
    if math.isnan(creator_cvr) or creator_cvr <= 0:
        return 0.0
    return math.log(creator_cvr / DEFAULT_BASE_CVR) - RECORD_Z_MEAN


def rate_with(
    content: ContentFeatures, truth: ContentFeatures, outcome: Mapping[str, float], record: float
) -> float:
    """The true rate with ``content`` in place of the truth's and the creator's effect read
    from the record: what a perfect model of the simulation would predict from them."""
    offer_rate = outcome["true_cvr"] / math.exp(outcome["creator_cvr_effect"])
    return offer_rate * math.exp(content_quality(content) - content_quality(truth) + record)
