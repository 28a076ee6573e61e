"""Face stage with the real Haar cascade on drawn, shaded faces (no face photos ship here)."""

from __future__ import annotations

import numpy as np
import pytest

from service.evidence.faces import detect_faces

pytestmark = pytest.mark.integration


def _face(img: np.ndarray, cx: int, cy: int, s: int) -> np.ndarray:
    """A skin-toned oval with dark eye sockets and mouth, blurred like a soft-lit face:
    the light and dark bands the frontal cascade keys on."""
    import cv2

    skin = np.zeros(img.shape[:2], np.float32)
    cv2.ellipse(skin, (cx, cy), (int(0.78 * s), s), 0, 0, 360, 1.0, -1)
    shade = np.ones(img.shape[:2], np.float32)
    for dx in (-1, 1):
        centre = (cx + dx * int(0.36 * s), cy - int(0.18 * s))
        cv2.ellipse(shade, centre, (int(0.26 * s), int(0.14 * s)), 0, 0, 360, 0.5, -1)
    mouth, nostrils = (cx, cy + int(0.45 * s)), (cx, cy + int(0.18 * s))
    cv2.ellipse(shade, mouth, (int(0.32 * s), int(0.09 * s)), 0, 0, 360, 0.45, -1)
    cv2.ellipse(shade, nostrils, (int(0.16 * s), int(0.06 * s)), 0, 0, 360, 0.7, -1)
    shade = cv2.GaussianBlur(shade, (0, 0), 0.12 * s)
    mask = cv2.GaussianBlur(skin, (0, 0), 2)[..., None]
    face = np.array((140, 170, 215), np.float32) * shade[..., None]
    return np.clip(img * (1 - mask) + face * mask, 0, 255).astype(np.uint8)


def _frame(*faces: tuple[int, int, int]) -> np.ndarray:
    img = np.full((960, 540, 3), (70, 80, 90), np.uint8)
    for cx, cy, s in faces:
        img = _face(img, cx, cy, s)
    return img


def test_counts_faces_and_their_size(evidence_models):
    frames = np.stack([_frame(), _frame((270, 420, 150)), _frame((270, 420, 80)),
                       _frame((140, 250, 90), (400, 700, 90))])  # fmt: skip
    out = detect_faces(frames, np.arange(4.0), evidence_models.faces)
    assert [f.count for f in out] == [0, 1, 1, 2]
    assert out[0].largest_area == 0.0
    # the cascade's square box is of the size of the oval's bounding box
    oval = (2 * 0.78 * 150) * (2 * 150) / (960 * 540)
    assert 0.5 * oval < out[1].largest_area < 2.0 * oval
    assert out[2].largest_area < out[1].largest_area  # a smaller face, a smaller area
    assert [f.time_s for f in out] == [0.0, 1.0, 2.0, 3.0]


def test_unchanged_frames_repeat_the_last_count(evidence_models):
    frames = np.stack([_frame((270, 420, 150)), _frame(), _frame()])
    # frame 1 "did not change" (not in changed): it repeats frame 0's count, unlike frame 2
    out = detect_faces(frames, np.arange(3.0), evidence_models.faces, changed=[0, 2])
    assert [f.count for f in out] == [1, 1, 0]
