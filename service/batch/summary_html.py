"""A self-contained HTML page about a batch: ranking, distributions, creators, reasons.

One file with inline CSS and inline SVG histograms (no script, no fonts, nothing fetched),
so it can be mailed or attached to a ticket as it is.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.batch.results import DONE, FAILED, SKIPPED, ResultRow, atomic_write_bytes

NO_CREATOR = "(no creator id)"
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d232b;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f6f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:flex;flex-wrap:wrap;gap:16px}.muted{color:#6b7480}
.failed{color:#b3261e}svg text{font:11px system-ui,sans-serif;fill:#39424e}
"""


@dataclass(frozen=True)
class Histogram:
    """One score distribution to draw."""

    title: str
    values: tuple[float, ...]
    lo: float
    hi: float
    bins: int
    fmt: Callable[[float], str]


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _pct(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}%}"


def _num(x: float | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def histogram_svg(h: Histogram, width: int = 260, height: int = 140) -> str:
    """An inline SVG bar chart of ``h.values`` in ``h.bins`` equal bins over [lo, hi]."""
    counts = [0] * h.bins
    span = (h.hi - h.lo) or 1.0
    for v in h.values:
        counts[min(h.bins - 1, max(0, int((v - h.lo) / span * h.bins)))] += 1
    top, pad, base = max(counts, default=0) or 1, 22, height - 20
    bar_w = (width - 2 * pad) / h.bins
    bars = []
    for i, c in enumerate(counts):
        bh = (base - 18) * c / top
        x = pad + i * bar_w
        bars.append(
            f'<rect x="{x + 1:.1f}" y="{base - bh:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{bh:.1f}" fill="#3d7be0"><title>{c}</title></rect>'
        )
        if c:
            bars.append(f'<text x="{x + bar_w / 2:.1f}" y="{base - bh - 3:.1f}" '
                        f'text-anchor="middle">{c}</text>')  # fmt: skip
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(h.title)}">'
        f'<text x="{pad}" y="12">{_e(h.title)} (n={len(h.values)})</text>'
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#9aa3ad"/>'
        + "".join(bars)
        + f'<text x="{pad}" y="{height - 6}">{_e(h.fmt(h.lo))}</text>'
        f'<text x="{width - pad}" y="{height - 6}" text-anchor="end">{_e(h.fmt(h.hi))}</text>'
        "</svg>"
    )


def _histograms(rows: Sequence[ResultRow]) -> list[Histogram]:
    def vals(get: Callable[[ResultRow], float | None]) -> tuple[float, ...]:
        return tuple(v for r in rows if (v := get(r)) is not None)

    cvrs = vals(lambda r: r.cvr)
    cvr_hi = max(cvrs, default=0.01) * 1.05 or 0.01
    return [
        Histogram("Hook score", vals(lambda r: r.hook_score), 0, 100, 10, lambda x: f"{x:.0f}"),
        Histogram(
            "Selling-point score",
            vals(lambda r: r.selling_point_score),
            0,
            100,
            10,
            lambda x: f"{x:.0f}",
        ),  # fmt: skip
        Histogram("Sell share", vals(lambda r: r.sell_share), 0, 1, 10, lambda x: f"{x:.0%}"),
        Histogram("Predicted conversion", cvrs, 0, cvr_hi, 10, lambda x: f"{x:.2%}"),
    ]


