"""An int8 copy of the PP-OCRv6 text detector, made at import time.

Text detection is most of the on-screen text stage's cost. Static int8 quantisation
(QDQ, onnxruntime) makes it about three times faster on CPUs with VNNI, and the
detector's output barely moves (``tests/models/test_ocr_int8.py`` bounds how much).
Recognition stays float32: its 18k-character multilingual output is where int8 errors
would show as wrong characters.

Calibration frames are drawn here, from a fixed seed: captions of several sizes,
colours and outlines on plain, gradient, noisy and busy backgrounds, portrait and
landscape, and some frames with no text at all. Nothing is fetched.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

CALIBRATION_FRAMES = 32
SEED = 0
# Bump when the calibration or the quantisation settings change: part of the stored
# model's checksum, so ``sellscope models import`` rebuilds the int8 copy.
RECIPE = "det-int8-qdq-minmax-v1"

_WORDS = (
    "STOP SCROLLING", "ONLY 9.90", "50% OFF", "FREE SHIPPING", "Tap the cart", "2 YEAR WARRANTY",
    "waterproof", "Diskon 70%", "Livraison gratuite", "Ilmainen toimitus", "Envio gratis",
    "Giam gia 50%", "NEW", "1200 W", "link in bio", "best seller", "Before / After", "x3",
)  # fmt: skip


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    import cv2

    kind = rng.integers(0, 4)
    if kind == 0:  # plain colour
        img = np.empty((h, w, 3), np.uint8)
        img[:] = rng.integers(0, 256, 3)
    elif kind == 1:  # gradient
        a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        ramp = np.linspace(0, 1, h)[:, None, None]
        img = np.broadcast_to(a + (b - a) * ramp, (h, w, 3)).astype(np.uint8)
    elif kind == 2:  # noise, blurred into texture
        img = cv2.GaussianBlur(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), (0, 0), 3)
    else:  # busy: random shapes, like a product shot
        img = np.full((h, w, 3), rng.integers(0, 256, 3), np.uint8)
        for _ in range(12):
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
            if rng.random() < 0.5:
                cv2.circle(img, (x, y), int(rng.integers(10, w // 3)), colour, -1)
            else:
                cv2.rectangle(img, (x, y), (x + int(rng.integers(10, w // 2)),
                              y + int(rng.integers(10, h // 3))), colour, -1)  # fmt: skip
    return np.ascontiguousarray(img)


def calibration_frames(n: int = CALIBRATION_FRAMES, seed: int = SEED) -> list[np.ndarray]:
    """BGR frames to calibrate the detector's activation ranges on (deterministic)."""
    import cv2

    rng = np.random.default_rng(seed)
    fonts = (cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_TRIPLEX)
    out = []
    for i in range(n):
        h, w = (960, 540) if i % 4 else (540, 960)
        img = _background(rng, h, w)
        for _ in range(0 if i % 8 == 7 else int(rng.integers(1, 5))):
            text = str(rng.choice(_WORDS))
            font = fonts[int(rng.integers(0, len(fonts)))]
            scale = float(rng.uniform(0.6, 2.2))
            thick = max(1, int(scale * 2))
            (tw, th), _ = cv2.getTextSize(text, font, scale, thick)
            x = int(rng.integers(0, max(1, w - tw)))
            y = int(rng.integers(th + 2, h - 2))
            fg = tuple(int(c) for c in rng.integers(0, 256, 3))
            if rng.random() < 0.6:  # outlined caption, the usual style
                cv2.putText(img, text, (x, y), font, scale, (0, 0, 0), thick + 4, cv2.LINE_AA)
            cv2.putText(img, text, (x, y), font, scale, fg, thick, cv2.LINE_AA)
        out.append(img)
    return out


def quantize_detector(src: Path, dst: Path, max_side: int) -> dict:
    """Write a static int8 (QDQ) copy of the ONNX text detector ``src`` to ``dst``.

    Args:
        src: the float32 PP-OCR detector.
        dst: where the int8 model goes.
        max_side: the detector input's long side at run time (calibration inputs are
            prepared exactly as the runtime engine prepares frames).

    Returns:
        Metadata for the stored model: how the copy was made.
    """
    import onnxruntime
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    session = onnxruntime.InferenceSession(str(src), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    prep = DetPreProcess(max_side, "max", [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    inputs = [prep(img) for img in calibration_frames()]

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._it = iter([{name: x} for x in inputs])

        def get_next(self) -> dict | None:
            return next(self._it, None)

    with tempfile.TemporaryDirectory(prefix="sellscope-q-") as tmp:
        pre = Path(tmp) / "pre.onnx"
        # the detector's dynamic shapes defeat symbolic inference; ONNX's own is enough
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        quantize_static(
            str(pre),
            str(dst),
            _Reader(),
            quant_format=QuantFormat.QDQ,
            per_channel=False,  # the model's opset 11 has no per-axis DequantizeLinear
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
        )
    return {
        "det_int8": dst.name,
        "det_int8_recipe": RECIPE,
        "det_int8_calibration": f"{len(inputs)} generated frames, seed {SEED}",
        "det_int8_onnxruntime": onnxruntime.__version__,
    }
