"""The sentence scorer in the model store: register a trained version, load it, same outputs.

Runs in a subprocess with its own BENTOML_HOME (BentoML reads it once per process), on a
tiny random-weight encoder stored under the base model's name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, tempfile
from pathlib import Path

import bentoml
import numpy as np
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

from models.base_import import E5
from models.heads import TASK_LABELS, load_scorer, register_heads
from models.store import get_model
from service.errors import ModelMissingError
from training.train_heads import Example, TrainConfig, predict_logits, train

try:
    load_scorer()
    missing = None
except ModelMissingError as e:
    missing = str(e)

words = "query: hello guys welcome stop scrolling look at this price today only".split()
vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(words)}}
tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
tok.pre_tokenizer = pre_tokenizers.Whitespace()
fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]")
torch.manual_seed(0)
cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=3,
                 num_attention_heads=2, intermediate_size=64, max_position_embeddings=80)
encoder = BertModel(cfg, add_pooling_layer=False)
with bentoml.models.create(E5, metadata={"kind": "base"}) as m:
    encoder.save_pretrained(m.path)
    fast.save_pretrained(m.path)
    base_tag = str(m.tag)
base = get_model(E5)
encoder = BertModel.from_pretrained(str(base.path), add_pooling_layer=False)
tokenizer = PreTrainedTokenizerFast.from_pretrained(str(base.path))

ex = [Example("stop scrolling look at this", {"hook_strength": 1, "intent": 1}, "en", "seed"),
      Example("hello guys welcome", {"hook_strength": 0, "intent": 2}, "en", "seed")]
trained = train(encoder, tokenizer, ex, [], TrainConfig(epochs=3, batch_size=2,
                trainable_layers=1, lr_encoder=1e-2, lr_heads=1e-2), progress=lambda s: None)
temps = torch.linspace(0.5, 2.0, len(TASK_LABELS))
trained.heads.temperature.copy_(temps)
tag = register_heads(trained.encoder, trained.heads, 1,
                     {"base_model": base_tag, "metrics": {"note": "tiny"}})
scorer = load_scorer()
texts = ["stop scrolling look at this price", "hello guys", "only today"]
ours = predict_logits(trained, texts)
stored = scorer.logits(texts)
diff = max(float(np.abs(stored[k] - ours[k] / float(temps[i])).max())
           for i, k in enumerate(TASK_LABELS))
probs = scorer.score(texts)[0].probs
print(json.dumps({
    "missing": missing, "tag": tag, "scorer_tag": scorer.tag, "diff": diff,
    "meta": scorer.metadata, "prob_sums": [sum(v.values()) for v in probs.values()],
    "files": sorted(p.name for p in get_model("sellscope-heads").path.iterdir()),
}))
"""


def test_registered_heads_load_back_with_the_same_outputs(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "store")}
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "sellscope-heads:latest" in out["missing"] and "sellscope train heads" in out["missing"]
    assert out["scorer_tag"] == out["tag"]
    assert out["diff"] < 1e-4  # stored top layer + heads + temperatures = the trained model
    assert out["meta"]["base_model"].startswith("sellscope-e5-small:")
    assert out["meta"]["trainable_layers"] == 1
    assert set(out["meta"]["labels"]) == {
        "hook_strength", "hook_type", "fabe_role", "intent", "cta", "clickbait"
    }  # fmt: skip
    assert all(abs(s - 1) < 1e-5 for s in out["prob_sums"])
    # only the fine-tuned layer and the heads are stored, not the frozen encoder
    assert out["files"] == ["labels.json", "model.yaml", "trained.safetensors"]
