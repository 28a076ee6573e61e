"""Load the stored base models for inference, once per process.

Each loader takes its weights from the BentoML model store (never from a package folder or
a hub), and is cached so a worker loads every model once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from models.base_import import FACES, LANGID, OCR, WHISPER
from models.store import get_model

# long side of the frame copy the text detector sees: captions are large, and detection
# cost grows with the pixel count (the int8 detector is calibrated at this size)
OCR_DET_MAX_SIDE = 480


def _threads() -> int:
    return int(os.environ.get("SELLSCOPE_THREADS", "0")) or (os.cpu_count() or 1)


@dataclass(frozen=True)
class Loaded:
    """A loaded model and the store tag it came from."""

    model: Any
    tag: str


@lru_cache(maxsize=4)
def whisper(version: str = "latest", compute_type: str = "int8") -> Loaded:
    """Whisper base as a faster-whisper ``WhisperModel`` (CPU int8 unless a GPU is present)."""
    from faster_whisper import WhisperModel

    stored = get_model(WHISPER, version)
    device, ctype = "cpu", compute_type
    try:
        import ctranslate2

        if ctranslate2.get_cuda_device_count() > 0:
            device, ctype = "cuda", "float16"
    except Exception:  # noqa: BLE001 - no CUDA runtime: stay on the CPU
        pass
    model = WhisperModel(
        str(stored.path), device=device, compute_type=ctype, cpu_threads=_threads()
    )
    return Loaded(model, stored.tag)


@lru_cache(maxsize=2)
def ocr(version: str = "latest") -> Loaded:
    """PP-OCR text detection and recognition as a ``TextReader``."""
    import logging

    from models.text_reader import TextReader

    stored = get_model(OCR, version)
    meta = stored.metadata
    det = ocr_detector_file(meta)
    params = {
        "Global.log_level": "error",
        "Det.model_path": str(stored.path / det),
        "Rec.model_path": str(stored.path / meta["rec"]),
        "Cls.model_path": str(stored.path / meta["cls"]),
        # captions are upright: the 180-degree classifier costs time and finds nothing
        "Global.use_cls": False,
        # detect on a small copy (captions are large) and never upscale; lines are
        # recognised from crops of the full analysis frame
        "Det.limit_type": "max",
        "Det.limit_side_len": OCR_DET_MAX_SIDE,
        "EngineConfig.onnxruntime.intra_op_num_threads": _threads(),
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    reader = TextReader.build(params, stored.path / det, stored.path / meta["rec"], _threads())
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return Loaded(reader, ocr_tag(stored.tag, meta))


def ocr_detector_file(meta: dict) -> str:
    """The detector file to run: the int8 copy unless ``SELLSCOPE_OCR_INT8=0`` asks for
    float32 (or the stored model predates the int8 copy)."""
    use_int8 = os.environ.get("SELLSCOPE_OCR_INT8", "1") != "0" and "det_int8" in meta
    return meta["det_int8"] if use_int8 else meta["det"]


def ocr_tag(tag: str, meta: dict) -> str:
    """The OCR model's tag as evidence records it: the store tag, marked when the float32
    detector runs instead of the int8 one (their reads can differ)."""
    return tag if ocr_detector_file(meta) == meta.get("det_int8") else f"{tag}+det-fp32"


@lru_cache(maxsize=2)
def face_detector(version: str = "latest") -> Loaded:
    """OpenCV's Haar frontal-face cascade."""
    import cv2

    stored = get_model(FACES, version)
    cascade = cv2.CascadeClassifier(str(stored.path / "haarcascade_frontalface_default.xml"))
    return Loaded(cascade, stored.tag)


@lru_cache(maxsize=2)
def language_identifier(version: str = "latest") -> Loaded:
    """fastText lid.176 as a ``fasttext`` model (``predict(text, k)``)."""
    import fasttext

    stored = get_model(LANGID, version)
    return Loaded(fasttext.load_model(str(stored.path / "lid.176.ftz")), stored.tag)
