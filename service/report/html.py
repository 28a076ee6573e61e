"""The report as one self-contained HTML page: inline CSS and SVG, key frames as data URIs.

No external assets, fonts or scripts: the page opens offline, in a mail attachment or a
chat preview, and reads on a laptop and a phone. Everything that comes from the report is
passed through :func:`html.escape`, so quotes and captions cannot inject markup.
"""

from __future__ import annotations

import math
import re

from service.report.build import band as band_of
from service.report.html_parts import (
    BAND_COLOURS,
    INTENT_COLOURS,
    ROLE_COLOURS,
    SEP,
    SEVERITY_COLOURS,
    esc,
    img_tag,
    mmss,
    nearest_frame,
    num,
    pct,
    quoted,
    signed_pct,
    time_span,
)
from service.report.schema import (
    Contribution,
    KeyFrameReport,
    PredictionReport,
    ReasonReport,
    Report,
)
from service.report.timeline import timeline_section

__all__ = ["band_of", "render_html"]

_CSS = """
:root{--fg:#1f2328;--muted:#667085;--line:#e4e7ec;--card:#fff;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.45;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:1040px;margin:0 auto;padding:16px}
h1{font-size:1.45rem;margin:0 0 4px;word-break:break-all}
h2{font-size:1.1rem;margin:0 0 10px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:14px 16px;margin:0 0 14px}
.muted{color:var(--muted)}
.small{font-size:.82rem}
.facts{margin:0;color:var(--muted)}
.facts b{color:var(--fg);font-weight:600}
.gauges{display:flex;flex-wrap:wrap;gap:14px}
.gauge{flex:1 1 260px;margin:0;text-align:center;border:1px solid var(--line);
border-radius:8px;padding:10px}
.gauge svg{width:180px;max-width:100%;height:auto;display:block;margin:0 auto}
.gauge figcaption{font-size:.9rem;color:var(--fg)}
.gauge .name{font-weight:600}
.band-good{color:#2e7d32}.band-fair{color:#d98b00}.band-poor{color:#c62828}
.balance{margin-top:14px}
.bar{display:flex;height:18px;border-radius:9px;overflow:hidden;background:#eef0f3}
.bar span{display:block;height:100%}
.warn{color:#c62828;font-weight:600}
.big{font-size:1.6rem;font-weight:700}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:5px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:.8rem}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
.effbar{width:150px;height:14px;display:block}
.cards{display:grid;gap:12px}
.card{border:1px solid var(--line);border-left:5px solid var(--sev);border-radius:8px;
padding:10px 12px;display:flex;gap:12px;align-items:flex-start}
.card .body{flex:1;min-width:0}
.card h3{font-size:1rem;margin:2px 0 4px}
.card img{width:120px;height:auto;border-radius:6px;flex:none}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;
font-size:.75rem;font-weight:700;text-transform:uppercase;background:var(--sev)}
.gain{font-weight:600;color:#2e7d32;margin-left:6px}
.quote{margin:4px 0;font-style:italic}
.fix{margin:6px 0 0}
.ok{color:#2e7d32;font-weight:600}
.timeline svg{display:block;width:100%;min-width:720px;height:auto}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:.8rem;color:var(--muted);
margin-top:6px}
.legend i{display:inline-block;width:14px;height:10px;border-radius:2px;margin-right:5px;
vertical-align:middle}
.legend i.line{width:16px;height:0;border-top:2px dashed;border-radius:0}
.legend i.dot{width:12px;height:12px;border-radius:50%;border:2px solid #1971c2}
.frames{display:flex;gap:8px;overflow-x:auto;padding-bottom:6px}
.frames figure{margin:0;flex:none;text-align:center}
.frames img{height:120px;width:auto;border-radius:6px;display:block}
.frames figcaption{font-size:.78rem;color:var(--muted)}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:.78rem;color:#fff}
footer{color:var(--muted);font-size:.75rem;padding:4px 2px 20px;word-break:break-word}
@media (max-width:600px){main{padding:8px}section{padding:10px}
.card{flex-direction:column}.card img{width:100%;max-width:240px}
.src{display:none}}
"""


# ---------------------------------------------------------------- header and footer


