"""Face stage: is a person on screen, and how big."""

from __future__ import annotations

from typing import Any

import numpy as np

from service.evidence.types import FaceFrame

DETECT_WIDTH = 240


def detect_faces(
    frames: np.ndarray,
    times: np.ndarray,
    cascade: Any,
    changed: list[int] | None = None,
) -> tuple[FaceFrame, ...]:
    """Count frontal faces in every analysis frame.

    Frames are scaled to 240 px wide first: creator faces in these videos are large, and
    the cascade's cost grows with the pixel count. Frames whose picture did not change
    (``changed`` from ``onscreen_text.changed_frames``) repeat the last count.

    Args:
        frames: ``(N, H, W, 3)`` uint8 BGR frames.
        times: seconds of each frame.
        cascade: an OpenCV ``CascadeClassifier`` (``models.runtime.face_detector``).
        changed: indices of frames to look at; all frames when None.

    Returns:
        One entry per frame.
    """
    import cv2

    out: list[FaceFrame] = []
    look = set(range(len(frames))) if changed is None else set(changed)
    for i, (img, t) in enumerate(zip(frames, times, strict=True)):
        if i not in look and out:
            out.append(FaceFrame(round(float(t), 3), out[-1].count, out[-1].largest_area))
            continue
        h, w = img.shape[:2]
        scale = min(1.0, DETECT_WIDTH / w)
        small = cv2.resize(img, (int(w * scale), int(h * scale))) if scale < 1 else img
        gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        # creator faces fill a good part of a vertical frame: skip the tiny scales
        min_side = max(20, int(0.12 * min(gray.shape)))
        found = cascade.detectMultiScale(
            gray, scaleFactor=1.2, minNeighbors=5, minSize=(min_side, min_side)
        )
        areas = [fw * fh / (gray.shape[0] * gray.shape[1]) for (_x, _y, fw, fh) in found]
        out.append(
            FaceFrame(
                time_s=round(float(t), 3),
                count=len(areas),
                largest_area=round(float(max(areas, default=0.0)), 4),
            )
        )
    return tuple(out)
