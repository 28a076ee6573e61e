"""Batch scoring with real models on real synthetic videos, in subprocesses.

The runs use ``served_store`` (smoke heads, the default conversion model): a batch loads
"what is served", and the user's store may have nothing trained. Three small synth videos
(360x640, 10 fps) and a text file named ``.mp4``: a folder batch and a manifest batch
(3 scored + 1 failed each), a run killed with SIGKILL and resumed (every video scored
exactly once), and the Ray engine against the local one.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from service.batch.results import FAILED, SCORED, SKIPPED, ResultRow, ResultsStore, read_results
from training.evidence_cache import cache_key, model_tags

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
SCORES = (
    "hook_score", "selling_point_score", "seed_share", "sell_share", "cta_time_s", "cvr",
    "cvr_low", "cvr_high", "gpm", "reason_codes", "top_reason", "top_fix", "heads_model",
    "conversion_model", "models", "duration_s", "language", "sha256",
)  # fmt: skip

# the pipeline in-process on cached evidence, in the served store: what a batch row must say
DIRECT = """
import json, sys
from service.evidence.types import VideoEvidence
from service.meta import VideoMeta
from service.pipeline import Scorers, analyse
evidence = VideoEvidence.from_dict(json.loads(open(sys.argv[1]).read()))
meta = VideoMeta(**json.loads(sys.argv[2]))
d = analyse(evidence, meta, Scorers.from_store())
print("DIRECT", json.dumps({"hook": d.scores.hook.score, "sp": d.scores.selling_points.score,
      "cvr": d.prediction.cvr, "gpm": d.prediction.gpm,
      "codes": ",".join(x.code for x in d.diagnosis)}))
