"""The sentence scorer: multilingual-e5-small with one head per task.

One forward pass per sentence serves every task: hook strength and type, FABE role,
grass-planting / sell intent, call to action (and the clickbait head, trained on real
headlines as an auxiliary task). Fine-tuning updates the top ``trainable_layers`` encoder
layers and the heads; the stored model keeps only those weights and names the base
encoder version it sits on, so a version costs megabytes, not the whole encoder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from service.domain import FABE_ROLES, HOOK_TYPES, INTENTS

HEADS_MODEL = "sellscope-heads"
PREFIX = "query: "
MAX_TOKENS = 64

TASK_LABELS: dict[str, tuple[str, ...]] = {
    "hook_strength": ("weak", "strong"),
    "hook_type": HOOK_TYPES,
    "fabe_role": FABE_ROLES,
    "intent": INTENTS,
    "cta": ("no", "yes"),
    "clickbait": ("no", "yes"),
}


def _torch() -> Any:
    import torch

    return torch


def build_heads(hidden: int, labels: dict[str, tuple[str, ...]] = TASK_LABELS) -> Any:
    """One small MLP head per task over the mean-pooled sentence vector."""
    torch = _torch()
    nn = torch.nn

    class Heads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.heads = nn.ModuleDict(
                {
                    name: nn.Sequential(
                        nn.Dropout(0.1),
                        nn.Linear(hidden, hidden),
                        nn.GELU(),
                        nn.Linear(hidden, len(lbls)),
                    )
                    for name, lbls in labels.items()
                }
            )
            # per-task temperature, fitted on the dev split (calibration)
            self.register_buffer("temperature", torch.ones(len(labels)))

        def forward(self, pooled: Any) -> dict[str, Any]:
            return {name: head(pooled) for name, head in self.heads.items()}

    return Heads()


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Mean over real tokens (e5's pooling)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def additive_mask(mask: Any) -> Any:
    """``(B, T)`` 0/1 mask -> ``(B, 1, 1, T)`` additive float mask for BertLayer."""
    torch = _torch()
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


@dataclass(frozen=True)
class SentenceScores:
    """Every head's probabilities for one sentence."""

    text: str
    probs: dict[str, dict[str, float]] = field(default_factory=dict)

    def top(self, task: str) -> tuple[str, float]:
        """The most likely label of ``task`` and its probability."""
        label = max(self.probs[task], key=self.probs[task].get)
        return label, self.probs[task][label]


@dataclass
class SentenceScorer:
    """Tokenizer + encoder + heads, ready to score sentences."""

    tokenizer: Any
    encoder: Any
    heads: Any
    labels: dict[str, tuple[str, ...]]
    tag: str
    metadata: dict

    def logits(self, texts: list[str], batch_size: int = 32) -> dict[str, np.ndarray]:
        """Raw (temperature-scaled) logits per task, ``(len(texts), n_labels)``."""
        torch = _torch()
        out: dict[str, list[np.ndarray]] = {k: [] for k in self.labels}
        temps = dict(zip(self.labels, self.heads.temperature.tolist(), strict=True))
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                enc = self.tokenizer(
                    [PREFIX + t for t in texts[i : i + batch_size]],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                hidden = self.encoder(**enc).last_hidden_state
                logits = self.heads(mean_pool(hidden, enc["attention_mask"]))
                for k, v in logits.items():
                    out[k].append((v / temps[k]).numpy())
        return {
            k: np.concatenate(v) if v else np.zeros((0, len(self.labels[k])))
            for k, v in out.items()
        }

    def score(self, texts: list[str]) -> list[SentenceScores]:
        """Calibrated probabilities of every head for each text."""
        logits = self.logits(texts)
        probs = {k: _softmax(v) for k, v in logits.items()}
        return [
            SentenceScores(
                text=t,
                probs={
                    k: dict(zip(self.labels[k], map(float, probs[k][i]), strict=True))
                    for k in self.labels
                },
            )
            for i, t in enumerate(texts)
        ]


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def save_trained(
    folder: Path,
    encoder: Any,
    heads: Any,
    trainable_layers: int,
    labels: dict[str, tuple[str, ...]],
) -> None:
    """Write the fine-tuned top layers and the heads (not the frozen rest) to ``folder``."""
    from safetensors.torch import save_file

    n = encoder.config.num_hidden_layers
    state = {
        f"encoder.{k}": v.contiguous()
        for k, v in encoder.state_dict().items()
        if any(k.startswith(f"encoder.layer.{i}.") for i in range(n - trainable_layers, n))
    }
    state.update({f"heads.{k}": v.contiguous() for k, v in heads.state_dict().items()})
    save_file(state, str(folder / "trained.safetensors"))
    (folder / "labels.json").write_text(
        json.dumps({k: list(v) for k, v in labels.items()}, ensure_ascii=False)
    )


def register_heads(
    encoder: Any,
    heads: Any,
    trainable_layers: int,
    metadata: dict,
    labels: dict[str, tuple[str, ...]] = TASK_LABELS,
) -> str:
    """Save fine-tuned layers and heads as a new ``sellscope-heads`` version; return its tag.

    ``metadata`` must name the ``base_model`` tag the layers sit on; it is stored with the
    model (JSON-normalised), as are the label sets and ``trainable_layers``.
    """
    import bentoml

    if "base_model" not in metadata:
        raise ValueError("metadata needs the base_model tag the fine-tuned layers sit on")
    meta = {
        **metadata,
        "labels": {k: list(v) for k, v in labels.items()},
        "trainable_layers": trainable_layers,
    }
    with bentoml.models.create(HEADS_MODEL, metadata=json.loads(json.dumps(meta))) as m:
        save_trained(Path(m.path), encoder, heads, trainable_layers, labels)
        return str(m.tag)


def load_scorer(version: str = "latest") -> SentenceScorer:
    """Load the base encoder and overlay the fine-tuned layers and heads of ``version``."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertModel
    from transformers.utils import logging as hf_logging

    from models.store import get_model

    stored = get_model(HEADS_MODEL, version, fix="sellscope train heads")
    base_tag = stored.metadata["base_model"]
    base_name, base_version = base_tag.split(":")
    base = get_model(base_name, base_version)
    hf_logging.set_verbosity_error()
    tokenizer = AutoTokenizer.from_pretrained(str(base.path))
    encoder = BertModel.from_pretrained(str(base.path), add_pooling_layer=False).eval()
    labels = {k: tuple(v) for k, v in json.loads((stored.path / "labels.json").read_text()).items()}
    heads = build_heads(encoder.config.hidden_size, labels).eval()
    state = load_file(str(stored.path / "trained.safetensors"))
    enc_state = {
        k.removeprefix("encoder."): v for k, v in state.items() if k.startswith("encoder.")
    }
    missing = encoder.load_state_dict(enc_state, strict=False)
    if missing.unexpected_keys:
        raise ValueError(f"unexpected encoder weights: {missing.unexpected_keys[:3]}")
    heads.load_state_dict(
        {k.removeprefix("heads."): v for k, v in state.items() if k.startswith("heads.")}
    )
    return SentenceScorer(tokenizer, encoder, heads, labels, stored.tag, stored.metadata)
