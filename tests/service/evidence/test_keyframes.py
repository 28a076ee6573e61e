"""Key frames: one small JPEG still a second, decodable, nearest by time."""

from __future__ import annotations

import base64

import cv2
import numpy as np

from service.evidence.keyframes import nearest_keyframe, pick_keyframes


def test_one_still_a_second_scaled_and_decodable():
    times = np.arange(0, 5, 0.5)  # analysis frames at 2 fps
    frames = np.zeros((len(times), 640, 360, 3), np.uint8)
    for i in range(len(times)):
        frames[i, :, :, 2] = 20 * i  # red grows with time
    kf = pick_keyframes(frames, times, every_s=1.0, width=90)
    assert [k.time_s for k in kf] == [0.0, 1.0, 2.0, 3.0, 4.0]
    img = cv2.imdecode(np.frombuffer(base64.b64decode(kf[2].jpeg_b64), np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (160, 90, 3)
    assert abs(int(img[..., 2].mean()) - 80) <= 3  # the frame at 2.0 s (index 4)
    assert nearest_keyframe(kf, 2.6).time_s == 3.0
    assert nearest_keyframe((), 1.0) is None
