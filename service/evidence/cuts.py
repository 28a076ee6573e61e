"""Scene-cut stage: where one shot ends and the next begins."""

from __future__ import annotations

import numpy as np

from service.evidence.types import Cut


def _frame_signature(thumbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import cv2

    hists = []
    grays = []
    for t in thumbs:
        hsv = cv2.cvtColor(t, cv2.COLOR_BGR2HSV)
        h = cv2.calcHist([hsv], [0, 1, 2], None, [16, 4, 4], [0, 180, 0, 256, 0, 256]).ravel()
        hists.append(h / max(h.sum(), 1.0))
        grays.append(cv2.cvtColor(t, cv2.COLOR_BGR2GRAY).astype(np.float32))
    return np.asarray(hists), np.asarray(grays)


def detect_cuts(
    thumbs: np.ndarray,
    times: np.ndarray,
    threshold: float = 0.3,
    min_shot_s: float = 0.5,
) -> tuple[Cut, ...]:
    """Find hard cuts from consecutive thumbnails.

    The change score mixes a colour-histogram distance (robust to motion within a shot)
    and a pixel difference (catches cuts between shots of similar colours); a cut needs a
    score above ``threshold`` and well above the local motion level, so fast motion
    inside a shot is not taken for a cut.

    Args:
        thumbs: ``(M, h, w, 3)`` uint8 BGR thumbnails in time order.
        times: seconds of each thumbnail.
        threshold: minimum change score (0-1) for a cut.
        min_shot_s: cuts closer than this to the previous one are dropped.

    Returns:
        The cuts, each at the time of the first thumbnail of the new shot.
    """
    if len(thumbs) < 2:
        return ()
    hists, grays = _frame_signature(thumbs)
    hist_d = 0.5 * np.abs(np.diff(hists, axis=0)).sum(axis=1)  # total variation, 0-1
    pix_d = np.abs(np.diff(grays, axis=0)).mean(axis=(1, 2)) / 64.0
    score = 0.5 * hist_d + 0.5 * np.clip(pix_d, 0, 1)
    cuts: list[Cut] = []
    last = -np.inf
    for i, s in enumerate(score):
        lo, hi = max(0, i - 4), min(len(score), i + 5)
        neighbours = np.delete(score[lo:hi], i - lo)
        local = float(np.median(neighbours)) if len(neighbours) else 0.0
        t = float(times[i + 1])
        if s >= threshold and s >= 2.5 * local + 0.05 and t - last >= min_shot_s:
            cuts.append(Cut(time_s=round(t, 3), strength=round(float(s), 3)))
            last = t
    return tuple(cuts)
