"""The domain's label sets: the same names in the corpus, the models, the API and the report."""

from __future__ import annotations

LANGUAGES = ("zh", "en", "id", "fr", "fi", "es", "vi", "th")
CATEGORIES = (
    "beauty", "skincare", "fashion", "food", "home", "kitchen", "electronics", "fitness",
    "baby", "pets", "health", "toys", "outdoor", "stationery", "auto",
)  # fmt: skip
CORE_CATEGORIES = CATEGORIES[:12]
STRONG_HOOK_TYPES = (
    "question", "pain_point", "bold_claim", "price_shock", "curiosity_gap", "pattern_interrupt",
    "live_demo", "social_proof",
)  # fmt: skip
WEAK_HOOK_TYPES = ("greeting", "slow_context", "filler")
HOOK_TYPES = STRONG_HOOK_TYPES + WEAK_HOOK_TYPES
FABE_ROLES = ("feature", "advantage", "benefit", "evidence", "none")
INTENTS = ("seed", "sell", "neutral")
