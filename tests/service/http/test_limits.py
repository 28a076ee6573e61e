"""Upload limits: content-based type checks, size limits (declared and streamed), duration."""

from __future__ import annotations

import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from service.errors import (
    NotAVideoError,
    VideoTooLongError,
    VideoTooShortError,
    VideoTooSmallError,
)
from service.http.errors import UnsupportedMediaError, UploadTooLargeError
from service.http.limits import MB, BodySizeMiddleware, Limits, check_video, sniff
from tests.service.http import media_fixtures as bad


@pytest.mark.parametrize(
    ("head", "family", "name"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video", "MP4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video", "MOV"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio", "M4A"),
        (b"\x00\x00\x00\x20ftypheic\x00\x00\x00\x00", "image", "HEIF/AVIF"),
        (b"\x1a\x45\xdf\xa3\x01\x00\x00\x00", "video", "WebM/Matroska"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video", "AVI"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio", "WAV"),
        (b"ID3\x04\x00\x00", "audio", "MP3"),
        (b"\x89PNG\r\n\x1a\n", "image", "PNG"),
        (b"%PDF-1.7", "document", "PDF"),
        (b"Good morning, this is a script.", "text", "text"),
        ("你好，这是一个脚本".encode()[:-1], "text", "text"),  # a character cut at the end
        (b"", "empty", "empty"),
        (b"\x00\x01\x02\x03\xfe\xfd", "unknown", "unknown"),
    ],
)
def test_sniff_recognises_containers_from_their_bytes(head, family, name):
    got = sniff(head)
    assert (got.family, got.name) == (family, name)


def test_a_text_starting_with_g_is_not_mpeg_ts():
    assert sniff(b"G" + b"o" * 600).family == "text"
    ts = bytearray(600)
    ts[0] = ts[188] = ts[376] = 0x47
    assert sniff(bytes(ts)).name == "MPEG-TS"


def test_a_real_video_passes_and_gives_its_facts(make_video):
    info = check_video(make_video(duration=1.0), Limits())
    assert info.width == 180 and info.height == 320 and 0.9 < info.duration_s < 1.2


@pytest.mark.parametrize(
    ("make", "error", "says"),
    [
        (lambda d: bad.text_named_mp4(d), UnsupportedMediaError, "content is text"),
        (lambda d: bad.empty_file(d), NotAVideoError, "empty (0 bytes)"),
        (lambda d: bad.wav_file(d), NotAVideoError, "audio file (WAV)"),
        (lambda d: bad.audio_only_mp4(d), NotAVideoError, "audio file"),
    ],
)
def test_what_is_not_a_video_is_refused_by_content(tmp_path, make, error, says):
    with pytest.raises(error, match=r"(?i)" + says.replace("(", r"\(").replace(")", r"\)")):
        check_video(make(tmp_path), Limits())


def test_a_truncated_video_is_refused(make_video, tmp_path):
    with pytest.raises(NotAVideoError):
        check_video(bad.truncated(make_video(duration=2.0), tmp_path), Limits())


def test_a_one_pixel_video_is_too_small(make_video):
    tiny = make_video(duration=0.5, size=(1, 1), pix_fmt="yuv444p")
    with pytest.raises(VideoTooSmallError, match="1x1"):
        check_video(tiny, Limits())


def test_a_clip_under_a_second_is_too_short(make_video):
    with pytest.raises(VideoTooShortError, match=r"0\.3 s long; .* at least 1 s"):
        check_video(make_video(duration=0.3), Limits())
    assert check_video(make_video(duration=1.0), Limits()).duration_s == 1.0  # the floor
    with pytest.raises(VideoTooShortError, match=r"0\.96 s long"):  # not "1.0 s long"
        check_video(make_video(duration=0.96, fps=25), Limits())


def test_the_duration_limit_is_named_in_the_error(make_video):
    with pytest.raises(VideoTooLongError, match="the limit is 2 s"):
        check_video(make_video(duration=3.0), Limits(max_duration_s=2.0))


def test_a_file_over_the_upload_limit_is_refused(make_video):
    video = make_video(duration=1.0)
    limit_mb = video.stat().st_size / MB / 2
    with pytest.raises(UploadTooLargeError, match="limit"):
        check_video(video, Limits(max_upload_mb=limit_mb))


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SELLSCOPE_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("SELLSCOPE_MAX_DURATION_S", "30")
    monkeypatch.delenv("SELLSCOPE_MAX_BATCH_MB", raising=False)
    limits = Limits.from_env()
    assert (limits.max_upload_mb, limits.max_batch_mb, limits.max_duration_s) == (5, 20, 30)
    assert limits.body_limit(batch=True) > limits.body_limit(batch=False) > 5 * MB


# ---------------------------------------------------------------- the middleware


def _echo_app() -> Starlette:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"bytes": len(await request.body())})

    return Starlette(routes=[Route("/score", echo, methods=["POST"]),
                             Route("/score_batch", echo, methods=["POST"])])  # fmt: skip


@pytest.fixture
def client() -> TestClient:
    limits = Limits(max_upload_mb=1.0, max_batch_mb=3.0)
    return TestClient(BodySizeMiddleware(_echo_app(), limits=limits))


def test_bodies_under_the_limit_reach_the_app(client):
    r = client.post("/score", content=b"x" * 1000)
    assert r.status_code == 200 and r.json() == {"bytes": 1000}


def test_a_declared_oversized_body_gets_413_with_the_limit(client):
    r = client.post("/score", content=b"x" * (2 * MB))
    assert r.status_code == 413
    assert r.json()["error"] == "upload_too_large" and "limit is 1 MB" in r.json()["detail"]


def test_a_streamed_oversized_body_gets_413(client):
    def chunks():  # no Content-Length: chunked transfer
        for _ in range(40):
            yield b"y" * (64 * 1024)

    r = client.post("/score", content=chunks())
    assert r.status_code == 413 and r.json()["error"] == "upload_too_large"


def test_batch_paths_have_their_own_limit(client):
    body = np.zeros(2 * MB, np.uint8).tobytes()
    assert client.post("/score_batch", content=body).status_code == 200
    assert client.post("/score", content=body).status_code == 413
