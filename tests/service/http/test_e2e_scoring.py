"""End to end: a real ``bentoml serve`` scores a generated video and a script, runs the
async task and batch round trips, reports its model versions and keeps health open."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.service.http import media_fixtures as bad

pytestmark = pytest.mark.integration


def _file(path: Path, name: str | None = None) -> tuple[str, bytes, str]:
    return (name or path.name, path.read_bytes(), "video/mp4")


def _wait(client: httpx.Client, route: str, task_id: str, timeout_s: float = 300) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = client.get(f"{route}/status", params={"task_id": task_id})
        assert r.status_code == 200, r.text
        if r.json()["status"] not in ("in_progress", "pending"):
            return r.json()["status"]
        time.sleep(0.5)
    raise TimeoutError(f"task {task_id} still running after {timeout_s} s")


@pytest.fixture(scope="module")
def scored(client, product_video) -> dict:
    """The report of the product video through POST /score (with metadata)."""
    t = product_video.truth.video
    data = {
        "language": "en", "product_name": t.product_label, "category": t.category,
        "price": str(t.price), "currency": t.currency.lower(), "views": "12000",
        "creator_id": "1234567", "creator_cvr": "0.004",
    }  # fmt: skip
    r = client.post(
        "/score", files={"video": _file(product_video.video_path, "my product.mp4")}, data=data
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_score_a_generated_video(scored, product_video, http_store, server):
    v = scored["video"]
    assert v["source"] == "video" and v["file_name"] == "my product.mp4"
    assert (v["width"], v["height"]) == (360, 640) and v["has_audio"]
    assert 0 <= scored["scores"]["hook"]["score"] <= 100
    assert scored["scores"]["lines"], "the speech was transcribed and scored"
    assert scored["meta"]["creator_id"] == "1234567" and scored["meta"]["views"] == 12000
    assert scored["meta"]["creator_cvr"] == 0.004
    assert scored["meta"]["currency"] == product_video.truth.video.currency.upper()
    assert scored["prediction"] is not None and scored["prediction"]["cvr"] > 0
    assert scored["models"]["heads"] == http_store.heads
    assert scored["models"]["conversion"] == http_store.conversion
    assert str(server.tmpdir) not in str(scored)


def test_models_names_the_versions_in_use(client, http_store, scored):
    r = client.get("/models")
    assert r.status_code == 200
    tags = r.json()["models"]
    assert tags["heads"] == http_store.heads and tags["conversion"] == http_store.conversion
    assert {"asr", "ocr", "faces", "langid", "encoder"} <= set(tags)
    for role in ("asr", "ocr", "faces", "langid", "heads", "conversion"):
        assert scored["models"][role] == tags[role], role


def test_the_report_renders_as_the_html_page(client, scored):
    r = client.post("/render_html", json={"report": scored})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.text.startswith("<!DOCTYPE html>") and 'id="gauge-hook"' in r.text
    assert "my product.mp4" in r.text


def test_score_html_answers_with_the_page(client, make_video):
    video = make_video(duration=2.0, captions=[(0.0, 2.0, "Stop scrolling")])
    r = client.post("/score_html", files={"video": _file(video)})
    assert r.status_code == 200 and r.text.startswith("<!DOCTYPE html>"), r.text[:500]


def test_score_a_script(client, http_store):
    text = (
        "Stop scrolling if your skin feels dry every winter. This serum has 5% niacinamide. "
        "It absorbs in ten seconds, so your make-up goes on smooth. Tap the cart below."
    )
    r = client.post("/score_script", json={"text": text, "language": "en", "price": 19.9})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["video"]["source"] == "script" and report["video"]["file_name"] is None
    assert report["scores"]["hook"]["quote"].startswith("Stop scrolling")
    assert report["models"]["heads"] == http_store.heads
    empty = client.post("/score_script", json={"text": "   "})
    assert empty.status_code == 400 and empty.json()["error"] == "bad_input"


def test_async_task_round_trip(client, product_video, scored):
    r = client.post(
        "/score_async/submit",
        files={"video": _file(product_video.video_path, "my product.mp4")},
        data={"language": "en", "product_name": product_video.truth.video.product_label},
    )
    assert r.status_code == 200, r.text
    task_id = r.json()["task_id"]
    assert _wait(client, "/score_async", task_id) == "completed"
    got = client.get("/score_async/get", params={"task_id": task_id})
    assert got.status_code == 200, got.text
    report = got.json()
    # same video, same models: the task scores exactly what the direct call scored
    assert report["scores"]["hook"] == scored["scores"]["hook"]
    assert report["video"]["file_name"] == "my product.mp4"


def test_a_failed_task_keeps_its_error(client, tmp_path):
    notes = bad.text_named_mp4(tmp_path)
    r = client.post("/score_async/submit", files={"video": _file(notes)})
    task_id = r.json()["task_id"]
    assert _wait(client, "/score_async", task_id) == "failed"
    got = client.get("/score_async/get", params={"task_id": task_id})
    assert got.status_code == 415 and got.json()["error"] == "unsupported_media_type"
    unknown = client.get("/score_async/status", params={"task_id": "no-such-task"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"


def test_batch_task_scores_each_video_and_reports_each_failure(client, make_video, tmp_path):
    good = make_video(duration=2.0, name="good.mp4")
    notes = bad.text_named_mp4(tmp_path)
    r = client.post(
        "/score_batch/submit",
        files=[("videos", _file(good)), ("videos", _file(notes))],
        data={"product_name": "GlowSerum"},
    )
    assert r.status_code == 200, r.text
    task_id = r.json()["task_id"]
    assert _wait(client, "/score_batch", task_id) == "completed"
    result = client.get("/score_batch/get", params={"task_id": task_id}).json()
    assert (result["scored"], result["failed"]) == (1, 1)
    first, second = result["items"]
    assert first["file_name"] == "good.mp4" and first["status"] == 200
    assert first["report"]["meta"]["product_name"] == "GlowSerum"
    assert second["file_name"] == "notes.mp4" and second["status"] == 415
    assert second["error"]["error"] == "unsupported_media_type" and second["report"] is None
    # the rows `sellscope batch` writes, from the same batch code
    good_row, bad_row = result["rows"]
    assert (good_row["video"], good_row["status"], bad_row["status"]) == (
        "good.mp4", "scored", "failed")  # fmt: skip
    assert good_row["hook_score"] == pytest.approx(
        first["report"]["scores"]["hook"]["score"], abs=0.05
    )
    assert good_row["heads_model"] == first["report"]["models"]["heads"]
    assert bad_row["error"] == second["error"]["detail"] and bad_row["hook_score"] is None


def test_health_metrics_and_docs_stay_open(server):
    for path in ("/healthz", "/livez", "/readyz"):
        assert httpx.get(server.url + path).status_code == 200, path
    metrics = httpx.get(server.url + "/metrics")
    assert metrics.status_code == 200 and "bentoml_service_request" in metrics.text
    spec = httpx.get(server.url + "/docs.json").json()
    assert {"/score", "/score_script", "/score_async/submit"} <= set(spec["paths"])


def test_bentoml_build_packs_the_served_model_versions(http_store):
    import os
    import subprocess
    import sys

    import yaml

    from tests.service.http.serving import ROOT

    env = {**os.environ, "BENTOML_HOME": str(http_store.home), "BENTOML_DO_NOT_TRACK": "True"}
    r = subprocess.run(
        [sys.executable, "-m", "bentoml", "build", ".", "-o", "tag"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    tag = r.stdout.strip().split()[-1].removeprefix("__tag__:")
    name, version = tag.split(":")
    bento = http_store.home / "bentos" / name / version
    info = yaml.safe_load((bento / "bento.yaml").read_text())
    packed = {m["tag"] for s in info["services"] for m in s["models"]}
    assert {http_store.heads, http_store.conversion} <= packed
    assert any(t.startswith("sellscope-e5-small:") for t in packed)
    requirements = (bento / "env" / "python" / "requirements.txt").read_text()
    assert "torch==2.13.0+cpu" in requirements and (bento / "src/service/http/static").is_dir()