def _ranking(rows: Sequence[ResultRow]) -> str:
    ranked = sorted(rows, key=lambda r: (r.cvr is None, -(r.cvr or 0), r.row))
    head = (
        "<tr><th>#</th><th>Video</th><th>Creator</th><th>Product</th><th>Predicted CVR</th>"
        "<th>Interval</th><th>GPM</th><th>Hook</th><th>Selling points</th>"
        "<th>Seed / sell</th><th>CTA</th><th>Top reason</th></tr>"
    )
    body = []
    for i, r in enumerate(ranked, start=1):
        interval = "-" if r.cvr_low is None else f"{_pct(r.cvr_low)} - {_pct(r.cvr_high)}"
        seed_sell = "-" if r.seed_share is None else f"{r.seed_share:.0%} / {r.sell_share or 0:.0%}"
        cta = "none" if r.cta_time_s is None else f"{r.cta_time_s:.1f} s"
        body.append(
            f'<tr><td class="n">{i}</td><td>{_e(r.file_name)}</td><td>{_e(r.creator_id)}</td>'
            f"<td>{_e(r.product_name or r.product_id)}</td>"
            f'<td class="n">{_pct(r.cvr)}</td><td class="n">{interval}</td>'
            f'<td class="n">{_num(r.gpm, 2)}</td><td class="n">{_num(r.hook_score)}</td>'
            f'<td class="n">{_num(r.selling_point_score)}</td><td class="n">{seed_sell}</td>'
            f'<td class="n">{cta}</td><td>{_e(r.top_reason)}</td></tr>'
        )
    return f"<table>{head}{''.join(body)}</table>"


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _creators(rows: Sequence[ResultRow], failed: Sequence[ResultRow]) -> str:
    by: dict[str, list[ResultRow]] = defaultdict(list)
    for r in rows:
        by[r.creator_id or NO_CREATOR].append(r)
    fails = Counter(r.creator_id or NO_CREATOR for r in failed)
    order = sorted(
        set(by) | set(fails),
        key=lambda c: -(_mean([r.cvr for r in by.get(c, []) if r.cvr is not None]) or -1),
    )
    body = []
    for c in order:
        rs = by.get(c, [])
        best = max((r for r in rs if r.cvr is not None), key=lambda r: r.cvr or 0, default=None)
        cvr = _mean([r.cvr for r in rs if r.cvr is not None])
        hook = _mean([r.hook_score for r in rs if r.hook_score is not None])
        sp = _mean([r.selling_point_score for r in rs if r.selling_point_score is not None])
        body.append(
            f'<tr><td>{_e(c)}</td><td class="n">{len(rs)}</td><td class="n">{fails[c]}</td>'
            f'<td class="n">{_pct(cvr)}</td><td class="n">{_num(hook)}</td>'
            f'<td class="n">{_num(sp)}</td><td>{_e(best.file_name if best else None)}</td></tr>'
        )
    head = (
        "<tr><th>Creator</th><th>Scored</th><th>Failed</th><th>Mean predicted CVR</th>"
        "<th>Mean hook</th><th>Mean selling points</th><th>Best video</th></tr>"
    )
    return f"<table>{head}{''.join(body)}</table>"


def _reasons(rows: Sequence[ResultRow], top: int = 10) -> str:
    counts = Counter(c for r in rows for c in (r.reason_codes or "").split(",") if c)
    titles: dict[str, str] = {}
    for r in rows:  # the title is only kept for a video's first reason
        code = (r.reason_codes or "").split(",")[0]
        if code and r.top_reason:
            titles.setdefault(code, r.top_reason)
    if not counts:
        return '<p class="muted">No reasons found (or no conversion model in the store).</p>'
    body = "".join(
        f"<tr><td><code>{_e(code)}</code></td><td>{_e(titles.get(code, ''))}</td>"
        f'<td class="n">{n}</td><td class="n">{n / len(rows):.0%}</td></tr>'
        for code, n in counts.most_common(top)
    )
    head = "<tr><th>Reason</th><th>Title</th><th>Videos</th><th>Share of scored</th></tr>"
    return f"<table>{head}{body}</table>"


def _failures(failed: Sequence[ResultRow]) -> str:
    if not failed:
        return ""
    body = "".join(
        f'<tr><td class="n">{r.row}</td><td>{_e(r.file_name)}</td>'
        f'<td class="failed">{_e(r.error)}</td></tr>'
        for r in sorted(failed, key=lambda r: r.row)
    )
    return f"<h2>Failed</h2><table><tr><th>Row</th><th>Video</th><th>Error</th></tr>{body}</table>"


def render_summary(rows: Sequence[ResultRow], title: str = "sellscope batch") -> str:
    """The HTML page for the result rows of a batch."""
    done = [r for r in rows if r.status in DONE]
    failed = [r for r in rows if r.status == FAILED]
    skipped = sum(r.status == SKIPPED for r in rows)
    heads = sorted({r.heads_model for r in done if r.heads_model})
    conv = sorted({r.conversion_model for r in done if r.conversion_model})
    svgs = "".join(histogram_svg(h) for h in _histograms(done))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f"<p>{len(rows)} videos: {len(done)} with scores ({skipped} of them from an earlier "
        f"run), {len(failed)} failed.</p>"
        f'<p class="muted">heads: {_e(", ".join(heads) or "-")}; '
        f"conversion: {_e(', '.join(conv) or 'none')}</p>"
        f'<h2>Score distributions</h2><div class="grid">{svgs}</div>'
        "<h2>Videos by predicted conversion</h2>"
        + _ranking(done)
        + "<h2>Creators</h2>"
        + _creators(done, failed)
        + "<h2>Most frequent reasons</h2>"
        + _reasons(done)
        + _failures(failed)
        + "</body></html>\n"
    )


def write_summary(rows: Sequence[ResultRow], path: str | Path, title: str | None = None) -> Path:
    """Write the HTML summary atomically; returns its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page = render_summary(rows, title or f"sellscope batch: {path.stem}")
    atomic_write_bytes(path, page.encode("utf-8"))
    return path
