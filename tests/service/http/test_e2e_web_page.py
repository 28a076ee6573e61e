"""End to end in a browser: headless Chromium uploads a generated video on the web page,
waits for the report and finds the hook score and the diagnosis in it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.service.http.cdp import chromium_path, headless_page, js
from tests.service.http.conftest import TOKEN
from tests.service.http.serving import ROOT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed"),
]

SCREENSHOT = ROOT / "out" / "screenshots" / "web_page.png"

READ_REPORT = """(() => {
  const status = document.getElementById('status');
  if (status.className === 'error') return {error: status.textContent};
  if (document.getElementById('result').hidden) return null;
  const doc = document.getElementById('report').contentDocument;
  const gauge = doc && doc.querySelector('#gauge-hook svg text');
  if (!gauge) return null;
  return {
    hook_gauge: gauge.textContent,
    hook_summary: document.getElementById('hook-score').textContent,
    reasons: [...doc.querySelectorAll('#diagnosis article.reason h3')].map(h => h.textContent),
    product: doc.querySelector('#header').textContent,
    download: document.getElementById('download').href,
    status: status.textContent,
  };
})()"""


def test_the_page_uploads_a_video_and_shows_its_report(server, product_video, tmp_path):
    page_html = httpx.get(server.url + "/ui")
    assert page_html.status_code == 200 and "Content-Security-Policy" in page_html.headers
    with headless_page(tmp_path / "profile") as page:
        page.call("Page.navigate", url=server.url + "/ui")
        page.wait_for("document.readyState === 'complete' && !!document.getElementById('go')", 30)
        # the server asks for a token: the page shows its field once it has read /ui/config
        page.wait_for("!document.getElementById('token-field').hidden", 15)
        page.evaluate(f"document.getElementById('token').value = {js(TOKEN)}")
        page.evaluate("document.getElementById('language').value = 'en'")
        label = product_video.truth.video.product_label
        page.evaluate(f"document.getElementById('product_name').value = {js(label)}")
        # the category list comes from /ui/config: the product's own is one of its options
        category = product_video.truth.video.category
        page.evaluate(f"document.getElementById('category').value = {js(category)}")
        # the page takes the creator's rate in percent and sends the API a fraction
        page.evaluate("document.getElementById('creator_cvr_percent').value = '0.4'")
        page.set_files("#file", [Path(product_video.video_path)])
        page.wait_for("!document.getElementById('go').disabled", 10)
        page.evaluate("document.getElementById('go').click()")
        shown = page.wait_for(READ_REPORT, timeout=300, poll=1.0)
        page.evaluate("document.getElementById('report').style.height = '2400px'")
        page.screenshot(SCREENSHOT)
    assert "error" not in shown, shown
    assert shown["hook_gauge"].isdigit() and 0 <= int(shown["hook_gauge"]) <= 100
    # the page's summary (from the JSON) and the server's HTML show the same score
    assert abs(int(shown["hook_summary"].split("/")[0]) - int(shown["hook_gauge"])) <= 1
    assert len(shown["reasons"]) >= 1, "the diagnosis lists at least one reason"
    assert shown["download"].startswith("blob:") and shown["status"] == "Done."
    assert product_video.truth.video.product_label in shown["product"]  # the metadata went along
    assert "recent conversion 0.40%" in shown["product"], shown["product"]
    assert f"category {product_video.truth.video.category}" in shown["product"]
    assert SCREENSHOT.stat().st_size > 20_000
