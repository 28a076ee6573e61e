"""The domain's label sets: the same names in the corpus, the models, the API and the report."""

from __future__ import annotations

import re
from functools import lru_cache

from service.errors import InputError

LANGUAGES = ("zh", "en", "id", "fr", "fi", "es", "vi", "th")
CATEGORIES = (
    "beauty", "skincare", "fashion", "food", "home", "kitchen", "electronics", "fitness",
    "baby", "pets", "health", "toys", "outdoor", "stationery", "auto",
)  # fmt: skip
CORE_CATEGORIES = CATEGORIES[:12]
# what a seller may write for "none of these": the model then treats the category as unknown
OTHER_CATEGORY = ("other", "unknown", "none")
STRONG_HOOK_TYPES = (
    "question", "pain_point", "bold_claim", "price_shock", "curiosity_gap", "pattern_interrupt",
    "live_demo", "social_proof",
)  # fmt: skip
WEAK_HOOK_TYPES = ("greeting", "slow_context", "filler")
HOOK_TYPES = STRONG_HOOK_TYPES + WEAK_HOOK_TYPES
FABE_ROLES = ("feature", "advantage", "benefit", "evidence", "none")
INTENTS = ("seed", "sell", "neutral")


@lru_cache(maxsize=1)
def speech_languages() -> frozenset[str]:
    """The language codes the speech stage (Whisper) knows."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return frozenset(_LANGUAGE_CODES)


def language_code(value: str | None) -> str | None:
    """A language as the pipeline takes it: a lower-case ISO 639-1 code, or None to detect.

    Accepts "zh-CN" or "pt_BR" (the region is dropped), any case and spaces; "auto" and
    blank mean "detect it".

    Raises:
        InputError: not a code the speech stage knows (the message says what to give).
    """
    if value is None or not str(value).strip():
        return None
    code = str(value).strip().lower().replace("_", "-").split("-")[0]
    if code == "auto":
        return None
    if not re.fullmatch(r"[a-z]{2,3}", code) or code not in speech_languages():
        raise InputError(
            f"unknown language code '{value}'; give an ISO 639-1 code such as en, zh, id, es, "
            "th (or leave it out to detect it)"
        )
    return code


def category_code(value: str | None) -> str | None:
    """A product category as the conversion model takes it, or None when not known.

    Accepts any case and spaces. "other" (or blank) means a category outside
    :data:`CATEGORIES`: the model then predicts without it, as when it is not given.

    Raises:
        InputError: a category the model does not know (it would be dropped silently).
    """
    if value is None or not str(value).strip():
        return None
    c = " ".join(str(value).split()).lower()
    if c in OTHER_CATEGORY:
        return None
    if c not in CATEGORIES:
        raise InputError(
            f"unknown product category '{value}'; give one of {', '.join(CATEGORIES)}, "
            "or 'other' (the prediction then goes without it)"
        )
    return c
