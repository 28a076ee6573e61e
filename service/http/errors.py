"""Every error the HTTP edge returns, mapped to a status code and a JSON body in one place.

The body is always ``{"error": code, "detail": message}``: ``code`` is a short snake_case
name a client can branch on, ``detail`` a sentence a person can act on. The project's own
exceptions (``service.errors``) carry their code and status; anything else is a 500 with a
generic message, its traceback only in the server log. Errors BentoML produces itself
(input validation, unknown task ids, timeouts, 404s) are rewritten into the same shape by
:class:`ErrorShapeMiddleware`, so a client sees one format whatever failed.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.responses import JSONResponse

from service.errors import InputError, SellscopeError

log = logging.getLogger("sellscope.http")

T = TypeVar("T")

INTERNAL_DETAIL = "internal error; the server log has the details"
UNAVAILABLE_DETAIL = "the service cannot score right now (a model is missing or not loaded)"
MAX_DETAIL_CHARS = 600

# Codes of the statuses that reach a client without one of our exceptions behind them.
STATUS_CODES: dict[int, str] = {
    400: "bad_input",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    413: "upload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}


class UploadTooLargeError(InputError):
    """The request body or an uploaded file is over the configured size."""

    code = "upload_too_large"
    http_status = 413


class UnsupportedMediaError(InputError):
    """The uploaded bytes are not a video container we accept (whatever the file name says)."""

    code = "unsupported_media_type"
    http_status = 415


class TooManyFilesError(InputError):
    """A batch upload holds more files than allowed."""

    code = "too_many_files"
    http_status = 413


class UnauthorizedError(SellscopeError):
    """A protected endpoint was called without the right bearer token."""

    code = "unauthorized"
    http_status = 401


@dataclass(frozen=True)
class ErrorReply:
    """One error as the client sees it."""

    status: int
    code: str
    detail: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, str]:
        """The JSON body."""
        return {"error": self.code, "detail": self.detail}

    def response(self) -> JSONResponse:
        """A Starlette response (BentoML passes a returned ``Response`` through as is)."""
        return JSONResponse(self.body(), status_code=self.status, headers=dict(self.headers))


# An absolute path: the client never needs to see where the server keeps its files
# (FFmpeg messages quote the file they failed on).
_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s'\"/:]+/)+([^\s'\"/:]+)")


def scrub(detail: str) -> str:
    """Shorten ``detail`` and reduce absolute server paths in it to their file names."""
    text = _PATH.sub(r"\1", detail).strip()
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 3] + "..."


def generic_detail(status: int) -> str:
    """What a client is told of a server-side failure."""
    return UNAVAILABLE_DETAIL if status == 503 else INTERNAL_DETAIL


def describe_validation(errors: Iterable[Mapping[str, Any]]) -> str:
    """``field: message; field: message`` from pydantic's (or BentoML's) error list."""
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "__root__"))
        msg = str(e.get("msg", "invalid value"))
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "the request is not valid"


def reply_for(exc: BaseException) -> ErrorReply:
    """Map any exception to what the client gets (the one mapping of the HTTP layer)."""
    from pydantic import ValidationError

    if isinstance(exc, SellscopeError):
        status = int(exc.http_status)
        if status >= 500:
            # server-side facts (store paths, the command that fixes it) stay in the log
            log.error("%s: %s", exc.code, exc.message)
            return ErrorReply(status, exc.code, generic_detail(status))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return ErrorReply(status, exc.code, scrub(exc.message), headers)
    if isinstance(exc, ValidationError):
        return ErrorReply(400, "bad_input", scrub(describe_validation(exc.errors())))
    log.error("unexpected error while serving a request", exc_info=exc)
    return ErrorReply(500, "internal_error", INTERNAL_DETAIL)


def guarded(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | JSONResponse:
    """Call ``fn``; on any exception return its error response instead of raising."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the edge: every failure becomes a JSON reply
        return reply_for(e).response()


# ---------------------------------------------------------------- framework errors


def _is_ours(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and set(obj) == {"error", "detail"}
        and isinstance(obj["error"], str)
        and re.fullmatch(r"[a-z][a-z0-9_]*", obj["error"]) is not None
        and isinstance(obj["detail"], str)
    )


def reshape(status: int, body: bytes, content_type: str = "") -> bytes | None:
    """Rewrite an error body that is not in our shape; None when it already is.

    Handles BentoML's validation errors (``{"error": "2 validation errors ...",
    "detail": [...]}``), its ``[{"error": ...}]`` bodies, plain ``{"error": ...}`` ones
    and Starlette's text bodies ("Not Found").
    """
    obj: Any = None
    if "json" in content_type or body[:1] in (b"{", b"["):
        try:
            obj = json.loads(body or b"null")
        except ValueError:
            obj = None
    if _is_ours(obj):
        return None
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        obj = obj[0]
    detail = ""
    if isinstance(obj, dict):
        if isinstance(obj.get("detail"), list):
            detail = describe_validation(obj["detail"])
        else:
            detail = str(obj.get("error") or obj.get("detail") or "")
    elif obj is None and "html" not in content_type:
        detail = body.decode("utf-8", "replace")
    if status >= 500 and status != 504:
        detail = generic_detail(status)
    code = STATUS_CODES.get(status, "error" if status < 500 else "internal_error")
    reply = ErrorReply(status, code, scrub(detail) or code.replace("_", " "))
    return json.dumps(reply.body()).encode()


class ErrorShapeMiddleware:
    """ASGI middleware: every error response (status >= 400) leaves in our JSON shape.

    Only error responses are held back and rewritten; successful ones stream through.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: dict | None = None
        chunks: list[bytes] = []

        async def _send(message: dict) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] >= 400:
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await _send_reshaped(send, held, b"".join(chunks))

        await self.app(scope, receive, _send)


async def _send_reshaped(send: Callable, start: dict, body: bytes) -> None:
    headers = [(k, v) for k, v in start.get("headers", [])]
    ctype = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
    new = reshape(start["status"], body, ctype.lower())
    if new is not None:
        drop = {b"content-length", b"content-type"}
        headers = [(k, v) for k, v in headers if k.lower() not in drop]
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(new))]
        body = new
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