def _header(r: Report) -> str:
    """File name and the video's facts."""
    v = r.video
    name = v.file_name or ("script" if v.source == "script" else "video")
    facts = [f"<b>{mmss(v.duration_s)}</b> ({v.duration_s:.1f} s)"]
    lang = v.language or "unknown"
    facts.append(f"language <b>{esc(lang)}</b> ({esc(v.language_source)})")
    if v.width and v.height:
        fps = f" @ {v.fps:.0f} fps" if v.fps else ""
        facts.append(f"<b>{v.width}\u00d7{v.height}</b>{fps}")
    else:
        facts.append("no picture (script)" if v.source == "script" else "no picture")
    if v.source != "script" and not v.has_audio:
        facts.append("no audio")
    m = r.meta
    product = []
    if m.product_name:
        product.append(f"product <b>{esc(m.product_name)}</b>")
    if m.category:
        product.append(f"category {esc(m.category)}")
    if m.price is not None:
        product.append(f"price {esc(m.currency or '')} {m.price:,.2f}".replace("  ", " "))
    if m.views is not None:
        product.append(f"{m.views:,} views")
    if m.creator_followers is not None:
        product.append(f"creator {m.creator_followers:,} followers")
    if m.creator_cvr is not None:
        product.append(f"creator's recent conversion {m.creator_cvr:.2%}")
    extra = f'<p class="facts">{SEP.join(product)}</p>' if product else ""
    return (
        '<section id="header"><h1>'
        f"{esc(name)}</h1>"
        f'<p class="facts">{SEP.join(facts)}</p>{extra}</section>'
    )


def _footer(r: Report) -> str:
    """Model versions, schema and generation time, in small grey text."""
    models = ", ".join(f"{esc(k)}: {esc(v)}" for k, v in sorted(r.models.items())) or "none"
    return (
        f"<footer><div>model versions: {models}</div>"
        f"<div>sellscope {esc(r.sellscope_version)} \u00b7 report schema "
        f"{esc(r.schema_version)} \u00b7 generated {esc(r.generated_at)}</div></footer>"
    )


# ---------------------------------------------------------------- score gauges


def _gauge_svg(score: float) -> str:
    """A semicircle gauge of a 0-100 score, coloured by band."""
    s = max(0.0, min(100.0, float(score)))
    colour = BAND_COLOURS[band_of(s)]
    arc = "M 12 66 A 48 48 0 0 1 108 66"
    return (
        '<svg viewBox="0 0 120 82" role="img" aria-label="score '
        f'{s:.0f} of 100"><path d="{arc}" fill="none" stroke="#e9ecef" stroke-width="12" '
        f'stroke-linecap="round"/><path class="arc" d="{arc}" fill="none" stroke="{colour}" '
        f'stroke-width="12" stroke-linecap="round" pathLength="100" '
        f'stroke-dasharray="{s:.1f} 200"/>'
        f'<text x="60" y="62" text-anchor="middle" font-size="26" font-weight="700" '
        f'fill="{colour}">{s:.0f}</text>'
        '<text x="12" y="81" text-anchor="middle" font-size="8" fill="#98a2b3">0</text>'
        '<text x="108" y="81" text-anchor="middle" font-size="8" fill="#98a2b3">100</text>'
        "</svg>"
    )


def _gauge(key: str, name: str, score: float, caption: str) -> str:
    """A gauge figure with its name and one-line caption."""
    b = band_of(score)
    return (
        f'<figure id="gauge-{key}" class="gauge band-{b}">{_gauge_svg(score)}'
        f'<figcaption><div class="name">{esc(name)} <span class="band-{b}">({b})</span></div>'
        f"<div>{caption}</div></figcaption></figure>"
    )


def _hook_caption(r: Report) -> str:
    """Hook type and the opening quote."""
    h = r.scores.hook
    kind = esc((h.hook_type or "no hook line").replace("_", " "))
    quote = f" \u00b7 {quoted(h.quote)}" if h.quote else ""
    return f"{kind}{quote}"


def _selling_caption(r: Report) -> str:
    """FABE roles covered."""
    sp = r.scores.selling_points
    covered = [c for c in ROLE_COLOURS if c in sp.roles_covered]
    if not covered:
        return "no selling points found"
    return (
        f"roles covered: {esc(', '.join(covered))} ({len(covered)}/4) \u00b7 "
        f"{len(sp.points)} point{'s' if len(sp.points) != 1 else ''}, "
        f"{sp.shown_share:.0%} shown on screen"
    )


