"""The report's timeline: one inline SVG of the hook window, speech by intent, selling
points, the seed / sell curve, captions, cuts, and markers for the CTA and the product."""

from __future__ import annotations

from service.report.build import band as band_of
from service.report.html_parts import (
    BAND_COLOURS,
    CAPTION_COLOUR,
    INTENT_COLOURS,
    MARKERS,
    ROLE_COLOURS,
    esc,
    mmss,
    time_span,
)
from service.report.schema import Report, SellingPointReport

# timeline geometry, in SVG user units (the SVG scales to the page width)
_TL_W = 1000.0
_TL_X0 = 118.0
_TL_X1 = 985.0
_TL_TOP = 14.0
_TL_ROW = 30.0
_TL_ROWS = ("hook", "speech", "selling points", "seed/sell", "captions", "cuts")


def _tick_step(duration: float) -> float:
    """Seconds between axis labels: every 5 s for short videos, then 10, 30, 60."""
    for step in (5.0, 10.0, 30.0, 60.0):
        if duration / step <= 12:
            return step
    return 120.0


class _Axis:
    """Maps seconds to timeline x."""

    def __init__(self, duration: float) -> None:
        self.duration = max(duration, 1e-3)

    def x(self, t: float) -> float:
        """The x of time ``t`` (clamped to the plot)."""
        f = min(1.0, max(0.0, t / self.duration))
        return _TL_X0 + f * (_TL_X1 - _TL_X0)

    def w(self, a: float, b: float, minimum: float = 1.5) -> float:
        """The width of ``[a, b]``, at least ``minimum``."""
        return max(minimum, self.x(b) - self.x(a))


def _row_y(name: str) -> float:
    """Top of a timeline row."""
    return _TL_TOP + _TL_ROWS.index(name) * _TL_ROW


def _rect(
    x: float, y: float, w: float, h: float, fill: str, title: str, cls: str, opacity: float = 1
) -> str:
    """An SVG rect with a hover title."""
    op = f' fill-opacity="{opacity:g}"' if opacity < 1 else ""
    return (
        f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'rx="2" fill="{fill}"{op}><title>{esc(title)}</title></rect>'
    )


def _empty(row: str) -> str:
    """A faint 'none' in an empty row."""
    y = _row_y(row) + _TL_ROW / 2 + 4
    return f'<text x="{_TL_X0 + 4:.0f}" y="{y:.1f}" font-size="11" fill="#98a2b3">none</text>'


def _tl_hook(r: Report, ax: _Axis) -> str:
    h = r.scores.hook
    a, b = h.window_s
    y = _row_y("hook") + 6
    title = f"hook {time_span(a, b)}: {h.hook_type or 'no hook line'}"
    if h.quote:
        title += f" \u201c{h.quote}\u201d"
    colour = BAND_COLOURS[band_of(h.score)]
    return _rect(ax.x(a), y, ax.w(a, b), _TL_ROW - 12, colour, title, "bar hook")


def _tl_speech(r: Report, ax: _Axis) -> str:
    y = _row_y("speech") + 6
    out = []
    for ln in r.scores.lines:
        if ln.source != "speech":
            continue
        intent = ln.intent if ln.intent in INTENT_COLOURS else "neutral"
        title = f"{time_span(ln.start_s, ln.end_s)} {intent}: {ln.text}"
        out.append(
            _rect(
                ax.x(ln.start_s),
                y,
                ax.w(ln.start_s, ln.end_s),
                _TL_ROW - 12,
                INTENT_COLOURS[intent],
                title,
                f"bar speech intent-{intent}",
            )
        )
    return "".join(out) or _empty("speech")


