"""Bearer-token authentication: when ``SELLSCOPE_API_TOKEN`` is set, only its holders score.

Default-deny: every path needs the token except the health and metrics endpoints, the API
docs and the web page (which asks for the token and sends it with each call). A new
endpoint is therefore protected without anyone remembering to protect it.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Any

from service.http.errors import UnauthorizedError, reply_for

TOKEN_ENV = "SELLSCOPE_API_TOKEN"

OPEN_PATHS = frozenset(
    {"/", "/healthz", "/livez", "/readyz", "/metrics", "/docs.json", "/schema.json", "/ui"}
)
OPEN_PREFIXES = ("/ui/", "/static_content/", "/assets/")


def token_from_env() -> str | None:
    """The configured token, or None when the service is open (unset or blank)."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def is_open(path: str) -> bool:
    """Whether ``path`` is served without a token."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def check_bearer(authorization: str | None, token: str) -> None:
    """Accept ``Authorization: Bearer <token>``; compare in constant time.

    Raises:
        UnauthorizedError: the header is missing, not a bearer token, or the wrong token.
    """
    if not authorization:
        raise UnauthorizedError(
            "this endpoint needs a token: send the header 'Authorization: Bearer <token>'"
        )
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise UnauthorizedError("the Authorization header must be 'Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise UnauthorizedError("the token is not valid")


class BearerAuthMiddleware:
    """ASGI middleware: 401 for protected paths without the right bearer token.

    Args:
        app: the wrapped ASGI app.
        token: the token; ``token_from_env()`` when omitted; no checks when None.
    """

    def __init__(self, app: Any, token: str | None = None) -> None:
        self.app = app
        self.token = token if token is not None else token_from_env()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or self.token is None or is_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        header = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"authorization"),
            None,
        )
        try:
            check_bearer(header, self.token)
        except UnauthorizedError as e:
            await reply_for(e).response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
