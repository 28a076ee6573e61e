"""The web page: served with a strict policy, no external assets, config for the script."""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.testclient import TestClient

from service.domain import CATEGORIES
from service.http.page import STATIC, page_routes
from service.http.schemas import PageConfig


def _client(auth: bool) -> TestClient:
    config = PageConfig(
        auth_required=auth,
        max_upload_mb=8,
        max_batch_files=3,
        max_duration_s=60,
        categories=list(CATEGORIES),
    )
    return TestClient(Starlette(routes=page_routes(lambda: config)))


def test_the_page_and_its_script_are_served_with_a_content_policy():
    client = _client(auth=False)
    page = client.get("/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/ui/page.js">' in page.text and 'id="file"' in page.text
    script = client.get("/ui/page.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/score_async/submit" in script.text and "/render_html" in script.text


def test_the_page_loads_nothing_from_elsewhere():
    for f in STATIC.iterdir():
        text = f.read_text()
        assert not re.search(r"https?://", text), f.name
        assert "<script>" not in text, f"{f.name}: inline scripts break the content policy"


def test_the_config_tells_the_page_whether_a_token_is_needed():
    assert _client(auth=True).get("/ui/config").json()["auth_required"] is True
    config = _client(auth=False).get("/ui/config").json()
    assert config == {"auth_required": False, "max_upload_mb": 8.0, "max_batch_files": 3,
                      "max_duration_s": 60.0, "categories": list(CATEGORIES)}  # fmt: skip
