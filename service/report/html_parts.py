"""Colours and small text helpers shared by the HTML report and its timeline."""

from __future__ import annotations

import math
import re
from html import escape

from service.report.schema import KeyFrameReport

BAND_COLOURS = {"good": "#2e7d32", "fair": "#d98b00", "poor": "#c62828"}
INTENT_COLOURS = {"seed": "#2f9e44", "sell": "#f08c00", "neutral": "#adb5bd"}
ROLE_COLOURS = {
    "feature": "#1971c2",
    "advantage": "#7048e8",
    "benefit": "#0c8599",
    "evidence": "#c2255c",
}
SEVERITY_COLOURS = {"high": "#c62828", "medium": "#d98b00", "low": "#5c7080"}
MARKERS = {  # timeline marker: (colour, dash pattern, legend label)
    "cta": ("#e03131", "5 3", "call to action"),
    "shown": ("#1c7ed6", "2 2", "product first shown"),
    "named": ("#9c36b5", "8 3 2 3", "product first named"),
}
CAPTION_COLOUR = "#748ffc"
SEP = " \u00b7 "
_B64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def esc(x: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return escape("" if x is None else str(x), quote=True)


def mmss(t: float | None) -> str:
    """Seconds as ``m:ss``, rounded down as video players do (``-`` when unknown)."""
    if t is None or not math.isfinite(t):
        return "-"
    total = max(0, math.floor(t + 1e-6))
    return f"{total // 60}:{total % 60:02d}"


def time_span(a: float | None, b: float | None) -> str:
    """A time range as ``m:ss-m:ss`` (or one time when the end is unknown)."""
    if a is None:
        return ""
    if b is None or mmss(a) == mmss(b):
        return mmss(a)
    return f"{mmss(a)}\u2013{mmss(b)}"


def pct(x: float) -> str:
    """A rate as a percentage with enough digits for small conversion rates."""
    v = x * 100
    if v == 0 or abs(v) >= 0.1:
        return f"{v:.2f}%"
    return f"{v:.3g}%"


def signed_pct(x: float) -> str:
    """A relative change as a signed whole percentage: 0.23 -> ``+23%``."""
    v = x * 100
    return f"{v:+.0f}%" if abs(v) >= 1 or v == 0 else f"{v:+.1f}%"


def num(v: float | None) -> str:
    """A feature value, compactly."""
    if v is None or not math.isfinite(v):
        return "unknown"
    if float(v).is_integer() and abs(v) < 1e9:
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def quoted(text: str | None) -> str:
    """Text in curly quotes, escaped (empty when there is no text)."""
    return f"\u201c{esc(text)}\u201d" if text else ""


def img_tag(frame: KeyFrameReport, alt: str, cls: str = "") -> str:
    """An ``<img>`` with the key frame as a data URI (empty if it is not base64)."""
    data = frame.jpeg_b64.strip()
    if not data or not _B64.match(data):
        return ""
    cls_attr = f' class="{esc(cls)}"' if cls else ""
    return (
        f'<img{cls_attr} src="data:image/jpeg;base64,{esc(data)}" alt="{esc(alt)}" '
        'loading="lazy" decoding="async">'
    )


def nearest_frame(frames: list[KeyFrameReport], t: float | None) -> KeyFrameReport | None:
    """The key frame closest in time to ``t`` (None without a time or frames)."""
    if t is None or not frames:
        return None
    return min(frames, key=lambda k: abs(k.time_s - t))
