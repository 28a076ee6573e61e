"""Real auxiliary hook data: clickbait headlines and Upworthy headline A/B tests.

Neither is video speech, but both are real openers with a real signal: the clickbait
corpus separates curiosity-gap openers from plain news lines, and the Upworthy tests tell
which of two headlines (same image, same lede) earned more clicks from real readers.
Splits are fixed by a hash (of the line, or of the A/B test id), like the seed corpus.
"""

from __future__ import annotations

import gzip
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOOKS_DIR = ROOT / "datasets" / "hooks"
UPWORTHY = ROOT / "datasets" / "outcomes" / "upworthy_packages.csv.gz"


def split_of(key: str, shares: tuple[float, float, float] = (0.7, 0.15, 0.15)) -> str:
    """``train`` / ``dev`` / ``test`` from a stable hash of ``key``."""
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if h < shares[0]:
        return "train"
    return "dev" if h < shares[0] + shares[1] else "test"


@dataclass(frozen=True)
class Headline:
    """One English headline and whether it is clickbait."""

    text: str
    clickbait: bool
    split: str


def load_clickbait(split: str | None = None) -> list[Headline]:
    """The 32,000 headlines of Chakraborty et al. (2016), MIT; deduplicated by text."""
    out: dict[str, Headline] = {}
    for name, label in (("clickbait_data.gz", True), ("non_clickbait_data.gz", False)):
        with gzip.open(HOOKS_DIR / name, "rt", encoding="utf-8") as f:
            for line in f:
                text = line.strip()
                if text and text.lower() not in out:
                    out[text.lower()] = Headline(text, label, split_of(text.lower()))
    return [h for h in out.values() if split is None or h.split == split]


@dataclass(frozen=True)
class HeadlinePair:
    """Two headlines of one A/B test that shared image and lede; ``a`` earned more clicks."""

    test_id: str
    a: str
    b: str
    ctr_a: float
    ctr_b: float
    p_value: float
    split: str


def _two_proportion_p(c1: int, n1: int, c2: int, n2: int) -> float:
    p = (c1 + c2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2)) if 0 < p < 1 else 0.0
    if se == 0:
        return 1.0
    z = abs(c1 / n1 - c2 / n2) / se
    return math.erfc(z / math.sqrt(2))


def upworthy_pairs(split: str | None = None, alpha: float = 0.05) -> list[HeadlinePair]:
    """Pairs of headline variants whose click-through rates differ significantly.

    Variants of one test that share the image and the lede differ only in the headline;
    identical headlines (repeated arms) are merged by summing impressions and clicks. A
    pair is kept when a two-proportion z-test gives ``p < alpha``. Splits are by test id,
    so no test straddles train and test.
    """
    import pandas as pd

    df = pd.read_csv(UPWORTHY)
    df = df.dropna(subset=["headline"])
    df = df.groupby(["clickability_test_id", "eyecatcher_id", "lede", "headline"], as_index=False)[
        ["impressions", "clicks"]
    ].sum()
    pairs: list[HeadlinePair] = []
    for (test_id, _img, _lede), g in df.groupby(["clickability_test_id", "eyecatcher_id", "lede"]):
        s = split_of(str(test_id))
        if split is not None and s != split:
            continue
        rows = list(g.itertuples(index=False))
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                x, y = rows[i], rows[j]
                if min(x.impressions, y.impressions) <= 0:
                    continue
                p = _two_proportion_p(x.clicks, x.impressions, y.clicks, y.impressions)
                if p >= alpha:
                    continue
                cx, cy = x.clicks / x.impressions, y.clicks / y.impressions
                hi, lo = (x, y) if cx > cy else (y, x)
                pairs.append(
                    HeadlinePair(
                        test_id=str(test_id),
                        a=hi.headline,
                        b=lo.headline,
                        ctr_a=hi.clicks / hi.impressions,
                        ctr_b=lo.clicks / lo.impressions,
                        p_value=p,
                        split=s,
                    )
                )
    return pairs
