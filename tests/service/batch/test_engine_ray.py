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


def test_unreachable_cluster_is_a_user_error(tmp_path):
    from service.errors import InputError

    write_fake_video(tmp_path / "v" / "a.mp4", "a")
    with pytest.raises(InputError, match="--ray-address"):
        run_batch(tmp_path / "v", tmp_path / "r.parquet", engine="ray",
                  ray_address="127.0.0.1:1", worker=FAKE, progress=False)  # fmt: skip
