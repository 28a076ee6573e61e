"""The results store: atomic part files and tables, resume keys, locking, SIGKILL safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from service.batch import results as R
from service.batch.results import ResultRow, ResultsStore, atomic_write_bytes, read_results
from service.errors import InputError

ROOT = Path(__file__).resolve().parents[3]


def _row(row: int, status: str = R.SCORED, **kw) -> ResultRow:
    base = dict(
        row=row, video=f"/v/{row}.mp4", file_name=f"{row}.mp4", sha256=f"sha{row}",
        creator_id="c1", product_id=None, product_name=None, status=status,
        models_key="m1", input_key="i1", finished_at=f"2026-12-01T00:00:{row:02d}Z",
    )  # fmt: skip
    if status == R.SCORED:
        base |= dict(hook_score=50.0 + row, cvr=0.01 * row, reason_codes="weak_hook")
    return ResultRow(**(base | kw))


def test_row_round_trips_through_json_and_tables():
    r = _row(3, cta_time_s=None, gpm=12.5)
    assert ResultRow.from_json(r.to_json()) == r
    assert ResultRow.from_dict({**r.to_dict(), "cvr": float("nan"), "extra": 1}).cvr is None


def test_table_keeps_types_even_for_empty_columns(tmp_path):
    with ResultsStore(tmp_path / "res.parquet", csv=True) as store:
        store.write([_row(1, R.FAILED, error="bad"), _row(2)])
    t = pq.read_table(tmp_path / "res.parquet")
    assert t.schema.field("cvr").type == pa.float64()
    assert t.schema.field("gpm").type == pa.float64()  # all None, still a float column
    assert t.schema.field("row").type == pa.int64()
    assert t.schema.field("error").type == pa.string()
    back = read_results(tmp_path / "res.parquet")
    assert [r.status for r in back] == ["failed", "scored"] and back[1] == _row(2)
    csv = (tmp_path / "res.csv").read_text().splitlines()
    assert csv[0].startswith("row,video,file_name,sha256") and len(csv) == 3


def test_atomic_write_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "res.parquet"
    atomic_write_bytes(target, b"old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(R.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["res.parquet"]  # no temp file left


def test_each_row_is_one_part_file(tmp_path):
    with ResultsStore(tmp_path / "res.parquet") as store:
        paths = [store.append(_row(i)) for i in (1, 2, 3)]
        assert all(p.parent == tmp_path / "res.parquet.parts" for p in paths)
        assert [r.row for r in store.part_rows()] == [1, 2, 3]
    assert sorted(p.name for p in (tmp_path / "res.parquet.parts").iterdir()) == sorted(
        [".lock", *(p.name for p in paths)]
    )


def test_previous_keeps_the_newest_scored_row_per_key(tmp_path, caplog):
    with ResultsStore(tmp_path / "res.parquet") as store:
        store.append(_row(1, hook_score=10.0, finished_at="2026-12-01T00:00:01Z"))
        store.append(_row(1, hook_score=20.0, finished_at="2026-12-01T00:00:09Z"))
        store.append(_row(2, R.FAILED, error="bad"))  # failed rows are tried again
        store.append(_row(3, models_key="old-models"))
        (store.parts / "00000000000000000000-000009-deadbeef.json").write_text('{"row": ')
        prev = store.previous()
    assert prev[("sha1", "m1", "i1")].hook_score == 20.0
    assert ("sha2", "m1", "i1") not in prev
    assert ("sha3", "old-models", "i1") in prev and ("sha3", "m1", "i1") not in prev
    assert "ignoring unreadable result part" in caplog.text


def test_previous_reads_the_table_when_the_parts_are_gone(tmp_path):
    path = tmp_path / "res.parquet"
    with ResultsStore(path) as store:
        store.write([_row(1), _row(2, R.SKIPPED)])
    for p in (tmp_path / "res.parquet.parts").glob("*.json"):
        p.unlink()
    with ResultsStore(path) as store:
        assert set(store.previous()) == {("sha1", "m1", "i1"), ("sha2", "m1", "i1")}


def test_carried_over_row_has_the_new_identity_and_old_scores():
    prior = _row(1, creator_id="old")
    now = _row(7, R.SKIPPED, video="/new/place.mp4", file_name="place.mp4", creator_id="c9")
    r = R.carried_over(prior, now)
    assert (r.row, r.video, r.creator_id, r.status) == (7, "/new/place.mp4", "c9", "skipped")
    assert (r.hook_score, r.cvr, r.finished_at) == (prior.hook_score, prior.cvr, prior.finished_at)


def test_second_writer_of_the_same_results_is_refused(tmp_path):
    with (
        ResultsStore(tmp_path / "res.parquet"),
        pytest.raises(InputError, match="another batch run is writing"),
    ):
        ResultsStore(tmp_path / "res.parquet").__enter__()
    with ResultsStore(tmp_path / "res.parquet"):  # released on exit
        pass


def test_bad_results_paths(tmp_path):
    with pytest.raises(InputError, match="add --csv"):
        ResultsStore(tmp_path / "res.csv")
    with pytest.raises(InputError, match="is a folder"):
        ResultsStore(tmp_path)


WRITER = """
import sys
from service.batch.results import ResultRow, ResultsStore
store = ResultsStore(sys.argv[1]).__enter__()
i = 0
while True:
    i += 1
    store.append(ResultRow(row=i, video="v", file_name="v", sha256="s" * 64, creator_id=None,
                           product_id=None, product_name=None, status="scored",
                           top_fix="x" * 200_000))
    if i == 5:
        print("ready", flush=True)
"""


def test_sigkill_never_leaves_a_half_written_part(tmp_path):
    path = tmp_path / "res.parquet"
    for delay in (0.05, 0.13, 0.31):
        p = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert p.stdout.readline().strip() == "ready"
        time.sleep(delay)
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=10)
    parts = list((tmp_path / "res.parquet.parts").glob("*.json"))
    assert len(parts) >= 15
    for part in parts:  # every part that has its name is complete
        assert len(json.loads(part.read_text())["top_fix"]) == 200_000
    with ResultsStore(path) as store:  # the lock died with the killed writer
        assert len(list(store.part_rows())) == len(parts)
