"""Key frames: small JPEG stills the report shows beside its evidence (hook, cuts, reasons)."""

from __future__ import annotations

import base64

import numpy as np

from service.evidence.types import KeyFrame

KEYFRAME_EVERY_S = 1.0
KEYFRAME_WIDTH = 180


def pick_keyframes(
    frames: np.ndarray,
    times: np.ndarray,
    every_s: float = KEYFRAME_EVERY_S,
    width: int = KEYFRAME_WIDTH,
    quality: int = 70,
) -> tuple[KeyFrame, ...]:
    """One analysis frame every ``every_s`` seconds, scaled to ``width`` px, as JPEG.

    Args:
        frames: analysis frames, ``(N, H, W, 3)`` BGR uint8.
        times: their presentation times in seconds.
        every_s: spacing of the stills.
        width: width of a still in pixels (height keeps the aspect ratio).
        quality: JPEG quality, 1-100.
    """
    import cv2

    out: list[KeyFrame] = []
    if len(times) == 0:
        return ()
    times = np.asarray(times, float)
    # the analysis frame nearest to each point of a regular grid (frames may be uneven)
    grid = np.arange(0.0, float(times[-1]) + every_s / 2, every_s)
    picked = sorted({int(np.abs(times - g).argmin()) for g in grid})
    for i in picked:
        img, t = frames[i], times[i]
        h, w = img.shape[:2]
        small = cv2.resize(img, (width, max(2, round(h * width / w))), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out.append(KeyFrame(round(float(t), 3), base64.b64encode(buf.tobytes()).decode()))
    return tuple(out)


def nearest_keyframe(keyframes: tuple[KeyFrame, ...], time_s: float) -> KeyFrame | None:
    """The still closest in time to ``time_s`` (None when there are none)."""
    return min(keyframes, key=lambda k: abs(k.time_s - time_s), default=None)
