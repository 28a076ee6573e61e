"""Shared fixtures: tiny generated media, and the real base models for integration tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from training.render import draw_caption, load_audio, write_video

DATA = Path(__file__).parent / "data"
SPEECH = DATA / "speech"

VideoFactory = Callable[..., Path]


@pytest.fixture
def make_video(tmp_path: Path) -> VideoFactory:
    """Write a small generated video and return its path.

    Keyword args: ``duration``, ``size`` (w, h), ``fps``, ``shots`` (list of
    ``(start_s, BGR)``: a hard cut at each start), ``captions`` (list of
    ``(start_s, end_s, text)``), ``audio`` (16 kHz mono float32), ``rotation``,
    ``frame_times``, ``pix_fmt``, ``name``, ``motion`` (a moving block inside each shot).
    """
    counter = iter(range(10_000))

    def make(
        duration: float = 2.0,
        size: tuple[int, int] = (180, 320),
        fps: float = 10.0,
        shots: list[tuple[float, tuple[int, int, int]]] | None = None,
        captions: list[tuple[float, float, str]] | None = None,
        audio: np.ndarray | None = None,
        motion: bool = False,
        name: str | None = None,
        **kw: object,
    ) -> Path:
        shots = shots or [(0.0, (60, 90, 120))]
        w, h = size

        def frame(i: int, t: float) -> np.ndarray:
            colour = [c for s, c in shots if s <= t + 1e-9][-1]
            img = np.empty((h, w, 3), np.uint8)
            img[:] = colour
            if motion:
                x = int((w // 3) * (1 + np.sin(t * 3)))
                img[h // 8 : h // 8 + h // 6, x : x + w // 4] = (220, 220, 220)
            for start, end, text in captions or []:
                if start <= t < end:
                    draw_caption(img, text, y_frac=0.75, scale=max(0.5, w / 450))
            return img

        path = tmp_path / (name or f"video{next(counter)}.mp4")
        return write_video(path, frame, duration, size=size, fps=fps, audio=audio, **kw)

    return make


@pytest.fixture(scope="session")
def base_models() -> None:
    """Make sure the real base models are in the BentoML model store (idempotent)."""
    from models.base_import import import_base_models

    import_base_models()


@pytest.fixture(scope="session")
def evidence_models(base_models: None):  # noqa: ANN201
    """The real models extraction uses, loaded once for the session."""
    from service.extract import EvidenceModels

    return EvidenceModels.from_store()


@pytest.fixture(scope="session")
def jfk_audio() -> np.ndarray:
    """11 s of real English speech (openai/whisper tests, MIT)."""
    return load_audio(SPEECH / "jfk.flac")


@pytest.fixture(scope="session")
def smoke_scorer(base_models: None):  # noqa: ANN201 - models.heads.SentenceScorer
    """The real encoder from the store, fine-tuned briefly on part of the seed corpus.

    A real scorer (tokenizer, multilingual-e5, heads) that costs seconds, not the 15
    minutes of the default training: for tests of the machinery around it, not quality.
    """
    from transformers import AutoTokenizer, BertModel
    from transformers.utils import logging as hf_logging

    from models.base_import import E5
    from models.heads import TASK_LABELS, SentenceScorer
    from models.store import get_model
    from training.train_heads import TrainConfig, seed_examples, train

    hf_logging.set_verbosity_error()
    base = get_model(E5)
    tok = AutoTokenizer.from_pretrained(str(base.path))
    enc = BertModel.from_pretrained(str(base.path), add_pooling_layer=False)
    examples = [e for e in seed_examples("train") if e.lang in ("en", "es")][:600]
    config = TrainConfig(epochs=2, trainable_layers=2, lr_heads=3e-3, pairs_per_epoch=0)
    trained = train(enc, tok, examples, [], config, progress=lambda s: None)
    return SentenceScorer(tok, trained.encoder, trained.heads, TASK_LABELS,
                          "sellscope-heads:smoke", {"base_model": base.tag})  # fmt: skip


@pytest.fixture(scope="session")
def scratch_store(base_models: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BENTOML_HOME of its own for subprocesses: base models linked from the default store.

    Tests that register trained models (heads, conversion) do it here, never in the
    user's store; the base models are symbolic links, so nothing large is copied.
    """
    import os

    from models.base_import import BASE_MODELS
    from models.store import store_home

    home = tmp_path_factory.mktemp("bentoml")
    (home / "models").mkdir()
    for spec in BASE_MODELS:
        os.symlink(store_home() / spec.name, home / "models" / spec.name)
    return home


@dataclass(frozen=True)
class ServedStore:
    """A scratch BENTOML_HOME with trained models, and the tags registered in it."""

    home: Path
    heads: str
    conversion: str

    def env(self) -> dict[str, str]:
        """The environment of a subprocess that uses this store."""
        return {**os.environ, "BENTOML_HOME": str(self.home), "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="session")
def served_store(base_models: None, tmp_path_factory: pytest.TempPathFactory) -> ServedStore:
    """Base models linked, smoke heads trained, the default conversion model fitted and served.

    For the faces that load "what is served" from a store (HTTP service, batch). Not the
    ``scratch_store``: registering models there would change which conversion version
    ``tests/training/test_retrain_e2e.py`` sees as the first one.
    """
    from tests.service.http.serving import (
        fit_conversion,
        link_models,
        register_smoke_heads,
    )
    from training.conversion_data import DEFAULT_TABLE

    home = link_models(tmp_path_factory.mktemp("bentoml-served"))
    env = {**os.environ, "BENTOML_HOME": str(home), "SELLSCOPE_THREADS": "2"}
    heads = register_smoke_heads(env)
    return ServedStore(home, heads, fit_conversion(env, DEFAULT_TABLE))