def _clusters(xs: list[float], gap: float) -> list[list[int]]:
    """Indices of sorted positions grouped where neighbours are closer than ``gap``."""
    groups: list[list[int]] = []
    for i, x in enumerate(xs):
        if groups and x - xs[groups[-1][-1]] < gap:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _tl_points(points: list[SellingPointReport], ax: _Axis) -> str:
    mid = _row_y("selling points") + _TL_ROW / 2
    pts = sorted(points, key=lambda p: p.start_s)
    xs = [ax.x(p.start_s) for p in pts]
    ys = [mid] * len(pts)
    for group in _clusters(xs, 18.0):
        if len(group) > 1:
            for j, i in enumerate(group):
                ys[i] = mid + (-7 if j % 2 == 0 else 7)
    out = []
    for p, x, cy in zip(pts, xs, ys, strict=True):
        colour = ROLE_COLOURS.get(p.role, "#495057")
        letter = p.role[:1].upper() if p.role else "?"
        fill, text_fill = (colour, "#fff") if p.shown_on_screen else ("#fff", colour)
        shown = "on screen" if p.shown_on_screen else "not shown on screen"
        title = f"{letter} {p.role} ({mmss(p.start_s)}, {p.source}, {shown}): {p.text}"
        out.append(
            f'<g class="point role-{esc(p.role)}"><title>{esc(title)}</title>'
            f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="8.5" fill="{fill}" stroke="{colour}" '
            f'stroke-width="2"/><text x="{x:.1f}" y="{cy + 4:.1f}" font-size="11" '
            f'font-weight="700" text-anchor="middle" fill="{text_fill}">{esc(letter)}</text></g>'
        )
    return "".join(out) or _empty("selling points")


def _tl_curve(r: Report, ax: _Axis) -> str:
    top = _row_y("seed/sell") + 3
    h = _TL_ROW - 6
    out = []
    for w in r.scores.seed_sell.curve:
        x, width = ax.x(w.start_s), max(1.0, ax.w(w.start_s, w.end_s) - 1.5)
        title = f"{time_span(w.start_s, w.end_s)} seed {w.seed:.0%} / sell {w.sell:.0%}"
        if w.seed + w.sell <= 0:
            out.append(_rect(x, top + h - 2, width, 2, "#dee2e6", title + " (silent)", "win"))
            continue
        seed_h = h * w.seed / (w.seed + w.sell)
        out.append(
            f'<g class="win"><title>{esc(title)}</title>'
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{h - seed_h:.1f}" '
            f'fill="{INTENT_COLOURS["sell"]}"/>'
            f'<rect x="{x:.1f}" y="{top + h - seed_h:.1f}" width="{width:.1f}" '
            f'height="{seed_h:.1f}" fill="{INTENT_COLOURS["seed"]}"/></g>'
        )
    return "".join(out) or _empty("seed/sell")


def _tl_captions(r: Report, ax: _Axis) -> str:
    y = _row_y("captions") + 7
    out = [
        _rect(
            ax.x(c.start_s),
            y,
            ax.w(c.start_s, c.end_s),
            _TL_ROW - 14,
            CAPTION_COLOUR,
            f"{time_span(c.start_s, c.end_s)}: {c.text}",
            "bar caption",
            opacity=0.7,
        )
        for c in r.evidence.captions
    ]
    return "".join(out) or _empty("captions")


def _tl_cuts(r: Report, ax: _Axis) -> str:
    y = _row_y("cuts")
    out = [
        f'<line class="cut" x1="{ax.x(t):.1f}" y1="{y + 6:.1f}" x2="{ax.x(t):.1f}" '
        f'y2="{y + _TL_ROW - 6:.1f}" stroke="#495057" stroke-width="1.5">'
        f"<title>cut at {t:.1f} s</title></line>"
        for t in r.evidence.cuts_s
    ]
    return "".join(out) or _empty("cuts")


def _tl_markers(r: Report, ax: _Axis, bottom: float) -> str:
    """Vertical markers: CTA, product first shown, product first named."""
    ss, pr = r.scores.seed_sell, r.scores.product
    marks = (
        ("cta", ss.cta_time_s, ss.cta_quote),
        ("shown", pr.first_shown_s, pr.shown_evidence),
        ("named", pr.first_named_s, pr.named_quote),
    )
    out = []
    for key, t, what in marks:
        if t is None:
            continue
        colour, dash, label = MARKERS[key]
        x = ax.x(t)
        title = f"{label} at {mmss(t)}" + (f": {what}" if what else "")
        out.append(
            f'<g class="marker marker-{key}"><title>{esc(title)}</title>'
            f'<line x1="{x:.1f}" y1="{_TL_TOP - 4:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<path d="M {x - 5:.1f} {_TL_TOP - 10:.1f} L {x + 5:.1f} {_TL_TOP - 10:.1f} '
            f'L {x:.1f} {_TL_TOP - 3:.1f} Z" fill="{colour}"/></g>'
        )
    return "".join(out)


