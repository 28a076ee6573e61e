"""The embedded default the README's main command runs on: a sample product video."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SPEECH = ROOT / "tests" / "data" / "speech" / "jfk.flac"

# (start s, end s, background BGR, caption)
SHOTS = [
    (0.0, 3.0, (35, 35, 160), "STOP SCROLLING"),
    (3.0, 6.0, (150, 90, 30), "1200 W MOTOR"),
    (6.0, 9.0, (40, 120, 40), "ONLY 9.90 TODAY"),
    (9.0, 12.0, (30, 30, 30), "TAP THE CART"),
]


def render_sample_video(path: Path, speech: Path = SAMPLE_SPEECH) -> Path:
    """Render a 12 s vertical H.264 + AAC video: four shots, captions and real speech."""
    from training.render import draw_caption, load_audio, write_video

    audio = load_audio(speech)
    audio = np.concatenate([np.zeros(8000, np.float32), audio])[: 12 * 16000]
    size = (540, 960)
    h, w = size[1], size[0]

    def frame(i: int, t: float) -> np.ndarray:
        shot = next(s for s in SHOTS if s[0] <= t < s[1]) if t < SHOTS[-1][1] else SHOTS[-1]
        img = np.empty((h, w, 3), np.uint8)
        img[:] = shot[2]
        y = int(h * 0.35 + 40 * np.sin(t * 2))  # the "product" moves a little
        img[y : y + 180, w // 2 - 90 : w // 2 + 90] = (230, 230, 230)
        return draw_caption(img, shot[3], y_frac=0.8, scale=1.3)

    return write_video(path, frame, 12.0, size=size, fps=25, audio=audio)