"""


def batch(env: dict, *args: object, timeout: int = 900) -> list[ResultRow]:
    """``python -m service.batch.run ARGS`` in the served store; the rows it wrote."""
    cmd = [sys.executable, "-m", "service.batch.run", *map(str, args)]
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    out = Path(args[args.index("--out") + 1])
    return read_results(out)


def counts(rows: list[ResultRow]) -> tuple[int, int, int]:
    """(scored, failed, skipped)."""
    c = Counter(r.status for r in rows)
    return c[SCORED], c[FAILED], c[SKIPPED]


@pytest.fixture(scope="module")
def env(served_store):  # noqa: ANN001, ANN201
    return served_store.env()


@pytest.fixture(scope="module")
def videos(tmp_path_factory):  # noqa: ANN001, ANN201
    from training.synth import synth_videos

    folder = tmp_path_factory.mktemp("batch") / "videos"
    made = synth_videos(3, "en", "test", folder, seed=7, size=(360, 640), fps=10)
    (folder / "broken.mp4").write_text("this is not a video, it is a text file\n")
    return folder, made


@pytest.fixture(scope="module")
def cache(tmp_path_factory):  # noqa: ANN001, ANN201
    return tmp_path_factory.mktemp("evidence")


@pytest.fixture(scope="module")
def folder_rows(videos, cache, env, tmp_path_factory):  # noqa: ANN001, ANN201
    out = tmp_path_factory.mktemp("folder") / "results.parquet"
    return out, batch(env, videos[0], "--out", out, "--lang", "en", "--cache", cache, "--csv")


def test_folder_batch_scores_three_and_fails_one(folder_rows, videos, served_store):
    folder, made = videos
    out, rows = folder_rows
    assert len(rows) == 4 and counts(rows) == (3, 1, 0)
    (broken,) = [r for r in rows if r.status == FAILED]
    assert broken.file_name == "broken.mp4" and "broken.mp4" in broken.error
    truth = {v.video_path.name: v.truth for v in made}
    for r in rows:
        if r.status != SCORED:
            continue
        t = truth[r.file_name]
        assert r.duration_s == pytest.approx(t.video.duration_s, abs=0.2)
        assert 0 <= r.hook_score <= 100 and 0 <= r.selling_point_score <= 100
        assert r.seed_share + r.sell_share == pytest.approx(1.0, abs=1e-6) or r.seed_share == 0
        assert r.language == "en" and r.heads_model == served_store.heads
        assert r.conversion_model == served_store.conversion
        assert r.cvr_low <= r.cvr <= r.cvr_high and 0 < r.cvr < 0.5
        codes = r.reason_codes.split(",") if r.reason_codes else []
        assert bool(codes) == (r.top_reason is not None)
    assert out.with_suffix(".csv").read_text().count("\n") == 5


def test_manifest_batch_keeps_identity_and_meta(videos, cache, env, tmp_path):
    folder, made = videos
    m = tmp_path / "manifest.csv"
    with m.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["video", "creator_id", "product_id", "product_name", "price", "currency"])
        for v in made:
            t = v.truth.video
            w.writerow([v.video_path, t.creator_id, t.product_id, t.product_label, t.price,
                        t.currency])  # fmt: skip
        w.writerow([folder / "broken.mp4", "c-broken", "", "", "", ""])
    rows = batch(env, m, "--out", tmp_path / "r.parquet", "--lang", "en", "--cache", cache,
                 "--html", tmp_path / "summary.html")  # fmt: skip
    assert counts(rows) == (3, 1, 0)
    assert [r.row for r in rows] == [2, 3, 4, 5]
    for r, v in zip(rows, made, strict=False):
        assert (r.creator_id, r.product_id) == (v.truth.video.creator_id, v.truth.video.product_id)
        assert r.gpm is not None  # the price is known, so is GMV per 1,000 views
    assert rows[3].creator_id == "c-broken" and rows[3].status == FAILED
    # the batch row is what the pipeline says in-process of the same evidence and meta
    r, t = rows[0], made[0].truth.video
    # the served store links the base models of this process's store: the same tags
    entry = cache / f"{cache_key(r.sha256, 'en', model_tags())}.json"
    meta = {"product_name": t.product_label, "price": t.price, "currency": t.currency,
            "creator_id": t.creator_id}  # fmt: skip
    direct = json.loads(_run(env, DIRECT, str(entry), json.dumps(meta)).split("DIRECT", 1)[1])
    assert r.hook_score == pytest.approx(direct["hook"], abs=1e-9)
    assert r.selling_point_score == pytest.approx(direct["sp"], abs=1e-9)
    assert r.cvr == pytest.approx(direct["cvr"], rel=1e-9)
    assert r.gpm == pytest.approx(direct["gpm"], rel=1e-9)
    assert r.reason_codes == direct["codes"]
    page = (tmp_path / "summary.html").read_text()
    assert all(v.video_path.name in page for v in made) and "<svg" in page


def _run(env: dict, code: str, *args: str) -> str:
    r = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.strip().splitlines()[-1]


def test_killed_run_resumes_and_scores_every_video_once(videos, cache, env, tmp_path):
    folder, _ = videos
    out = tmp_path / "res.parquet"
    parts = tmp_path / "res.parquet.parts"
    # a fresh evidence cache: every video is extracted, so rows come seconds apart
    cmd = [sys.executable, "-m", "service.batch.run", str(folder), "--out", str(out),
           "--lang", "en", "--cache", str(tmp_path / "fresh")]  # fmt: skip
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True,
                         stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 300

        def count() -> int:
            n = 0
            for part in parts.glob("*.json"):
                with contextlib.suppress(OSError):
                    n += '"status": "scored"' in part.read_text()
            return n

        while count() < 1 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.05)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=20)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)  # the group this test started
    first = count()
    assert 1 <= first < 3, "the run should be killed between its first and last video"
    with ResultsStore(out) as store:
        before = {r.file_name for r in store.part_rows() if r.status == SCORED}
    rows = batch(env, folder, "--out", out, "--lang", "en", "--cache", cache)
    assert counts(rows) == (3 - first, 1, first)
    # each video scored exactly once: what the killed run finished is carried over, the
    # rest is scored now
    assert {r.file_name for r in rows if r.status == SKIPPED} == before
    good = [r for r in rows if r.status != FAILED]
    assert len(good) == len({r.file_name for r in good}) == 3
    assert all(r.hook_score is not None for r in good)


def test_ray_engine_gives_the_same_rows_as_local(folder_rows, videos, env, tmp_path):
    folder, made = videos
    two = tmp_path / "two"
    two.mkdir()
    for v in made[:2]:
        os.symlink(v.video_path, two / v.video_path.name)
    rows = batch(env, two, "--out", tmp_path / "ray.parquet", "--engine", "ray", "--lang", "en",
                 "--cache", tmp_path / "ray-cache")  # fmt: skip
    assert counts(rows) == (2, 0, 0)
    local = {r.file_name: r for r in folder_rows[1]}
    for r in rows:
        want = local[r.file_name]
        for col in SCORES:
            got, exp = getattr(r, col), getattr(want, col)
            if isinstance(exp, float):
                assert got == pytest.approx(exp, rel=1e-9, abs=1e-12), col
            else:
                assert got == exp, col
