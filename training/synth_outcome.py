"""Simulated shop outcomes of the synthetic videos: a documented generative model.

The oracle is ``true_cvr``, the conversion rate (orders per view) the content and the offer
deserve; views and orders are noisy draws around it. Every coefficient is a module constant
and ``datasets/SYNTH.md`` writes the model out:

    z          = sum of the content terms below (0 for a plain video)
    price_term = PRICE_ELASTICITY * ln(price / median_price(category, currency))
    true_cvr   = clip(BASE_CVR[category] * exp(z + price_term + creator_cvr), CVR_MIN, CVR_MAX)
    ln(views)  ~ Normal(VIEWS_LOG_MEAN + VIEWS_HOOK_STRONG * hook_strong + creator_reach,
                        VIEWS_LOG_SD), clipped to [VIEWS_MIN, VIEWS_MAX]
    orders     ~ Binomial(views, true_cvr)
    gmv        = orders * price

Each creator also has a public record, what a shop's creator page shows before a video is
posted (``creator_record``): followers, which grow with the creator's reach, and the
conversion rate of their recent videos, which carries their conversion effect through the
noise of those videos' own content and order counts.

The hook drives reach and the rest of the content drives conversion, so views and orders
are only partly coupled, as in real shops ("many views, few orders").
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

# --- content terms of z (natural-log units of the conversion rate) ---
W_HOOK_STRONG = 0.30  # the opening line is a strong hook
W_ROLE = 0.15  # per distinct FABE role covered (feature, advantage, benefit, evidence)
W_EVIDENCE = 0.20  # extra when an evidence selling point is present
W_SHOWN = 0.30  # times the share of selling points also shown as on-screen captions
W_PRODUCT_EARLY = 0.25  # the product is on screen by PRODUCT_EARLY_S
W_CTA = 0.40  # a call to action is present
W_SELL_BAND = 0.30  # sell share inside the ideal band (tapering to 0 outside: sell_band_bonus)
W_HARD_SELL_EARLY = -0.35  # the first line after the hook is a hard sell
W_DEAD_AIR = -0.20  # per span of dead air (>= 1.5 s of silence between lines)

PRODUCT_EARLY_S = 3.0
SELL_BAND = (0.25, 0.50)  # ideal share of sell lines among seed + sell lines (by duration)
SELL_BAND_TAPER = 0.25  # the bonus falls linearly to 0 this far outside the band
FABE = ("feature", "advantage", "benefit", "evidence")

# --- offer terms ---
# Conversion rate (orders per view) of a plain video at the category's median price.
BASE_CVR: dict[str, float] = {
    "beauty": 0.0035,
    "skincare": 0.0033,
    "fashion": 0.0027,
    "food": 0.0048,
    "home": 0.0030,
    "kitchen": 0.0030,
    "electronics": 0.0018,
    "fitness": 0.0024,
    "baby": 0.0030,
    "pets": 0.0033,
    "health": 0.0027,
    "toys": 0.0030,
    "outdoor": 0.0021,
    "stationery": 0.0042,
    "auto": 0.0018,
}
DEFAULT_BASE_CVR = 0.0030
# Median unit price per category in USD; prices are lognormal around it.
MEDIAN_PRICE_USD: dict[str, float] = {
    "beauty": 14.0,
    "skincare": 19.0,
    "fashion": 24.0,
    "food": 8.0,
    "home": 17.0,
    "kitchen": 22.0,
    "electronics": 35.0,
    "fitness": 26.0,
    "baby": 18.0,
    "pets": 15.0,
    "health": 20.0,
    "toys": 16.0,
    "outdoor": 30.0,
    "stationery": 6.0,
    "auto": 25.0,
}
DEFAULT_MEDIAN_PRICE_USD = 18.0
PRICE_LOG_SD = 0.5
PRICE_ELASTICITY = -0.5  # ln(cvr) falls by 0.5 per unit of ln(price / median)
# Local currency per language and units of it per USD (fixed, for the simulation only).
CURRENCY: dict[str, str] = {
    "zh": "CNY",
    "en": "USD",
    "id": "IDR",
    "fr": "EUR",
    "fi": "EUR",
    "es": "EUR",
    "vi": "VND",
    "th": "THB",
}
PER_USD: dict[str, float] = {
    "USD": 1.0,
    "CNY": 7.2,
    "IDR": 16000.0,
    "EUR": 0.92,
    "VND": 25000.0,
    "THB": 36.0,
}

# --- creators: random effects, drawn once per creator id ---
CREATOR_CVR_SD = 0.30  # sd of the creator's effect on ln(cvr) (audience trust, fit)
CREATOR_REACH_SD = 0.50  # sd of the creator's effect on ln(views) (follower base)

# --- the creator's public record (``creator_record``) ---
RECORD_VIDEOS = 10  # recent videos the creator page sums (about the last 30 days)
RECORD_Z_MEAN = 0.8  # content quality of those videos: like the synthetic videos' own
RECORD_Z_SD = 0.5
FOLLOWERS_LOG_MEAN = math.log(50_000.0)  # a creator of average reach
FOLLOWERS_LOG_SD = 0.5  # followers are only a rough guide to reach

# --- views ---
VIEWS_LOG_MEAN = math.log(4000.0)
VIEWS_HOOK_STRONG = 0.90  # a strong hook multiplies expected views by e^0.9 = 2.5
VIEWS_LOG_SD = 0.80
VIEWS_MIN, VIEWS_MAX = 50, 20_000_000

CVR_MIN, CVR_MAX = 1e-4, 0.2


@dataclass(frozen=True)
class ContentFeatures:
    """What the outcome model reads from a video's ground truth.

    Attributes:
        hook_strong: the opening line is a strong hook.
        roles: distinct FABE roles of the selling points said.
        shown_share: share of selling points also shown as captions (0 when there are none).
        product_first_shown_s: when the product is first on screen.
        cta: a call to action is said.
        sell_share: share of sell lines among seed + sell lines, by duration (None: neither).
        hard_sell_too_early: the line right after the hook is a hard sell.
        dead_air_spans: number of silences of 1.5 s or more between lines.
    """

    hook_strong: bool
    roles: frozenset[str]
    shown_share: float
    product_first_shown_s: float
    cta: bool
    sell_share: float | None
    hard_sell_too_early: bool
    dead_air_spans: int


@dataclass(frozen=True)
class Offer:
    """The product and who sells it."""

    category: str
    price: float
    currency: str
    creator_id: str


@dataclass(frozen=True)
class Outcome:
    """One simulated shop result; ``true_cvr`` is the oracle."""

    views: int
    orders: int
    gmv: float
    true_cvr: float
    content_quality: float  # z
    price_term: float
    creator_cvr_effect: float
    creator_reach_effect: float


def sell_band_bonus(sell_share: float | None) -> float:
    """``W_SELL_BAND`` inside ``SELL_BAND``, tapering linearly to 0 at ``SELL_BAND_TAPER`` away."""
    if sell_share is None:
        return 0.0
    lo, hi = SELL_BAND
    distance = max(lo - sell_share, sell_share - hi, 0.0)
    return W_SELL_BAND * max(0.0, 1.0 - distance / SELL_BAND_TAPER)


def content_quality(f: ContentFeatures) -> float:
    """The latent content quality ``z`` (0 for a video with none of the terms)."""
    roles = f.roles & set(FABE)
    z = W_HOOK_STRONG * f.hook_strong
    z += W_ROLE * len(roles)
    z += W_EVIDENCE * ("evidence" in roles)
    z += W_SHOWN * f.shown_share
    z += W_PRODUCT_EARLY * (f.product_first_shown_s <= PRODUCT_EARLY_S)
    z += W_CTA * f.cta
    z += sell_band_bonus(f.sell_share)
    z += W_HARD_SELL_EARLY * f.hard_sell_too_early
    z += W_DEAD_AIR * f.dead_air_spans
    return float(z)


def median_price(category: str, currency: str) -> float:
    """The category's median unit price in ``currency``."""
    usd = MEDIAN_PRICE_USD.get(category, DEFAULT_MEDIAN_PRICE_USD)
    return usd * PER_USD[currency]


