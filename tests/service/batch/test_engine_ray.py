"""The Ray engine's plumbing with the fake worker: a local Ray, the same rows as local."""

from __future__ import annotations

import pytest

from service.batch.run import run_batch
from tests.service.batch.fakes import write_fake_video

pytest.importorskip("ray.data")
pytestmark = pytest.mark.slow

FAKE = "tests.service.batch.fakes:FakeWorker"
VOLATILE = ("finished_at", "seconds")


def _same(rows):
    return [{k: v for k, v in r.to_dict().items() if k not in VOLATILE} for r in rows]


def test_ray_engine_gives_the_local_rows(tmp_path):
    for name in ("a", "b", "c"):
        write_fake_video(tmp_path / "v" / f"{name}.mp4", name)
    (tmp_path / "v" / "broken.mp4").write_text("no video")
    kw = {"worker": FAKE, "progress": False, "cache": False}
    local = run_batch(tmp_path / "v", tmp_path / "local.parquet", **kw)
    ray = run_batch(tmp_path / "v", tmp_path / "ray.parquet", engine="ray", workers=2, **kw)
    assert (ray.scored, ray.failed) == (3, 1)
    assert _same(ray.rows) == _same(local.rows)
    again = run_batch(tmp_path / "v", tmp_path / "ray.parquet", engine="ray", **kw)
    assert again.skipped == 3 and again.failed == 1  # resume works the same way


def test_actors_start_with_their_thread_count(tmp_path, monkeypatch):
    """An inherited OMP_NUM_THREADS=1 (a usual cluster default) must not reach the actors:
    OpenMP reads it once, at load, and held Whisper to one thread (other words, so other
    scores than the local engine's)."""
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("needs 2 cores to tell 1 thread from the actor's share")
    write_fake_video(tmp_path / "v" / "a.mp4", "a")
    log = tmp_path / "env.log"
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("FAKE_ENV_LOG", str(log))
    run_batch(tmp_path / "v", tmp_path / "r.parquet", engine="ray", worker=FAKE,
              progress=False, cache=False)  # fmt: skip
    threads, omp = log.read_text().split()
    assert int(threads) >= 2 and omp == threads


def test_unreachable_cluster_is_a_user_error(tmp_path):
    from service.errors import InputError

    write_fake_video(tmp_path / "v" / "a.mp4", "a")
    with pytest.raises(InputError, match="--ray-address"):
        run_batch(tmp_path / "v", tmp_path / "r.parquet", engine="ray",
                  ray_address="127.0.0.1:1", worker=FAKE, progress=False)  # fmt: skip


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_running_cluster_by_address_gives_the_local_rows(tmp_path):
    """A Ray head started on its own (as on a real cluster), reached by --ray-address."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path
    from types import SimpleNamespace

    root = Path(__file__).resolve().parents[3]
    for name in ("a", "b"):
        write_fake_video(tmp_path / "v" / f"{name}.mp4", name)
    (tmp_path / "v" / "broken.mp4").write_text("no video")
    port = _free_port()
    session = tempfile.mkdtemp(prefix="srt", dir="/tmp")  # short: Ray puts sockets here
    ray_cli = Path(sys.executable).with_name("ray")
    env = {**os.environ, "PYTHONPATH": str(root), "RAY_AUTH_MODE": "disabled",
           "RAY_USAGE_STATS_ENABLED": "0"}  # fmt: skip
    head = subprocess.Popen(
        [str(ray_cli), "start", "--head", "--block", "--port", str(port), "--num-cpus", "2",
         "--node-ip-address", "127.0.0.1", "--include-dashboard", "false",
         "--temp-dir", session, "--disable-usage-stats"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        kw = {"worker": FAKE, "progress": False, "cache": False}
        local = run_batch(tmp_path / "v", tmp_path / "local.parquet", **kw)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the head takes a few seconds to listen
            try:
                import socket

                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        # its own process, as `sellscope batch` runs (a driver connects to one cluster)
        script = (
            "import sys; from service.batch.run import run_batch; "
            f"run_batch(sys.argv[1], sys.argv[2], engine='ray', workers=2, "
            f"ray_address='127.0.0.1:{port}', worker={FAKE!r}, progress=False, cache=False)"
        )
        out = tmp_path / "remote.parquet"
        cmd = [sys.executable, "-c", script, str(tmp_path / "v"), str(out)]
        r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stderr[-3000:]
        from service.batch.results import read_results

        remote = SimpleNamespace(rows=read_results(out))
        remote.scored = sum(x.status == "scored" for x in remote.rows)
        remote.failed = sum(x.status == "failed" for x in remote.rows)
        assert (remote.scored, remote.failed) == (2, 1)
        assert _same(remote.rows) == _same(local.rows)
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(session, ignore_errors=True)
