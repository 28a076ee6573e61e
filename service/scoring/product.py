"""When the product is first shown and first named.

sellscope has no product detector that works offline on real footage (no open-vocabulary
image model can be had here), so "shown" is read from what is on screen that names the
product: the brand or product name on its packaging or in an overlay, read by OCR. The
seller supplies the name (``product_name``); without it, "shown" is unknown rather than
guessed. "Named" is the first speech sentence that says the name, or, without a name, the
first selling point (the first time the script talks about the product itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from service.evidence.onscreen_text import normalise_text
from service.evidence.types import VideoEvidence
from service.scoring.lines import ScoredLine

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
NAME_MATCH = 0.8  # similarity of an OCR read / spoken word run to the name (OCR and ASR slips)


@dataclass(frozen=True)
class ProductTiming:
    """When the product is first shown and first named, and how each was found."""

    first_shown_s: float | None
    shown_evidence: str | None  # the on-screen text that names it
    first_named_s: float | None
    named_quote: str | None
    named_by: str  # "name" (the product name was said), "selling_point", or "none"


def name_in(text: str, name: str) -> bool:
    """``name`` occurs in ``text``, allowing an OCR / ASR slip (normalised, fuzzy)."""
    t, n = normalise_text(text), normalise_text(name)
    if not n or not t:
        return False
    if len(n) < 4 and not _CJK.search(n):
        # a short Latin name must be whole words ("AX" is not in "max"; "AX-5" is "ax5")
        words = [normalise_text(w) for w in re.findall(r"\w+", text)]
        return any(
            "".join(words[i:j]) == n for i in range(len(words)) for j in (i + 1, i + 2, i + 3)
        )
    if n in t:
        return True
    # the best window of the name's length inside the text
    best = max(
        SequenceMatcher(None, t[i : i + len(n)], n).ratio()
        for i in range(max(1, len(t) - len(n) + 1))
    )
    return best >= NAME_MATCH


def product_timing(
    evidence: VideoEvidence, lines: list[ScoredLine], product_name: str | None = None
) -> ProductTiming:
    """First shown (on-screen text naming it) and first named (said, or first selling point).

    Args:
        evidence: the video's evidence (captions are its on-screen text).
        lines: the scored lines (speech sentences with their FABE roles).
        product_name: the product's brand or name as printed on it, if the seller gave one.
    """
    shown_s = shown_text = None
    named_s = named_quote = None
    named_by = "none"
    if product_name and product_name.strip():
        cap = next(
            (c for c in sorted(evidence.captions, key=lambda c: c.start_s)
             if name_in(c.text, product_name)),
            None,
        )  # fmt: skip
        if cap is not None:
            shown_s, shown_text = cap.start_s, cap.text
        said = next(
            (ln for ln in lines if ln.source == "speech" and name_in(ln.text, product_name)), None
        )
        if said is not None:
            named_s, named_quote, named_by = said.start_s, said.text, "name"
    if named_s is None:
        first_point = next(
            (
                ln
                for ln in lines
                if ln.source == "speech" and ln.fabe_role != "none" and ln.fabe_confidence >= 0.5
            ),
            None,
        )
        if first_point is not None:
            named_s, named_quote, named_by = first_point.start_s, first_point.text, "selling_point"
    return ProductTiming(shown_s, shown_text, named_s, named_quote, named_by)