def round_price(x: float, currency: str) -> float:
    """A shop-like price: 12.99 USD/EUR, 89.9 CNY, 249 THB, 79,900 IDR, 259,000 VND."""
    if currency in ("USD", "EUR"):
        return max(0.99, math.floor(x) + 0.99)
    if currency == "CNY":
        return max(0.9, math.floor(x) + 0.9)
    if currency == "IDR":
        return float(max(900, round(x / 1000) * 1000 - 100))
    if currency == "VND":
        return float(max(1000, round(x / 1000) * 1000))
    return float(max(1, round(x)))


def draw_price(category: str, lang: str, rng: np.random.Generator) -> tuple[float, str]:
    """A lognormal unit price around the category median, in the language's currency."""
    currency = CURRENCY.get(lang, "USD")
    x = median_price(category, currency) * math.exp(rng.normal(0.0, PRICE_LOG_SD))
    return round_price(x, currency), currency


def creator_effects(creator_id: str, seed: int) -> tuple[float, float]:
    """``(cvr effect, reach effect)`` of a creator: fixed for a creator id and a seed."""
    rng = np.random.default_rng([seed, zlib.crc32(creator_id.encode("utf-8")), 7])
    return float(rng.normal(0.0, CREATOR_CVR_SD)), float(rng.normal(0.0, CREATOR_REACH_SD))


