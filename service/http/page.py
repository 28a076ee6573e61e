"""The web page: pick or drop a video, watch it upload and score, read the report.

A static HTML page and one script (``static/``), no external assets. The page submits the
video to the async task endpoint (so long videos never meet an HTTP timeout), polls its
status, fetches the report JSON, and asks the server to render it (``render_html``, the
same page the CLI writes), which it shows in a sandboxed frame beside a JSON download.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.http.schemas import PageConfig

STATIC = Path(__file__).with_name("static")

# The report frame inherits this policy: inline <style> and data: images only, no scripts.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; frame-src 'self' blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def _asset(name: str) -> bytes:
    return (STATIC / name).read_bytes()


async def _index(_: Request) -> Response:
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers=HEADERS)


async def _script(_: Request) -> Response:
    return Response(_asset("page.js"), media_type="text/javascript; charset=utf-8", headers=HEADERS)


def page_routes(config: Callable[[], PageConfig]) -> list[Route]:
    """The page's routes: ``/ui``, ``/ui/page.js`` and ``/ui/config``.

    Args:
        config: what the page is told (whether a token is needed, the limits).
    """

    async def _config(_: Request) -> Response:
        return JSONResponse(config().model_dump(), headers={"Cache-Control": "no-store"})

    return [
        Route("/ui", _index, methods=["GET"]),
        Route("/ui/page.js", _script, methods=["GET"]),
        Route("/ui/config", _config, methods=["GET"]),
    ]
