"""The service's batch task around the batch code: limits, failures, rows (no models loaded).

Every video here fails the upload checks before a model would run, so a stand-in for the
loaded engine is enough; the scored path runs on real models in test_e2e_scoring.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.errors import InputError
from service.http.batch_task import UploadWorker, score_uploads
from service.http.errors import TooManyFilesError
from service.http.limits import Limits
from service.meta import VideoMeta
from service.pipeline import Scorers
from tests.service.http import media_fixtures as media

ENGINE = SimpleNamespace(
    evidence=SimpleNamespace(tags={"asr": "sellscope-whisper-base:t"}),
    scorers=Scorers(heads=SimpleNamespace(tag="sellscope-heads:t"), conversion=None,
                    conversion_tag=None),
    options=None,
)  # fmt: skip


def _upload(path: Path, folder: Path) -> Path:
    """``path`` as BentoML hands an upload over: a temp name ending in the client's name."""
    with tempfile.NamedTemporaryFile(suffix=path.name, dir=folder, delete=False) as f:
        f.write(path.read_bytes())
    return Path(f.name)


def test_each_bad_upload_gets_its_status_and_a_result_row(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    uploads = [_upload(media.text_named_mp4(tmp_path), inbox),
               _upload(media.empty_file(tmp_path), inbox)]  # fmt: skip
    meta = VideoMeta(product_name="GlowSerum", creator_id="c9")
    result = score_uploads(uploads, "en", meta, ENGINE, Limits())
    assert (result.scored, result.failed) == (0, 2)
    assert [(v.file_name, v.status) for v in result.items] == [("notes.mp4", 415),
                                                               ("empty.mp4", 422)]  # fmt: skip
    assert [v.error.error for v in result.items] == ["unsupported_media_type", "not_a_video"]
    rows = result.rows
    assert [r.row for r in rows] == [1, 2] and all(r.status == "failed" for r in rows)
    assert [r.video for r in rows] == ["notes.mp4", "empty.mp4"]  # no server paths
    assert rows[0].error == result.items[0].error.detail and rows[0].sha256
    assert (rows[0].creator_id, rows[0].product_name) == ("c9", "GlowSerum")
    assert not any(inbox.iterdir())  # the uploads are gone
    dumped = result.model_dump(mode="json")
    assert dumped["rows"][1]["file_name"] == "empty.mp4"


def test_no_videos_and_too_many_videos_are_refused(tmp_path):
    with pytest.raises(InputError, match="field 'videos'"):
        score_uploads([], None, VideoMeta(), ENGINE, Limits())
    uploads = [_upload(media.empty_file(tmp_path), tmp_path) for _ in range(3)]
    with pytest.raises(TooManyFilesError, match="limit is 2"):
        score_uploads(uploads, None, VideoMeta(), ENGINE, Limits(max_batch_files=2))


def test_the_upload_worker_scores_with_the_loaded_models():
    worker = UploadWorker(ENGINE, Limits())
    assert worker.tags == {"asr": "sellscope-whisper-base:t", "heads": "sellscope-heads:t"}
    assert worker.models is ENGINE.evidence and worker.cache is None