def _balance(r: Report) -> str:
    """Seed-vs-sell bar with the CTA time."""
    ss = r.scores.seed_sell
    seed, sell = max(0.0, ss.seed_share), max(0.0, ss.sell_share)
    if seed + sell <= 0:
        bar = '<div class="bar" title="no spoken intent"></div>'
    else:
        bar = (
            '<div class="bar">'
            f'<span style="width:{100 * seed / (seed + sell):.1f}%;'
            f'background:{INTENT_COLOURS["seed"]}" title="seed {seed:.0%}"></span>'
            f'<span style="width:{100 * sell / (seed + sell):.1f}%;'
            f'background:{INTENT_COLOURS["sell"]}" title="sell {sell:.0%}"></span></div>'
        )
    if ss.cta_time_s is not None:
        cta = f"CTA at <b>{mmss(ss.cta_time_s)}</b>"
        if ss.cta_quote:
            cta += f" {quoted(ss.cta_quote)}"
    else:
        cta = '<span class="warn">no call to action</span>'
    notes = []
    if ss.sell_turn_s is not None:
        notes.append(f"hard sell from {mmss(ss.sell_turn_s)}")
    if ss.sell_too_early:
        notes.append('<span class="warn">sells too early</span>')
    if ss.never_sells:
        notes.append('<span class="warn">never sells</span>')
    note = SEP + SEP.join(notes) if notes else ""
    return (
        '<div class="balance"><div class="name"><b>Seed vs sell</b> '
        f'<span style="color:{INTENT_COLOURS["seed"]}">seed {seed:.0%}</span> / '
        f'<span style="color:{INTENT_COLOURS["sell"]}">sell {sell:.0%}</span></div>'
        f'{bar}<div class="small">{cta}{note}</div></div>'
    )


def _scores(r: Report) -> str:
    """The score gauges section."""
    s = r.scores
    return (
        '<section id="scores"><h2>Scores</h2><div class="gauges">'
        f"{_gauge('hook', 'Hook', s.hook.score, _hook_caption(r))}"
        f"{_gauge('selling', 'Selling-point clarity', s.selling_points.score, _selling_caption(r))}"
        f"</div>{_balance(r)}</section>"
    )


# ---------------------------------------------------------------- prediction


def _effect_bar(effect: float, scale: float) -> str:
    """A signed horizontal bar of an effect on ln(cvr), centred at zero."""
    half = 74.0
    length = 0.0 if scale <= 0 else min(1.0, abs(effect) / scale) * half
    pos = effect >= 0
    x = 75.0 if pos else 75.0 - length
    colour = "#2f9e44" if pos else "#c62828"
    return (
        '<svg class="effbar" viewBox="0 0 150 14" aria-hidden="true">'
        f'<rect x="{x:.1f}" y="2" width="{max(length, 0.8):.1f}" height="10" rx="2" '
        f'fill="{colour}"/><line x1="75" y1="0" x2="75" y2="14" stroke="#98a2b3"/></svg>'
    )


