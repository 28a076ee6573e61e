"""A fake worker for the batch machinery's unit tests: no models, scores from the bytes.

A "video" is a file that starts with ``FAKEVIDEO``; anything else fails like a corrupt
upload. ``CRASH`` in the bytes ends the worker process (a crash in a native decoder).
Environment (inherited by spawn workers): ``FAKE_DELAY`` seconds per video, ``FAKE_LOG``
a file that gets one line per scored video, ``FAKE_HEADS`` the heads tag to report,
``FAKE_ENV_LOG`` a file that gets the thread variables each worker process starts with.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from service.batch.results import FAILED, ResultRow
from service.batch.work import Task, scored_fields

MAGIC = b"FAKEVIDEO"


def write_fake_video(path: Path, payload: str = "") -> Path:
    """A file the fake worker scores (its scores depend on ``payload``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MAGIC + payload.encode())
    return path


def _tags() -> dict[str, str]:
    return {
        "asr": "sellscope-whisper-base:fake",
        "heads": os.environ.get("FAKE_HEADS", "sellscope-heads:fake"),
        "conversion": "sellscope-conversion:fake",
    }


class FakeWorker:
    """Stands in for ``service.batch.work.ModelWorker``."""

    def __init__(self, threads: int, cache_dir: str | None = None) -> None:
        self.threads = threads
        self.delay = float(os.environ.get("FAKE_DELAY", "0"))
        self.log = os.environ.get("FAKE_LOG")
        if env_log := os.environ.get("FAKE_ENV_LOG"):
            with open(env_log, "a") as f:
                f.write(f"{threads} {os.environ.get('OMP_NUM_THREADS')}\n")

    @staticmethod
    def expected_tags() -> dict[str, str]:
        return _tags()

    @property
    def tags(self) -> dict[str, str]:
        return _tags()

    def __call__(self, task: Task) -> ResultRow:
        data = Path(task.video).read_bytes()
        if b"CRASH" in data:
            os._exit(3)
        if not data.startswith(MAGIC):
            return task.row_base(FAILED, f"{Path(task.video).name}: not a readable video")
        time.sleep(self.delay)
        h = hashlib.sha256(data + repr(task.meta).encode()).digest()
        u = [b / 255 for b in h[:6]]
        reasons = ["weak_hook", "no_cta", "product_too_late"][: 1 + h[6] % 3]
        scores = {
            "hook_score": 100 * u[0],
            "selling_point_score": 100 * u[1],
            "seed_share": u[2],
            "sell_share": 1 - u[2],
            "cta_time_s": None if u[3] < 0.3 else 10 * u[3],
            "cvr": 0.001 + 0.02 * u[4],
            "cvr_low": 0.0005 + 0.01 * u[4],
            "cvr_high": 0.002 + 0.04 * u[4],
            "gpm": 50 * u[5],
            "reason_codes": ",".join(reasons),
            "top_reason": f"title of {reasons[0]}",
            "top_fix": f"fix {reasons[0]}",
            "duration_s": 12.0,
            "language": task.language or "en",
        }
        if self.log:
            with open(self.log, "a") as f:
                f.write(f"{Path(task.video).name}\n")
        return scored_fields(task, _tags(), scores, seconds=self.delay)
