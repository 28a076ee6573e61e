"""PP-OCR as two calls the on-screen text stage needs: find text lines, read lines.

``rapidocr`` does the pre- and post-processing (pinned version: the attributes used
here are checked by ``tests/models/test_text_reader.py``). Two things are changed:

- its onnxruntime sessions are rebuilt without thread spinning: extraction runs OCR
  beside Whisper on few cores, where idle threads that spin steal the cores the other
  stages need (measured: a fifth of the extraction's CPU time);
- the lines of one frame are recognised in one batched call, not one call per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


def quiet_session(path: Path, threads: int) -> Any:
    """An onnxruntime CPU session whose idle threads sleep instead of spinning."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def line_boxes(
    quads: list[np.ndarray], width: int, height: int, pad: int = 0
) -> list[tuple[int, int, int, int]]:
    """Pixel boxes ``(x0, y0, x1, y1)`` around detected line quadrilaterals, widened by
    ``pad`` and clipped to the image; boxes under 4 px a side are dropped."""
    out = []
    for q in quads:
        x0, y0 = max(0, int(q[:, 0].min()) - pad), max(0, int(q[:, 1].min()) - pad)
        x1, y1 = min(width, int(q[:, 0].max()) + pad), min(height, int(q[:, 1].max()) + pad)
        if x1 - x0 >= 4 and y1 - y0 >= 4:
            out.append((x0, y0, x1, y1))
    return out


@dataclass
class TextReader:
    """Text line detection and recognition over a configured ``RapidOCR`` engine."""

    engine: Any  # rapidocr.RapidOCR

    @classmethod
    def build(cls, params: dict[str, Any], det: Path, rec: Path, threads: int) -> TextReader:
        """Make the engine from rapidocr ``params`` and give it quiet sessions on ``det``
        and ``rec`` (the angle classifier is never used: captions are upright)."""
        from rapidocr import RapidOCR

        engine = RapidOCR(params=params)
        # rapidocr loads its models lazily; load them now, then swap the sessions
        engine._load_det_model().session.session = quiet_session(det, threads)
        engine._load_rec_model().session.session = quiet_session(rec, threads)
        return cls(engine)

    @property
    def characters(self) -> frozenset[str]:
        """Every character the recogniser can write (its dictionary): a letter missing
        here is dropped from what it reads."""
        return frozenset(self.engine._load_rec_model().postprocess_op.character)

    def detect(self, img: np.ndarray) -> list[np.ndarray]:
        """Quadrilaterals (4x2 pixel corners) of the text lines in a BGR image."""
        det = self.engine.text_det(img)
        return [] if det.boxes is None else [np.asarray(q, np.float32) for q in det.boxes]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of each cropped line, in the order given (one batched call)."""
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec.typings import TextRecInput

        out = self.engine.text_rec(TextRecInput(img=list(crops)))
        return [(str(t).strip(), float(s)) for t, s in zip(out.txts, out.scores, strict=True)]

    def __call__(self, img: np.ndarray) -> list[tuple[str, float]]:
        """Detect and read every line of an image, top to bottom."""
        h, w = img.shape[:2]
        boxes = line_boxes(self.detect(img), w, h)
        return self.recognise([img[y0:y1, x0:x1] for x0, y0, x1, y1 in boxes])