@dataclass(frozen=True)
class CreatorRecord:
    """What the shop's creator page shows of a creator (the affiliate centre's figures)."""

    followers: int
    recent_views: int  # summed over their last ``RECORD_VIDEOS`` videos
    recent_orders: int

    @property
    def cvr(self) -> float:
        """Orders per view over the recent videos."""
        return self.recent_orders / self.recent_views if self.recent_views else 0.0


def creator_record(creator_id: str, seed: int) -> CreatorRecord:
    """The creator's public record: fixed for a creator id and a seed.

    The recent videos are simulated like the synthetic ones, at the default base rate (a
    creator sells in many categories): ``RECORD_VIDEOS`` draws of views around the
    creator's reach, content quality ``Normal(RECORD_Z_MEAN, RECORD_Z_SD)`` and binomial
    orders at ``DEFAULT_BASE_CVR * exp(z + creator_cvr)``. Followers are
    ``exp(FOLLOWERS_LOG_MEAN + creator_reach + Normal(0, FOLLOWERS_LOG_SD))``.
    """
    cvr_effect, reach = creator_effects(creator_id, seed)
    rng = np.random.default_rng([seed, zlib.crc32(creator_id.encode("utf-8")), 11])
    log_views = rng.normal(VIEWS_LOG_MEAN + reach, VIEWS_LOG_SD, RECORD_VIDEOS)
    views = np.clip(np.round(np.exp(log_views)), VIEWS_MIN, VIEWS_MAX).astype(np.int64)
    z = rng.normal(RECORD_Z_MEAN, RECORD_Z_SD, RECORD_VIDEOS)
    cvr = np.clip(DEFAULT_BASE_CVR * np.exp(z + cvr_effect), CVR_MIN, CVR_MAX)
    orders = rng.binomial(views, cvr)
    followers = math.exp(FOLLOWERS_LOG_MEAN + reach + rng.normal(0.0, FOLLOWERS_LOG_SD))
    return CreatorRecord(int(round(followers)), int(views.sum()), int(orders.sum()))


def price_term(offer: Offer) -> float:
    """``PRICE_ELASTICITY * ln(price / median price)``."""
    return PRICE_ELASTICITY * math.log(offer.price / median_price(offer.category, offer.currency))


def true_cvr(f: ContentFeatures, offer: Offer, creator_cvr: float) -> float:
    """The oracle conversion rate, clipped to ``[CVR_MIN, CVR_MAX]``."""
    base = BASE_CVR.get(offer.category, DEFAULT_BASE_CVR)
    cvr = base * math.exp(content_quality(f) + price_term(offer) + creator_cvr)
    return float(min(CVR_MAX, max(CVR_MIN, cvr)))


def simulate_outcome(
    f: ContentFeatures, offer: Offer, rng: np.random.Generator, seed: int = 0
) -> Outcome:
    """Draw views and orders for one video.

    Args:
        f: the content features.
        offer: product, price and creator.
        rng: the video's own generator (views and orders are drawn from it).
        seed: the run's seed, which fixes the creators' random effects.
    """
    creator_cvr, creator_reach = creator_effects(offer.creator_id, seed)
    cvr = true_cvr(f, offer, creator_cvr)
    mu = VIEWS_LOG_MEAN + VIEWS_HOOK_STRONG * f.hook_strong + creator_reach
    views = int(min(VIEWS_MAX, max(VIEWS_MIN, round(math.exp(rng.normal(mu, VIEWS_LOG_SD))))))
    orders = int(rng.binomial(views, cvr))
    return Outcome(
        views=views,
        orders=orders,
        gmv=round(orders * offer.price, 2),
        true_cvr=round(cvr, 6),
        content_quality=round(content_quality(f), 4),
        price_term=round(price_term(offer), 4),
        creator_cvr_effect=round(creator_cvr, 4),
        creator_reach_effect=round(creator_reach, 4),
    )