def _tl_axis(ax: _Axis, bottom: float) -> str:
    """Row labels, grid and the time axis."""
    out = []
    for i, name in enumerate(_TL_ROWS):
        y = _TL_TOP + i * _TL_ROW
        if i % 2 == 0:
            out.append(
                f'<rect x="{_TL_X0:.0f}" y="{y:.1f}" width="{_TL_X1 - _TL_X0:.0f}" '
                f'height="{_TL_ROW:.0f}" fill="#f8f9fa"/>'
            )
        out.append(
            f'<text x="{_TL_X0 - 8:.0f}" y="{y + _TL_ROW / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="#475467">{name}</text>'
        )
    step = _tick_step(ax.duration)
    n = int(ax.duration // step) + 1
    for k in range(n):
        t = k * step
        x = ax.x(t)
        out.append(
            f'<line x1="{x:.1f}" y1="{_TL_TOP:.0f}" x2="{x:.1f}" y2="{bottom + 4:.1f}" '
            f'stroke="#e4e7ec"/><text x="{x:.1f}" y="{bottom + 17:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#667085">{mmss(t)}</text>'
        )
    end = ax.x(ax.duration)
    out.append(
        f'<line x1="{_TL_X0:.0f}" y1="{bottom:.1f}" x2="{end:.1f}" y2="{bottom:.1f}" '
        f'stroke="#98a2b3"/><line x1="{end:.1f}" y1="{_TL_TOP:.0f}" x2="{end:.1f}" '
        f'y2="{bottom + 4:.1f}" stroke="#98a2b3"/>'
    )
    return "".join(out)


def _legend() -> str:
    """Legend of the timeline's colours and markers."""
    items = [
        f'<span><i style="background:{INTENT_COLOURS[k]}"></i>{k}</span>'
        for k in ("seed", "sell", "neutral")
    ]
    items.append(f'<span><i style="background:{CAPTION_COLOUR}"></i>caption</span>')
    items.append(
        '<span><i class="dot" style="background:#1971c2"></i>selling point on screen</span>'
    )
    items.append('<span><i class="dot"></i>not shown on screen</span>')
    items.append("<span>F/A/B/E: feature, advantage, benefit, evidence</span>")
    items.extend(
        f'<span><i class="line" style="border-color:{c}"></i>{label}</span>'
        for c, _, label in MARKERS.values()
    )
    return f'<div class="legend">{"".join(items)}</div>'


def timeline_section(r: Report) -> str:
    """The timeline section: one inline SVG."""
    ends = [r.video.duration_s]
    ends += [ln.end_s for ln in r.scores.lines]
    ends += [c.end_s for c in r.evidence.captions]
    ax = _Axis(max(ends))
    bottom = _TL_TOP + len(_TL_ROWS) * _TL_ROW
    height = bottom + 24
    body = (
        _tl_axis(ax, bottom)
        + _tl_markers(r, ax, bottom)
        + _tl_hook(r, ax)
        + _tl_speech(r, ax)
        + _tl_points(r.scores.selling_points.points, ax)
        + _tl_curve(r, ax)
        + _tl_captions(r, ax)
        + _tl_cuts(r, ax)
    )
    svg = (
        f'<svg class="tl" viewBox="0 0 {_TL_W:.0f} {height:.0f}" role="img" '
        f'aria-label="timeline" font-family="system-ui,sans-serif">{body}</svg>'
    )
    return (
        '<section id="timeline" class="timeline"><h2>Timeline</h2>'
        f'<div class="scroll">{svg}</div>{_legend()}</section>'
    )
