"""The multilingual text encoder (multilingual-e5-small) loaded from the model store."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from models.base_import import E5
from models.store import get_model


@dataclass(frozen=True)
class TextEncoder:
    """Tokenizer + ``BertModel`` of multilingual-e5-small, and its store tag."""

    tokenizer: Any
    model: Any
    tag: str

    def embed(
        self, texts: list[str], prefix: str = "passage: ", batch_size: int = 32
    ) -> np.ndarray:
        """L2-normalised mean-pooled embeddings, ``(len(texts), 384)`` float32.

        e5 was trained with a ``"query: "`` or ``"passage: "`` prefix on every input.
        """
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                batch = [prefix + t for t in texts[i : i + batch_size]]
                enc = self.tokenizer(
                    batch, padding=True, truncation=True, max_length=512, return_tensors="pt"
                )
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return (
            np.concatenate(out) if out else np.zeros((0, self.model.config.hidden_size), np.float32)
        )


@lru_cache(maxsize=2)
def load_text_encoder(version: str = "latest") -> TextEncoder:
    """Load the encoder from the BentoML model store (once per process)."""
    from transformers import AutoTokenizer, BertModel
    from transformers.utils import logging as hf_logging

    stored = get_model(E5, version)
    hf_logging.set_verbosity_error()
    tok = AutoTokenizer.from_pretrained(str(stored.path))
    model = BertModel.from_pretrained(str(stored.path), add_pooling_layer=False).eval()
    return TextEncoder(tok, model, stored.tag)
