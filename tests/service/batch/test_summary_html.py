"""The batch's HTML summary: self-contained, ranked, histograms, creators, reasons."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from service.batch.results import ResultRow
from service.batch.summary_html import Histogram, histogram_svg, render_summary, write_summary


def _row(row: int, creator: str | None, cvr: float | None, codes: str = "", **kw) -> ResultRow:
    status = kw.pop("status", "scored")
    first = codes.split(",")[0] if codes else None
    return ResultRow(
        row=row, video=f"/v/{row}.mp4", file_name=f"video{row}.mp4", sha256=f"s{row}",
        creator_id=creator, product_id=None, product_name=None, status=status,
        hook_score=None if cvr is None else 40.0 + row, selling_point_score=None if cvr is None
        else 60.0, seed_share=0.7, sell_share=0.3, cvr=cvr, cvr_low=cvr and cvr / 2,
        cvr_high=cvr and cvr * 2, reason_codes=codes, top_reason=first and f"Title {first}",
        heads_model="sellscope-heads:v1", **kw,
    )  # fmt: skip


ROWS = [
    _row(1, "alice", 0.010, "weak_hook,no_cta"),
    _row(2, "bob", 0.030, "weak_hook"),
    _row(3, "alice", 0.020, "product_too_late,weak_hook", status="skipped"),
    _row(4, None, 0.005, ""),
    _row(5, "bob", None, None, status="failed", error="video5.mp4: <not> a video"),
]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("src", "href") and v]


def test_page_is_self_contained_and_well_formed():
    page = render_summary(ROWS)
    p = _Collect()
    p.feed(page)
    assert p.links == [] and "script" not in p.tags  # nothing to fetch, nothing to run
    assert p.tags.count("svg") == 4 and p.tags.count("table") == 4


def test_videos_are_ranked_by_predicted_conversion():
    page = render_summary(ROWS)
    ranking = page.split("Videos by predicted conversion")[1].split("<h2>")[0]
    order = re.findall(r"video(\d)\.mp4", ranking)
    assert order == ["2", "3", "1", "4"]  # 3.00%, 2.00%, 1.00%, 0.50%; the failed one left out
    assert "3.00%" in ranking and "1.50% - 6.00%" in ranking


def test_creators_and_reasons_are_counted():
    page = render_summary(ROWS)
    creators = page.split("<h2>Creators</h2>")[1].split("<h2>")[0]
    bob = re.search(r"<td>bob</td>(.*?)</tr>", creators).group(1)
    assert re.findall(r'class="n">([^<]*)<', bob)[:3] == ["1", "1", "3.00%"]  # 1 scored, 1 failed
    assert "(no creator id)" in creators
    reasons = page.split("Most frequent reasons")[1]
    counts = re.findall(r"<code>(\w+)</code></td><td>[^<]*</td><td class=\"n\">(\d+)", reasons)
    assert counts[0] == ("weak_hook", "3") and ("no_cta", "1") in counts
    assert "Title weak_hook" in reasons


def test_failures_are_listed_and_text_is_escaped():
    page = render_summary(ROWS)
    assert "video5.mp4: &lt;not&gt; a video" in page and "<not>" not in page
    assert "1 failed" in page and "1 of them from an earlier run" in page


def test_histogram_counts_every_value_into_its_bin():
    svg = histogram_svg(Histogram("Hook", (0.0, 5.0, 55.0, 100.0, 100.0), 0, 100, 10, str))
    heights = [float(h) for h in re.findall(r'<rect[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 10 and heights[0] == max(heights)  # 0 and 5 share the first bin
    assert heights[0] == heights[9] and heights[5] == heights[0] / 2 and heights[1] == 0
    assert "(n=5)" in svg


def test_empty_batch_still_renders(tmp_path):
    path = write_summary([], tmp_path / "out" / "s.html")
    text = path.read_text()
    assert "0 videos" in text and "No reasons found" in text