def _contributions(items: list[Contribution]) -> str:
    """Table of the largest effects on predicted conversion."""
    if not items:
        return '<p class="muted">no feature moves the prediction noticeably</p>'
    scale = max(abs(c.effect) for c in items)
    rows = "".join(
        f"<tr><td>{esc(c.label)}</td><td class='num'>{esc(num(c.value))}</td>"
        f"<td>{_effect_bar(c.effect, scale)}</td>"
        f"<td class='num'>{esc(signed_pct(math.exp(c.effect) - 1))}</td></tr>"
        for c in items
    )
    return (
        '<div class="scroll"><table class="contrib"><thead><tr><th>what</th>'
        '<th class="num">this video</th><th>effect</th><th class="num">conversion</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _prediction(p: PredictionReport | None) -> str:
    """Predicted conversion, GPM, base rate and the top contributions."""
    if p is None:
        return (
            '<section id="prediction"><h2>Predicted conversion</h2><p class="muted">'
            "no conversion model in the store: run <code>sellscope train conversion</code>"
            "</p></section>"
        )
    cov = f"{p.interval_coverage:.0%}"
    lo, hi = p.cvr_interval
    lines = [
        f'<div><span class="big">{pct(p.cvr)}</span> orders per view '
        f'<span class="muted">({cov} interval {pct(lo)}\u2013{pct(hi)})</span></div>'
    ]
    if p.gpm is not None:
        gi = ""
        if p.gpm_interval is not None:
            gi = f" ({cov} interval ${p.gpm_interval[0]:,.2f}\u2013${p.gpm_interval[1]:,.2f})"
        lines.append(f"<div>GPM <b>${p.gpm:,.2f}</b> per 1,000 views{gi}</div>")
    rel = p.cvr / p.base_cvr - 1 if p.base_cvr > 0 else None
    vs = f" \u00b7 this video {signed_pct(rel)}" if rel is not None else ""
    lines.append(f'<div class="muted">average video: {pct(p.base_cvr)}{vs}</div>')
    return (
        '<section id="prediction"><h2>Predicted conversion</h2>'
        f"{''.join(lines)}<h3 class='small muted'>What moves it most</h3>"
        f"{_contributions(p.contributions)}</section>"
    )


# ---------------------------------------------------------------- diagnosis


def _reason_card(reason: ReasonReport, frames: list[KeyFrameReport]) -> str:
    """One reason as a card: badge, title, gain, where, key frame and fix."""
    sev = reason.severity if reason.severity in SEVERITY_COLOURS else "low"
    ev = reason.evidence
    where = []
    if ev.time_s is not None:
        where.append(f"<b>{time_span(ev.time_s, ev.end_s)}</b>")
    if ev.quote:
        where.append(quoted(ev.quote))
    where_html = f'<p class="quote">{" ".join(where)}</p>' if where else ""
    frame = nearest_frame(frames, ev.frame_time_s)
    img = img_tag(frame, f"frame at {mmss(frame.time_s)}") if frame else ""
    return (
        f'<article class="card reason" style="--sev:{SEVERITY_COLOURS[sev]}">'
        f'<div class="body"><span class="badge">{esc(reason.severity)}</span>'
        f'<span class="gain">{esc(signed_pct(reason.effect))} predicted conversion if fixed'
        f"</span><h3>{esc(reason.title)}</h3>{where_html}"
        f'<p class="fix"><b>Fix:</b> {esc(reason.fix)}</p></div>{img}</article>'
    )


def _diagnosis(r: Report) -> str:
    """Why the video does not sell."""
    if not r.diagnosis:
        body = '<p class="ok">No major problems found</p>'
    else:
        body = (
            '<div class="cards">'
            + "".join(_reason_card(x, r.key_frames) for x in r.diagnosis)
            + "</div>"
        )
    return f'<section id="diagnosis"><h2>Why it does not sell</h2>{body}</section>'


# ---------------------------------------------------------------- frames and transcript


def _frames(r: Report) -> str:
    """The strip of key frames."""
    if not r.key_frames:
        return ""
    figs = []
    for k in r.key_frames:
        img = img_tag(k, f"frame at {mmss(k.time_s)}")
        if img:
            figs.append(f"<figure>{img}<figcaption>{mmss(k.time_s)}</figcaption></figure>")
    if not figs:
        return ""
    strip = "".join(figs)
    return f'<section id="frames"><h2>Key frames</h2><div class="frames">{strip}</div></section>'


def _transcript(r: Report) -> str:
    """Every scored line as a table row."""
    if not r.scores.lines:
        return '<section id="transcript"><h2>Transcript</h2><p class="muted">no lines</p></section>'
    rows = []
    for ln in r.scores.lines:
        intent = ln.intent if ln.intent in INTENT_COLOURS else "neutral"
        role = ln.fabe_role if ln.fabe_role in ROLE_COLOURS else ""
        role_html = (
            f'<span style="color:{ROLE_COLOURS[role]};font-weight:600">{esc(role)}</span>'
            if role
            else '<span class="muted">-</span>'
        )
        source, text = esc(ln.source), esc(ln.text)
        if ln.heard is not None:  # read from the subtitle: say so, and what was heard
            source += " &middot; subtitle"
            text += f'<div class="small muted">heard: {esc(ln.heard)}</div>'
        rows.append(
            f'<tr class="line src-{esc(ln.source)}"><td class="num">'
            f'{time_span(ln.start_s, ln.end_s)}</td><td class="src">{source}</td>'
            f"<td>{text}</td><td>{role_html}</td>"
            f'<td><span class="pill" style="background:{INTENT_COLOURS[intent]}">'
            f"{esc(ln.intent)}</span></td><td class='num'>{ln.cta:.2f}</td></tr>"
        )
    return (
        '<section id="transcript"><h2>Transcript</h2><div class="scroll"><table>'
        "<thead><tr><th class='num'>time</th><th class='src'>source</th><th>text</th><th>FABE</th>"
        "<th>intent</th><th class='num'>P(cta)</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def render_html(report: Report) -> str:
    """Render a report as one self-contained HTML5 page.

    Args:
        report: the report of one video or script.

    Returns:
        The page: inline CSS and SVG, key frames as ``data:`` URIs, no scripts and no
        network fetches; every string from the report is HTML-escaped.
    """
    v = report.video
    title = f"sellscope \u00b7 {v.file_name or ('script' if v.source == 'script' else 'video')}"
    lang = (report.video.language or "").split("-")[0]
    lang_attr = f' lang="{esc(lang)}"' if re.fullmatch(r"[A-Za-z]{2,3}", lang) else ""
    parts = (
        _header(report),
        _scores(report),
        _prediction(report.prediction),
        _diagnosis(report),
        timeline_section(report),
        _frames(report),
        _transcript(report),
        _footer(report),
    )
    return (
        f'<!DOCTYPE html>\n<html{lang_attr}><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )
