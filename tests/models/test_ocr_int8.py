"""The int8 text detector: calibration frames, and how close its reads stay to float32."""

from __future__ import annotations

import numpy as np
import pytest

from models.ocr_int8 import calibration_frames


def test_calibration_frames_are_deterministic_and_varied():
    a, b = calibration_frames(8, seed=3), calibration_frames(8, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[1], calibration_frames(8, seed=4)[1])
    shapes = {f.shape for f in calibration_frames()}
    assert shapes == {(960, 540, 3), (540, 960, 3)}  # portrait and landscape


def _frames() -> list[np.ndarray]:
    """Caption frames the detector was not calibrated on: the synthetic videos' style."""
    from training.render import draw_caption

    rng = np.random.default_rng(11)
    texts = ["ONLY 9.90 TODAY", "Diskon 70% hari ini", "Livraison gratuite", "2 YEAR WARRANTY",
             "Envio gratis hoy", "TAP THE CART", "Ilmainen toimitus", "50K SOLD"]  # fmt: skip
    out = []
    for i, text in enumerate(texts):
        img = np.full((960, 540, 3), rng.integers(20, 200, 3), np.uint8)
        img = (img + rng.integers(0, 30, img.shape, dtype=np.uint8)).astype(np.uint8)
        img[300:520, 60 + 20 * i : 260 + 20 * i] = rng.integers(0, 256, 3)  # a product block
        out.append(draw_caption(img, text, y_frac=0.3 + 0.07 * i, scale=1.0 + 0.15 * i))
    return out


@pytest.mark.integration
def test_int8_detector_reads_what_float32_reads(monkeypatch):
    from models import runtime

    meta = runtime.get_model(runtime.OCR).metadata
    assert "det_int8" in meta and meta["det_int8_recipe"]
    runtime.ocr.cache_clear()
    try:
        monkeypatch.setenv("SELLSCOPE_OCR_INT8", "0")
        fp32 = runtime.ocr()
        runtime.ocr.cache_clear()
        monkeypatch.setenv("SELLSCOPE_OCR_INT8", "1")
        int8 = runtime.ocr()
    finally:
        runtime.ocr.cache_clear()
    assert fp32.tag.endswith("+det-fp32") and not int8.tag.endswith("+det-fp32")
    frames = _frames()
    from service.evidence.onscreen_text import MIN_CONFIDENCE, normalise_text

    def kept(reader, frame):  # what the on-screen text stage keeps of a read
        return [t for t, s in reader(frame) if s >= MIN_CONFIDENCE and len(normalise_text(t)) > 1]

    reads32 = [kept(fp32.model, f) for f in frames]
    reads8 = [kept(int8.model, f) for f in frames]
    assert all(reads32), "float32 must read every caption for the comparison to mean anything"
    same = sum(a == b for a, b in zip(reads32, reads8, strict=True))
    assert same >= len(frames) - 1, list(zip(reads32, reads8, strict=True))
