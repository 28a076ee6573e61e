"""Bearer-token authentication: protected by default, health and the page left open."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from service.http.auth import BearerAuthMiddleware, check_bearer, is_open, token_from_env
from service.http.errors import UnauthorizedError

TOKEN = "s3cret-token"


def _app() -> Starlette:
    async def ok(_):  # noqa: ANN001, ANN202
        return PlainTextResponse("ok")

    paths = ["/score", "/score_async/status", "/models", "/healthz", "/readyz", "/livez",
             "/metrics", "/ui", "/ui/config", "/docs.json"]  # fmt: skip
    return Starlette(routes=[Route(p, ok, methods=["GET", "POST"]) for p in paths])


@pytest.fixture
def client() -> TestClient:
    return TestClient(BearerAuthMiddleware(_app(), token=TOKEN))


@pytest.mark.parametrize("path", ["/score", "/score_async/status", "/models"])
def test_protected_paths_need_the_token(client, path):
    r = client.post(path)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert "Authorization: Bearer" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "Bearer"
    wrong = client.post(path, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "the token is not valid"
    right = client.post(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and right.text == "ok"


def test_other_schemes_are_refused(client):
    r = client.post("/score", headers={"Authorization": f"Basic {TOKEN}"})
    assert r.status_code == 401 and "Bearer <token>" in r.json()["detail"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/livez", "/metrics", "/ui", "/ui/config"])
def test_health_metrics_and_the_page_stay_open(client, path):
    assert client.get(path).status_code == 200


def test_no_token_configured_means_no_checks(monkeypatch):
    monkeypatch.delenv("SELLSCOPE_API_TOKEN", raising=False)
    client = TestClient(BearerAuthMiddleware(_app()))
    assert client.post("/score").status_code == 200


def test_the_token_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SELLSCOPE_API_TOKEN", "  abc  ")
    assert token_from_env() == "abc"
    monkeypatch.setenv("SELLSCOPE_API_TOKEN", " ")
    assert token_from_env() is None


def test_default_deny_for_paths_nobody_listed():
    assert not is_open("/score_batch/submit") and not is_open("/some_new_endpoint")
    assert is_open("/ui/page.js") and is_open("/healthz")


def test_check_bearer_accepts_only_the_exact_token():
    check_bearer(f"Bearer {TOKEN}", TOKEN)
    check_bearer(f"bearer {TOKEN}", TOKEN)  # the scheme is case-insensitive
    for header in (None, "", "Bearer", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"):
        with pytest.raises(UnauthorizedError):
            check_bearer(header, TOKEN)
