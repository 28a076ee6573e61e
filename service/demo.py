"""The embedded default the README's main command runs on: a sample product video.

A synthetic English product video (``training.synth``) made from the seed corpus's test
split, so its lines are ones the heads never trained on; its ground truth is written
beside it (``sample.json``) to compare the report with.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from service.meta import VideoMeta

SAMPLE_SEED = 3
SAMPLE_SIZE = (540, 960)


def render_sample_video(out: Path) -> tuple[Path, VideoMeta]:
    """Render the sample video to ``out/sample.mp4``; return it and what a seller would know."""
    from training.synth import synth_videos

    with tempfile.TemporaryDirectory() as tmp:
        (v,) = synth_videos(1, "en", "test", Path(tmp), seed=SAMPLE_SEED, size=SAMPLE_SIZE)
        video, truth = out / "sample.mp4", out / "sample.json"
        shutil.copyfile(v.video_path, video)
        shutil.copyfile(v.truth_path, truth)
    t = v.truth.video
    meta = VideoMeta(
        product_name=t.product_label,
        category=t.category,
        price=t.price,
        currency=t.currency,
        creator_id=t.creator_id,
    )
    return video, meta
