"""The HTML report: self-contained, escaped, and every section drawn from the report."""

from __future__ import annotations

import base64
import re

import cv2
import numpy as np

from service.report.html import render_html
from service.report.schema import (
    Contribution,
    CurveWindow,
    EvidenceSummary,
    HookReport,
    KeyFrameReport,
    LineReport,
    Meta,
    PredictionReport,
    ProductReport,
    ReasonEvidenceReport,
    ReasonReport,
    Report,
    Scores,
    SeedSellReport,
    SellingPointReport,
    SellingPointsReport,
    TimedText,
    VideoFacts,
)

EVIL = "<script>alert(1)</script>"
CTA = "点击下方小黄车"


def _frame_b64(colour: tuple[int, int, int]) -> str:
    img = np.zeros((32, 18, 3), np.uint8)
    img[:] = colour
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return base64.b64encode(buf.tobytes()).decode()


def _line(text: str, a: float, b: float, intent: str, role: str = "none", cta: float = 0.0):
    seed = {"seed": 0.8, "sell": 0.15, "neutral": 0.3}[intent]
    return LineReport(
        text=text, start_s=a, end_s=b, source="speech", hook_strength=0.4, hook_type="question",
        fabe_role=role, intent=intent, seed=seed, sell=1 - seed, cta=cta,
    )  # fmt: skip


def make_report(
    hook_score: float = 80.0,
    selling_score: float = 30.0,
    script: bool = False,
    prediction: bool = True,
) -> Report:
    """A realistic report; ``script`` makes one with no picture, frames, cuts or captions."""
    lines = [
        _line(f"你有没有遇到过这种情况？{EVIL}", 0.0, 2.6, "seed"),
        _line("这款保温杯304不锈钢内胆，保温12小时", 3.0, 7.5, "seed", "feature"),
        _line("比普通杯子轻一半，通勤带着不累", 8.0, 12.0, "neutral", "advantage"),
        _line(f"{CTA}，今天下单立减二十", 24.0, 28.5, "sell", cta=0.91),
    ]
    if not script:
        lines.insert(
            3, lines[2].model_copy(update={"source": "caption", "start_s": 14.0, "end_s": 17.0})
        )
    frames = [
        KeyFrameReport(time_s=float(t), jpeg_b64=_frame_b64((40 * t % 255, 90, 200)))
        for t in range(0, 30, 3)
    ]
    pred = PredictionReport(
        cvr=0.0042, cvr_interval=(0.0021, 0.008), gpm=12.34, gpm_interval=(6.1, 24.0),
        interval_coverage=0.8, base_cvr=0.003,
        contributions=[
            Contribution(feature="hook_strength", label="hook strength", value=0.81, effect=0.21),
            Contribution(feature="cta_time", label="CTA time (s)", value=24.0, effect=-0.35),
            Contribution(feature="followers", label="creator followers", value=None, effect=0.05),
        ],
    )  # fmt: skip
    reasons = [
        ReasonReport(
            code="late_cta", title="The call to action comes too late", severity="high",
            effect=0.23,
            evidence=ReasonEvidenceReport(time_s=24.0, end_s=28.5, quote=CTA, frame_time_s=24.2),
            fix="Say the offer and where to tap before 0:15.",
        ),
        ReasonReport(
            code="hook_weak", title="Weak opening line", severity="medium", effect=0.12,
            evidence=ReasonEvidenceReport(
                time_s=0.0, end_s=2.6, quote=f"你有没有遇到过这种情况？{EVIL}", frame_time_s=0.0
            ),
            fix="Open on the problem the product solves.",
        ),
    ]  # fmt: skip
    duration = 29.0
    return Report(
        generated_at="2025-01-01T00:00:00+00:00",
        sellscope_version="0.1.0",
        video=VideoFacts(
            source="script" if script else "video",
            file_name=None if script else "cup.mp4",
            duration_s=duration,
            width=0 if script else 720,
            height=0 if script else 1280,
            fps=0.0 if script else 30.0,
            has_audio=not script,
            size_bytes=1_234_567,
            language="zh",
            language_source="detected",
        ),  # fmt: skip
        meta=Meta(product_name="保温杯", price=59.0, currency="CNY"),
        evidence=EvidenceSummary(
            transcript=[TimedText(text=x.text, start_s=x.start_s, end_s=x.end_s) for x in lines],
            captions=[] if script else [TimedText(text="限时优惠", start_s=22.0, end_s=27.0)],
            cuts_s=[] if script else [2.9, 7.8, 15.2, 23.6],
            face_share=None if script else 0.6,
            words_per_second=4.1,
            dead_air_share=0.1,
            longest_dead_air_s=9.5,
            cuts_per_10s=1.4,
            mean_shot_s=5.8,
        ),  # fmt: skip
        scores=Scores(
            hook=HookReport(
                score=hook_score,
                band="good",
                hook_type="question",
                quote=lines[0].text,
                window_s=(0.0, 3.0),
                said_strength=0.78,
                caption_in_window=None,
                cut_or_motion_early=True,
                face_early=True,
            ),
            selling_points=SellingPointsReport(
                score=selling_score,
                band="poor",
                points=[
                    SellingPointReport(
                        text=lines[1].text,
                        role="feature",
                        confidence=0.9,
                        start_s=3.0,
                        end_s=7.5,
                        source="speech",
                        shown_on_screen=True,
                        specific=True,
                    ),
                    SellingPointReport(
                        text=lines[2].text,
                        role="advantage",
                        confidence=0.7,
                        start_s=8.0,
                        end_s=12.0,
                        source="speech",
                        shown_on_screen=False,
                        specific=False,
                    ),
                ],
                roles_covered=["feature", "advantage"],
                first_time_s=3.0,
                shown_share=0.5,
                specific_share=0.5,
            ),
            seed_sell=SeedSellReport(
                seed_share=0.64,
                sell_share=0.36,
                curve=[
                    CurveWindow(start_s=t, end_s=min(duration, t + 5), seed=0.7, sell=0.3)
                    for t in range(0, 30, 5)
                ],
                sell_turn_s=24.0,
                sell_too_early=False,
                never_sells=False,
                cta_time_s=24.0,
                cta_quote=lines[-1].text,
            ),
            product=ProductReport(
                first_shown_s=None if script else 1.5,
                shown_evidence=None if script else "logo",
                first_named_s=3.0,
                named_quote=lines[1].text,
                named_by="selling_point",
            ),
            lines=lines,
        ),  # fmt: skip
        prediction=pred if prediction else None,
        diagnosis=reasons,
        key_frames=[] if script else frames,
        models={"sentence_heads": "heads:abc123", "conversion": "conversion:def456"},
    )


