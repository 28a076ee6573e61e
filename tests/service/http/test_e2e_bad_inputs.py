"""End to end: bad inputs get a 4xx with a clear JSON message, no traceback and no server
path; missing or wrong tokens get 401; the server keeps serving; temp files do not pile up.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.service.http import media_fixtures as bad
from tests.service.http.conftest import MAX_DURATION_S, MAX_UPLOAD_MB, TOKEN

pytestmark = pytest.mark.integration


def temp_files(folder: Path) -> dict[str, int]:
    """Regular files under ``folder`` (recursively) and their sizes."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def baseline(server, client, tmp_path_factory) -> dict[str, int]:
    """The server's temp files after one scored upload, before this module's uploads.

    The first scoring leaves what libraries keep for the life of the process (onnxruntime's
    ``.ses`` file, torch's compile cache folder); uploads must add nothing to that.
    """
    video = bad.tiny_video(tmp_path_factory.mktemp("warm-up"))
    r = client.post("/score", files={"video": (video.name, video.read_bytes(), "video/mp4")})
    assert r.status_code == 200, r.text
    return temp_files(server.tmpdir)


def _assert_clean_error(r: httpx.Response, server, status: int, code: str, says: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "detail"} and body["error"] == code, body
    assert says.lower() in body["detail"].lower(), body["detail"]
    assert "Traceback" not in r.text and str(server.tmpdir) not in r.text
    assert "sellscope-upload" not in r.text and "bentoml-request" not in r.text
    assert httpx.get(server.url + "/readyz").status_code == 200  # still serving


CASES = {
    "text file named .mp4": (lambda d, mk: bad.text_named_mp4(d), 415,
                             "unsupported_media_type", "content is text"),
    "truncated mp4": (lambda d, mk: bad.truncated(mk(duration=3.0), d), 422,
                      "not_a_video", "truncated"),
    "zero-byte file": (lambda d, mk: bad.empty_file(d), 422, "not_a_video", "empty (0 bytes)"),
    "WAV audio": (lambda d, mk: bad.wav_file(d), 422, "not_a_video", "audio file (WAV)"),
    "m4a without video": (lambda d, mk: bad.audio_only_mp4(d), 422, "not_a_video", "audio file"),
    "1x1 video": (lambda d, mk: mk(duration=1.0, size=(1, 1), pix_fmt="yuv444p"), 422,
                  "video_too_small", "1x1 pixels"),
    "0.3 s clip": (lambda d, mk: mk(duration=0.3, size=(64, 64)), 422, "video_too_short",
                   "at least 1 s"),
    "over the duration limit": (lambda d, mk: mk(duration=MAX_DURATION_S + 4, size=(64, 64), fps=2),
                                422, "video_too_long", f"the limit is {MAX_DURATION_S} s"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_uploads_get_a_clear_4xx(client, server, baseline, tmp_path, make_video, case):
    make, status, code, says = CASES[case]
    path = make(tmp_path, make_video)
    r = client.post("/score", files={"video": (path.name, path.read_bytes(), "video/mp4")})
    _assert_clean_error(r, server, status, code, says)
    if status == 422 and code != "video_too_long":
        assert path.name in r.json()["detail"]  # the user's file name, not a temp name


def test_an_upload_over_the_size_limit_gets_413(client, server, baseline):
    blob = np.random.default_rng(0).bytes(int((MAX_UPLOAD_MB + 1) * 1024 * 1024))
    r = client.post("/score", files={"video": ("big.mp4", blob, "video/mp4")})
    _assert_clean_error(r, server, 413, "upload_too_large", f"limit is {MAX_UPLOAD_MB} MB")


@pytest.mark.parametrize(
    ("data", "files", "says"),
    [
        ({"language": "en"}, None, "video: Field required"),
        ({"video": "https://example.com/clip.mp4"}, None, "does not fetch URLs"),
        ({"views": "lots"}, True, "views: "),
        ({"language": "klingon"}, True, "unknown language code"),
        ({"currency": "dollars"}, True, "ISO 4217"),
        ({"category": "jewelry"}, True, "category: Value error, unknown product category"),
        ({"creator_cvr": "4"}, True, "creator_cvr: "),
    ],
)
def test_bad_fields_get_400_naming_the_field(
    client, server, baseline, make_video, data, files, says
):
    upload = None
    if files:
        video = make_video(duration=1.0)
        upload = {"video": (video.name, video.read_bytes(), "video/mp4")}
    r = client.post("/score", data=data, files=upload)
    _assert_clean_error(r, server, 400, "bad_input", says)


def test_wrong_methods_and_paths_get_json_errors(client, server):
    _assert_clean_error(client.get("/score"), server, 405, "method_not_allowed", "")
    _assert_clean_error(client.get("/no/such/page"), server, 404, "not_found", "")


@pytest.mark.parametrize("path", ["/score", "/score_script", "/score_async/submit", "/models"])
def test_a_missing_or_wrong_token_gets_401(server, path):
    method = "GET" if path == "/models" else "POST"
    missing = httpx.request(method, server.url + path)
    _assert_clean_error(missing, server, 401, "unauthorized", "Authorization: Bearer")
    wrong = httpx.request(method, server.url + path, headers={"Authorization": "Bearer x"})
    _assert_clean_error(wrong, server, 401, "unauthorized", "not valid")
    assert TOKEN not in missing.text + wrong.text


def test_health_and_the_page_need_no_token(server):
    for path in ("/healthz", "/readyz", "/livez", "/metrics", "/ui", "/ui/page.js"):
        assert httpx.get(server.url + path).status_code == 200, path
    assert httpx.get(server.url + "/ui/config").json()["auth_required"] is True


def test_temp_files_do_not_pile_up(client, server, baseline, tmp_path):
    video = bad.tiny_video(tmp_path)  # one more that succeeds, after all the failures
    r = client.post("/score", files={"video": (video.name, video.read_bytes(), "video/mp4")})
    assert r.status_code == 200, r.text
    r = client.post("/score_async/submit", files={"video": (video.name, b"", "video/mp4")})
    task_id = r.json()["task_id"]
    for _ in range(60):  # and a task that fails
        if client.get("/score_async/status", params={"task_id": task_id}).json()["status"] != (
            "in_progress"
        ):
            break
        time.sleep(0.5)
    after = temp_files(server.tmpdir)
    assert set(after) <= set(baseline), sorted(set(after) - set(baseline))
    assert sum(after.values()) <= sum(baseline.values())
