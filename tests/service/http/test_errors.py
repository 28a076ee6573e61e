"""The one mapping of exceptions to status codes and JSON bodies, and the reshaping of
BentoML's own error bodies."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from service.errors import (
    InputError,
    ModelMissingError,
    NotAVideoError,
    VideoTooLongError,
    VideoTooShortError,
    VideoTooSmallError,
)
from service.http.errors import (
    INTERNAL_DETAIL,
    ErrorShapeMiddleware,
    UnauthorizedError,
    UnsupportedMediaError,
    UploadTooLargeError,
    guarded,
    reply_for,
    reshape,
    scrub,
)


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (InputError("x"), 400, "bad_input"),
        (NotAVideoError("x"), 422, "not_a_video"),
        (VideoTooLongError("x"), 422, "video_too_long"),
        (VideoTooSmallError("x"), 422, "video_too_small"),
        (VideoTooShortError("x"), 422, "video_too_short"),
        (UploadTooLargeError("x"), 413, "upload_too_large"),
        (UnsupportedMediaError("x"), 415, "unsupported_media_type"),
        (UnauthorizedError("x"), 401, "unauthorized"),
        (ModelMissingError("x"), 503, "model_missing"),
    ],
)
def test_project_errors_keep_their_status_and_code(exc, status, code):
    reply = reply_for(exc)
    assert (reply.status, reply.code) == (status, code)
    assert set(reply.body()) == {"error", "detail"}


def test_client_errors_say_what_was_wrong_without_server_paths():
    e = NotAVideoError(
        "clip.mp4 is not a readable video (InvalidDataError: [Errno 1094995529] Invalid data "
        "found when processing input: '/tmp/sellscope-upload-ab12/0/clip.mp4')."
    )
    detail = reply_for(e).detail
    assert "clip.mp4" in detail and "Invalid data" in detail
    assert "/tmp" not in detail and "sellscope-upload" not in detail


def test_server_side_errors_hide_their_message_but_log_it(caplog):
    e = ModelMissingError("model 'x:latest' is not in the store (/root/bentoml/models)")
    with caplog.at_level(logging.ERROR, logger="sellscope.http"):
        reply = reply_for(e)
    assert reply.status == 503 and "/root" not in reply.detail and "x:latest" not in reply.detail
    assert "/root/bentoml/models" in caplog.text


def test_unknown_exceptions_are_a_generic_500_with_the_traceback_only_in_the_log(caplog):
    def boom() -> None:
        raise KeyError("secret-internal-name")

    with caplog.at_level(logging.ERROR, logger="sellscope.http"):
        response = guarded(boom)
    assert isinstance(response, JSONResponse) and response.status_code == 500
    body = json.loads(response.body)
    assert body == {"error": "internal_error", "detail": INTERNAL_DETAIL}
    assert "secret-internal-name" not in response.body.decode()
    assert "Traceback" in caplog.text and "secret-internal-name" in caplog.text


def test_guarded_returns_the_value_when_nothing_fails():
    assert guarded(lambda a, b: a + b, 2, b=3) == 5


def test_unauthorized_replies_name_the_scheme():
    assert reply_for(UnauthorizedError("no token")).headers["WWW-Authenticate"] == "Bearer"


def test_pydantic_validation_errors_name_the_field():
    class M(BaseModel):
        views: int

    with pytest.raises(ValidationError) as info:
        M(views="many")
    reply = reply_for(info.value)
    assert reply.status == 400 and reply.detail.startswith("views: ")


def test_scrub_keeps_file_names_and_caps_the_length():
    assert scrub("cannot open /var/lib/x/y/video.mp4 now") == "cannot open video.mp4 now"
    assert scrub("see https://example.com/a/b") == "see https://example.com/a/b"
    assert len(scrub("x" * 5000)) == 600


@pytest.mark.parametrize(
    ("status", "body", "code", "detail_has"),
    [
        (
            400,
            {"error": "1 validation error for Input", "detail": [{"loc": ["views"], "msg": "bad"}]},
            "bad_input",
            "views: bad",
        ),
        (400, [{"error": "send the file itself"}], "bad_input", "send the file itself"),
        (404, {"error": "task_id not found"}, "not_found", "task_id not found"),
        (500, {"error": "KeyError: secret"}, "internal_error", "server log"),
        (504, {"error": "Not able to process the request in 60 seconds"}, "timeout", "60"),
    ],
)
def test_framework_bodies_are_reshaped(status, body, code, detail_has):
    out = json.loads(reshape(status, json.dumps(body).encode(), "application/json"))
    assert out["error"] == code and detail_has in out["detail"]
    assert "secret" not in out["detail"]


def test_our_bodies_are_left_alone():
    body = json.dumps({"error": "video_too_long", "detail": "limit 5 s"}).encode()
    assert reshape(422, body, "application/json") is None


def _app() -> Starlette:
    async def validation(_):  # noqa: ANN001, ANN202
        return JSONResponse(
            {"error": "2 validation errors", "detail": [{"loc": ["price"], "msg": "no"}]}, 400
        )

    async def ok(_):  # noqa: ANN001, ANN202
        return JSONResponse({"fine": True})

    async def text(_):  # noqa: ANN001, ANN202
        return PlainTextResponse("Method Not Allowed", 405)

    routes = [Route("/v", validation), Route("/ok", ok), Route("/t", text)]
    return Starlette(routes=routes)


def test_the_middleware_reshapes_errors_and_passes_successes_through():
    client = TestClient(ErrorShapeMiddleware(_app()))
    r = client.get("/v")
    assert r.status_code == 400 and r.json() == {"error": "bad_input", "detail": "price: no"}
    assert int(r.headers["content-length"]) == len(r.content)
    assert client.get("/ok").json() == {"fine": True}
    r = client.get("/t")
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    r = client.get("/nowhere")  # Starlette's own text 404
    assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "Not Found"}