def test_page_is_self_contained_and_escaped():
    page = render_html(make_report())
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert CTA in page
    assert "data:image/jpeg;base64," in page
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_page_shows_scores_prediction_and_diagnosis():
    r = make_report()
    page = render_html(r)
    assert ">80<" in page  # the hook gauge's number
    for reason in r.diagnosis:
        assert reason.title in page
    assert "+23% predicted conversion if fixed" in page
    assert "0:24\u20130:28" in page  # the late-CTA reason's time range
    assert "0.42%" in page and "0.21%" in page and "0.80%" in page and "80% interval" in page
    assert "$12.34" in page and "0.30%" in page
    assert "+23%" in page  # exp(0.21) - 1 of the hook-strength contribution
    assert "-30%" in page  # exp(-0.35) - 1
    assert "unknown" in page  # the contribution with no value
    assert "heads:abc123" in page and "conversion:def456" in page


def test_reason_card_shows_the_nearest_key_frame():
    r = make_report()
    page = render_html(r)
    cards = re.findall(r'<article class="card reason".*?</article>', page, re.S)
    assert len(cards) == 2
    nearest = min(r.key_frames, key=lambda k: abs(k.time_s - 24.2))
    assert nearest.time_s == 24.0
    assert nearest.jpeg_b64 in cards[0]
    assert r.key_frames[0].jpeg_b64 in cards[1]


def test_timeline_has_one_bar_per_speech_line():
    r = make_report()
    page = render_html(r)
    svg = re.search(r'<section id="timeline".*?</section>', page, re.S)
    assert svg and "<svg" in svg.group(0)
    timeline = svg.group(0)
    n_speech = sum(ln.source == "speech" for ln in r.scores.lines)
    assert n_speech == 4 and len(r.scores.lines) == 5
    assert timeline.count('class="bar speech') == n_speech
    assert timeline.count('class="bar speech intent-sell"') == 1
    assert timeline.count('class="cut"') == len(r.evidence.cuts_s)
    assert timeline.count('class="point ') == len(r.scores.selling_points.points)
    for key in ("cta", "shown", "named"):
        assert f"marker-{key}" in timeline
    assert "0:25" in timeline  # tick labels every 5 s on a 29 s video
    # every bar carries its text for hover
    assert all("<title>" in bar for bar in re.findall(r"<rect[^>]*>.*?</rect>", timeline))


def test_transcript_has_every_line():
    r = make_report()
    page = render_html(r)
    table = re.search(r'<section id="transcript".*?</section>', page, re.S).group(0)
    assert table.count('<tr class="line') == len(r.scores.lines)
    assert "0.91" in table
    assert "subtitle" not in table and "heard:" not in table


def test_a_line_read_from_its_subtitle_shows_what_was_heard():
    r = make_report()
    lines = list(r.scores.lines)
    lines[1] = lines[1].model_copy(update={"heard": f"这款保温杯三零四{EVIL}"})
    page = render_html(
        r.model_copy(update={"scores": r.scores.model_copy(update={"lines": lines})})
    )
    table = re.search(r'<section id="transcript".*?</section>', page, re.S).group(0)
    row = re.findall(r'<tr class="line.*?</tr>', table, re.S)[1]
    assert "speech &middot; subtitle" in row and "这款保温杯304不锈钢内胆" in row
    assert "heard: 这款保温杯三零四&lt;script&gt;" in row and EVIL not in page


def test_script_report_renders_without_frames_or_model():
    r = make_report(script=True, prediction=False)
    page = render_html(r)
    assert "no conversion model in the store" in page
    assert "sellscope train conversion" in page
    assert "<h1>script</h1>" in page
    assert "data:image/jpeg;base64," not in page
    assert "<svg" in page and 'class="cut"' not in page
    assert "http://" not in page and "<script" not in page.lower()


def test_no_reasons_says_so():
    r = make_report().model_copy(update={"diagnosis": []})
    assert "No major problems found" in render_html(r)


def test_band_colour_follows_the_score():
    page = render_html(make_report(hook_score=80, selling_score=30))

    def gauge(key: str) -> tuple[str, str]:
        m = re.search(
            rf'<figure id="gauge-{key}" class="gauge (band-\w+)">.*?</figure>', page, re.S
        )
        assert m
        colour = re.search(r'class="arc"[^>]*stroke="(#[0-9a-f]{6})"', m.group(0))
        assert colour
        return m.group(1), colour.group(1)

    good, poor = gauge("hook"), gauge("selling")
    assert good[0] == "band-good" and poor[0] == "band-poor"
    assert good[1] != poor[1]
    fair = render_html(make_report(hook_score=55))
    assert 'id="gauge-hook" class="gauge band-fair"' in fair
