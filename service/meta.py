"""What the seller knows about a video besides the file: product, price, reach, creator."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.errors import InputError

# Approximate units of each currency per US dollar: only to put prices of different shops
# on one scale for the conversion model (a 20% error in a rate moves ln(price) by 0.2).
PER_USD: dict[str, float] = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CNY": 7.2, "IDR": 16000.0, "VND": 25000.0,
    "THB": 36.0, "MYR": 4.7, "PHP": 57.0, "SGD": 1.35, "MXN": 17.0, "BRL": 5.0, "JPY": 150.0,
    "KRW": 1350.0, "SAR": 3.75, "AED": 3.67, "TRY": 32.0, "COP": 3900.0, "ARS": 900.0,
}  # fmt: skip


def check_currency(code: str | None) -> str | None:
    """An upper-case currency code sellscope has a rate for, or None when not given.

    Raises:
        InputError: a currency without a rate (its prices could not be compared).
    """
    if code is None or not str(code).strip():
        return None
    c = str(code).strip().upper()
    if c not in PER_USD:
        raise InputError(
            f"no exchange rate for currency '{code}'; give the price in one of "
            f"{', '.join(PER_USD)}, or leave the price out"
        )
    return c


@dataclass(frozen=True)
class VideoMeta:
    """Optional facts about a video; every field may be unknown (None)."""

    product_name: str | None = None  # brand / name as printed on the product
    category: str | None = None
    price: float | None = None
    currency: str | None = None
    views: int | None = None
    creator_id: str | None = None
    creator_followers: int | None = None
    # the creator's conversion rate (orders / views) over their recent videos, as the shop's
    # creator page shows it: the creator's own pull, which their new video cannot show
    creator_cvr: float | None = None

    @property
    def price_usd(self) -> float | None:
        """The price in US dollars, when price and a known currency are given."""
        if self.price is None or self.price <= 0:
            return None
        rate = PER_USD.get((self.currency or "USD").upper())
        return None if rate is None else self.price / rate


def log_or_nan(x: float | None) -> float:
    """``ln(1 + x)`` of a count or amount, NaN when unknown (the model handles NaN)."""
    return math.log1p(x) if x is not None and x >= 0 else math.nan
