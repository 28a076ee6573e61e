"""run_batch with a fake worker: rows, resume, reruns, crashes and kills (no real models)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from service.batch.cli import main as batch_main
from service.batch.results import ResultsStore, read_results
from service.batch.run import run_batch
from service.errors import InputError
from tests.service.batch.fakes import write_fake_video

FAKE = "tests.service.batch.fakes:FakeWorker"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "videos"
    for name in ("a", "b", "c"):
        write_fake_video(d / f"{name}.mp4", name)
    (d / "broken.mp4").write_text("this is not a video")
    return d


@pytest.fixture
def fake_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "scored.log"
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


def _scored(log: Path) -> Counter:
    return Counter(log.read_text().split()) if log.exists() else Counter()


def _run(inp: Path, out: Path, **kw):
    return run_batch(inp, out, **{"worker": FAKE, "progress": False, "cache": False, **kw})


def test_folder_batch_scores_and_fails_row_by_row(folder, tmp_path, fake_log):
    out = tmp_path / "res.parquet"
    s = _run(folder, out, csv=True, html=tmp_path / "summary.html")
    assert (s.total, s.scored, s.failed, s.skipped) == (4, 3, 1, 0)
    rows = read_results(out)
    assert [r.file_name for r in rows] == ["a.mp4", "b.mp4", "broken.mp4", "c.mp4"]
    broken = rows[2]
    assert broken.status == "failed" and "not a readable video" in broken.error
    assert broken.hook_score is None and broken.sha256 is not None
    good = [r for r in rows if r.status == "scored"]
    assert all(r.heads_model == "sellscope-heads:fake" and r.models_key for r in good)
    assert all(0 <= r.hook_score <= 100 and r.cvr_low <= r.cvr <= r.cvr_high for r in good)
    assert len({r.sha256 for r in rows}) == 4
    assert (tmp_path / "res.csv").read_text().count("\n") == 5
    assert "a.mp4" in (tmp_path / "summary.html").read_text()
    assert "3 scored, 1 failed, 0 skipped" in s.summary()
    assert _scored(fake_log) == Counter({"a.mp4": 1, "b.mp4": 1, "c.mp4": 1})


def test_rerun_skips_what_is_scored_and_retries_failures(folder, tmp_path, fake_log):
    out = tmp_path / "res.parquet"
    first = _run(folder, out)
    write_fake_video(folder / "d.mp4", "d")  # a new submission
    again = _run(folder, out)
    assert (again.scored, again.failed, again.skipped) == (1, 1, 3)
    assert _scored(fake_log) == Counter({"a.mp4": 1, "b.mp4": 1, "c.mp4": 1, "d.mp4": 1})
    before = {r.file_name: r for r in first.rows}
    for r in again.rows:
        if r.status == "skipped":  # the earlier scores, carried over unchanged
            assert r.hook_score == before[r.file_name].hook_score
            assert r.finished_at == before[r.file_name].finished_at
    assert [r.status for r in read_results(out)] == [
        "skipped", "skipped", "failed", "skipped", "scored",
    ]  # fmt: skip


def test_changed_bytes_models_or_meta_are_scored_again(folder, tmp_path, fake_log, monkeypatch):
    out = tmp_path / "res.parquet"
    _run(folder, out)
    write_fake_video(folder / "a.mp4", "a, re-edited")
    assert _run(folder, out).scored == 1  # only the changed file
    monkeypatch.setenv("FAKE_HEADS", "sellscope-heads:retrained")
    s = _run(folder, out)
    assert s.scored == 3 and {r.heads_model for r in s.rows if r.heads_model} == {
        "sellscope-heads:retrained"
    }
    m = tmp_path / "m.csv"
    m.write_text(f"video,price\n{folder / 'a.mp4'},10\n{folder / 'b.mp4'},\n")
    assert _run(m, out).scored == 1  # a's price is new; b's inputs are as before


def test_two_workers_give_the_same_rows(folder, tmp_path):
    one = _run(folder, tmp_path / "one.parquet", workers=1)
    two = _run(folder, tmp_path / "two.parquet", workers=2)
    strip = ("finished_at", "seconds")
    assert [{k: v for k, v in r.to_dict().items() if k not in strip} for r in one.rows] == [
        {k: v for k, v in r.to_dict().items() if k not in strip} for r in two.rows
    ]


def test_a_video_that_kills_its_worker_fails_alone(folder, tmp_path):
    (folder / "crash.mp4").write_bytes(b"FAKEVIDEO CRASH")
    s = _run(folder, tmp_path / "res.parquet", workers=2)
    by = {r.file_name: r for r in s.rows}
    assert by["crash.mp4"].status == "failed" and "died" in by["crash.mp4"].error
    assert [by[n].status for n in ("a.mp4", "b.mp4", "c.mp4")] == ["scored"] * 3


def test_missing_manifest_video_is_a_failed_row(folder, tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("video,creator_id\nvideos/a.mp4,c1\nvideos/gone.mp4,c2\n")
    s = _run(m, tmp_path / "res.parquet")
    assert [(r.row, r.status, r.creator_id) for r in s.rows] == [
        (2, "scored", "c1"), (3, "failed", "c2"),
    ]  # fmt: skip
    assert s.rows[1].error.startswith("file not found")


def test_progress_reports_counts_rate_and_eta(folder, tmp_path):
    seen = []
    run_batch(folder, tmp_path / "r.parquet", worker=FAKE, cache=False, progress=seen.append)
    assert [p.done for p in seen] == [1, 2, 3, 4] and {p.total for p in seen} == {4}
    assert seen[-1].scored == 3 and seen[-1].failed == 1 and seen[-1].eta_s == 0
    assert seen[0].rate_per_min > 0 and seen[0].eta_s > 0


def test_progress_bar_goes_to_stderr(folder, tmp_path, capsys):
    run_batch(folder, tmp_path / "r.parquet", worker=FAKE, cache=False, progress=True)
    err = capsys.readouterr().err
    assert "4/4" in err and "video" in err and "failed=1" in err


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"workers": 0}, "--workers must be at least 1"),
        ({"engine": "spark"}, "--engine must be one of"),
        ({"ray_address": "auto"}, "--ray-address needs --engine ray"),
        ({"language": "english"}, "ISO 639-1"),
        ({"engine": "inline", "workers": 2}, "leave --workers at 1"),
    ],
)
def test_arguments_the_user_can_fix(folder, tmp_path, kw, message):
    with pytest.raises(InputError, match=message):
        _run(folder, tmp_path / "r.parquet", **kw)


def test_inline_engine_gives_the_rows_of_the_local_engine(folder, tmp_path):
    from tests.service.batch.fakes import FakeWorker

    local = _run(folder, tmp_path / "local.parquet")
    spec = _run(folder, tmp_path / "spec.parquet", engine="inline")
    built = FakeWorker(threads=1)
    obj = _run(folder, tmp_path / "obj.parquet", engine="inline", worker=built)

    def same(s):
        return [(r.file_name, r.status, r.hook_score, r.cvr, r.reason_codes) for r in s.rows]

    assert same(local) == same(spec) == same(obj)
    assert (obj.scored, obj.failed) == (3, 1)
    with pytest.raises(InputError, match="engine='inline'"):
        _run(folder, tmp_path / "x.parquet", worker=built)  # a built worker runs in this process


def test_a_finished_run_keeps_only_the_parts_a_rerun_still_needs(folder, tmp_path, fake_log):
    out = tmp_path / "res.parquet"
    _run(folder, out)
    parts = out.with_name(out.name + ".parts")
    assert list(parts.glob("*.json")) == []  # every row is in RESULTS now
    c = (folder / "c.mp4").read_bytes()
    (folder / "c.mp4").unlink()  # a smaller input: RESULTS loses c, so c goes back to a part
    s = _run(folder, out)
    assert [r.file_name for r in s.rows] == ["a.mp4", "b.mp4", "broken.mp4"]
    kept = [json.loads(p.read_text()) for p in parts.glob("*.json")]
    assert [(r["file_name"], r["status"]) for r in kept] == [("c.mp4", "scored")]
    (folder / "c.mp4").write_bytes(c)
    write_fake_video(folder / "d.mp4", "d")
    s = _run(folder, out)
    assert (s.scored, s.skipped, s.failed) == (1, 3, 1)  # only d is new
    assert _scored(fake_log) == Counter({"a.mp4": 1, "b.mp4": 1, "c.mp4": 1, "d.mp4": 1})
    assert list(parts.glob("*.json")) == []


def test_cli_prints_the_summary_and_one_line_errors(folder, tmp_path, capsys, monkeypatch):
    import service.batch.run as run_mod

    real = run_mod.run_batch
    monkeypatch.setattr(
        run_mod, "run_batch", lambda *a, **kw: real(*a, **{**kw, "worker": FAKE, "progress": False})
    )
    out = tmp_path / "r.parquet"
    assert batch_main([str(folder), "--out", str(out), "--csv", "--no-cache"]) == 0
    printed = capsys.readouterr().out
    assert "3 scored, 1 failed" in printed and str(out) in printed
    assert (tmp_path / "r.csv").is_file()
    assert batch_main([str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sellscope: error:") and len(err.strip().splitlines()) == 1


def test_add_batch_command_registers_every_option():
    import argparse

    from service.batch.cli import add_batch_command

    ap = argparse.ArgumentParser()
    add_batch_command(ap.add_subparsers(dest="command"))
    a = ap.parse_args(
        ["batch", "in", "--out", "r.parquet", "--workers", "3", "--engine", "ray",
         "--ray-address", "auto", "--csv", "--lang", "id", "--html", "s.html"]
    )  # fmt: skip
    assert (a.input, a.out, a.workers, a.engine, a.ray_address) == (
        "in", "r.parquet", 3, "ray", "auto",
    )  # fmt: skip
    assert a.csv and a.lang == "id" and a.html == "s.html" and callable(a.func)


def _group(pgid: int) -> list[int]:
    """Processes still alive in process group ``pgid``."""
    alive = []
    for proc in psutil.process_iter(["pid", "status"]):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc.pid)
    return alive


KILLABLE = f"""
import sys
from service.batch.run import run_batch
run_batch(sys.argv[1], sys.argv[2], workers=2, worker={FAKE!r}, progress=False, cache=False)
"""


def test_sigkill_loses_nothing_and_the_rerun_does_only_the_rest(tmp_path, monkeypatch):
    videos = tmp_path / "videos"
    for i in range(8):
        write_fake_video(videos / f"v{i}.mp4", str(i))
    out = tmp_path / "res.parquet"
    parts = tmp_path / "res.parquet.parts"
    env = {**os.environ, "FAKE_DELAY": "0.4", "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-c", KILLABLE, str(videos), str(out)], cwd=ROOT,
                         env=env, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while len(list(parts.glob("*.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
        time.sleep(1.5)  # orphaned workers see their parent gone and end themselves
        assert _group(p.pid) == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)  # the group this test started, if anything is left
    with ResultsStore(out) as store:
        first = {r.file_name for r in store.part_rows()}
    assert 2 <= len(first) < 8
    rerun_log = tmp_path / "rerun.log"
    monkeypatch.setenv("FAKE_LOG", str(rerun_log))
    s = _run(videos, out)
    assert s.skipped == len(first) and s.scored == 8 - len(first)
    rescored = _scored(rerun_log)
    assert set(rescored) == {f"v{i}.mp4" for i in range(8)} - first  # only the rest
    assert all(n == 1 for n in rescored.values())
    final = read_results(out)  # every video exactly once, with scores
    assert sorted(r.file_name for r in final) == [f"v{i}.mp4" for i in range(8)]
    assert all(r.status in ("scored", "skipped") and r.hook_score is not None for r in final)
