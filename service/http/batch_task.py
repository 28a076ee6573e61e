"""The service's batch task (``/score_batch``): uploaded videos through the batch code.

The uploads go through ``service.batch.run.score_items`` on the inline engine, with a
worker around the models this service worker already holds: the same hashing, the same
one-video-at-a-time failure handling and the same result rows as ``sellscope batch``.
The worker adds what only the service needs: the upload limits, each video's full report,
and the HTTP status and scrubbed message of each failure.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from service.batch.inputs import BatchItem
from service.batch.results import FAILED, ResultRow
from service.batch.work import ModelWorker, Task
from service.errors import InputError
from service.http.errors import ErrorReply, TooManyFilesError, reply_for
from service.http.limits import Limits, check_video
from service.http.schemas import BatchResult, BatchVideo, ErrorBody
from service.http.uploads import staged
from service.meta import VideoMeta


class UploadWorker(ModelWorker):
    """The batch worker of one request: the service's loaded models and upload limits."""

    def __init__(self, engine: Any, limits: Limits) -> None:  # engine: loading.Engine
        self._setup(engine.evidence, engine.scorers, engine.options, None)
        self.limits = limits
        self.reports: dict[int, Any] = {}  # row -> report of each scored video
        self.replies: dict[int, ErrorReply] = {}  # row -> the error reply of each failure

    def score(self, task: Task) -> Any:
        path = Path(task.video)
        try:
            check_video(path, self.limits)
            scored = super().score(task)
        finally:
            path.unlink(missing_ok=True)  # free the disk as the batch goes
        self.reports[task.row] = scored.report()
        return scored

    def failed(self, task: Task, error: Exception) -> ResultRow:
        reply = reply_for(error)  # the status and a message without server paths
        self.replies[task.row] = reply
        return task.row_base(FAILED, reply.detail)


def score_uploads(
    uploads: list[Path], language: str | None, meta: VideoMeta, engine: Any, limits: Limits
) -> BatchResult:
    """Score uploaded videos as one batch; a report or an error for each, in upload order.

    Args:
        uploads: the files BentoML wrote for the request.
        language: the speech language of every video (detected when None).
        meta: what the seller knows, the same for every video.
        engine: the service worker's loaded models (``service.http.loading.Engine``).
        limits: the upload limits each video is checked against.

    Raises:
        InputError: no videos.
        TooManyFilesError: more videos than ``limits.max_batch_files``.
    """
    from service.batch.run import score_items

    if not uploads:
        raise InputError("no videos: send one or more files in the form field 'videos'")
    if len(uploads) > limits.max_batch_files:
        raise TooManyFilesError(
            f"{len(uploads)} videos in one batch; the limit is "
            f"{limits.max_batch_files} (SELLSCOPE_MAX_BATCH_FILES)."
        )
    worker = UploadWorker(engine, limits)
    with staged(uploads) as paths, tempfile.TemporaryDirectory(prefix="sellscope-batch-") as d:
        items = [BatchItem(i, p, language, meta) for i, p in enumerate(paths, start=1)]
        summary = score_items(
            items,
            Path(d) / "results.parquet",
            engine="inline",
            worker=worker,
            progress=False,
            cache=False,
        )
    videos, rows = [], []
    for row in summary.rows:
        row = replace(row, video=row.file_name)  # the client's name, not the staging path
        rows.append(row)
        reply = worker.replies.get(row.row)
        if reply is None and row.row not in worker.reports:  # failed before the worker
            reply = reply_for(InputError(row.error or "the video could not be read"))
        if reply is None:
            videos.append(BatchVideo(file_name=row.file_name, status=200,
                                     report=worker.reports[row.row]))  # fmt: skip
        else:
            error = ErrorBody(error=reply.code, detail=reply.detail)
            videos.append(BatchVideo(file_name=row.file_name, status=reply.status, error=error))
    return BatchResult(scored=summary.scored, failed=summary.failed, items=videos, rows=rows)
