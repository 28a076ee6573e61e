"""End to end: retrain the conversion model from a labelled-outcomes manifest, promote it,
and score a video with the new version, through the real command line and model store.

Runs ``sellscope`` in subprocesses against a scratch model store (base models linked from
the default store; the heads and conversion models registered there only).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.integration

REGISTER_SMOKE_HEADS = """
from transformers import AutoTokenizer, BertModel
from models.base_import import E5
from models.heads import register_heads
from models.store import get_model
from training.train_heads import TrainConfig, seed_examples, train
base = get_model(E5)
tok = AutoTokenizer.from_pretrained(str(base.path))
enc = BertModel.from_pretrained(str(base.path), add_pooling_layer=False)
ex = [e for e in seed_examples("train") if e.lang == "en"][:300]
t = train(enc, tok, ex, [], TrainConfig(epochs=1, trainable_layers=1, pairs_per_epoch=0),
          progress=lambda s: None)
print(register_heads(t.encoder, t.heads, 1, {"base_model": base.tag, "kind": "smoke"}))
"""


def _run(args: list[str], env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return r


def _manifest(folder: Path, videos: list, rng: np.random.Generator) -> Path:
    """8 rows per video (other creators, outcomes drawn from its true rate) and a bad file."""
    (folder / "broken.mp4").write_text("this is not a video")
    path = folder / "manifest.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["video", "views", "orders", "gmv", "price", "currency", "category",
                    "creator_id", "product_name", "language"])  # fmt: skip
        for i, v in enumerate(videos):
            t = v.truth
            for k in range(8):
                views = int(rng.integers(2000, 20000))
                orders = int(rng.binomial(views, t.outcome.true_cvr))
                w.writerow([v.video_path.name, views, orders, orders * t.video.price,
                            t.video.price, t.video.currency, t.video.category,
                            f"c{(i * 8 + k) % 12}", t.video.product_label, "en"])  # fmt: skip
        w.writerow(["broken.mp4", 1000, 3, 30, 10, "USD", "beauty", "c1", "", "en"])
    return path


def test_retrain_promote_and_score_with_the_new_version(scratch_store, tmp_path):
    from training.synth import synth_videos

    env = {**os.environ, "BENTOML_HOME": str(scratch_store), "SELLSCOPE_THREADS": "2"}
    exe = [sys.executable, "-m", "service.cli"]
    heads = _run([sys.executable, "-c", REGISTER_SMOKE_HEADS], env).stdout.split()[-1]
    assert heads.startswith("sellscope-heads:")

    videos = synth_videos(6, "en", "test", tmp_path, seed=8, size=(360, 640), fps=10)
    manifest = _manifest(tmp_path, videos, np.random.default_rng(0))
    cache = tmp_path / "cache"
    train = [*exe, "train", "--outcomes", str(manifest), "--workers", "1", "--cache", str(cache)]

    first = _run(train, env).stdout
    assert "48 of 49 rows used; 1 failed" in first
    assert re.search(r"skipped .*broken\.mp4: .*not a (readable )?video", first)
    assert "views + metadata baseline" in first and "CVR: Spearman" in first
    tag1 = re.search(r"registered: (sellscope-conversion:\w+)", first).group(1)
    served_file = scratch_store / "sellscope-served.json"
    assert json.loads(served_file.read_text())["sellscope-conversion"] == tag1  # the first

    second = _run(train, env).stdout  # evidence from the cache; not promoted
    assert "evidence 49/49 (48 cached, 1 failed)" in second
    tag2 = re.search(r"registered: (sellscope-conversion:\w+)", second).group(1)
    assert tag2 != tag1 and "promoted" not in second
    assert json.loads(served_file.read_text())["sellscope-conversion"] == tag1

    third = _run([*train, "--promote"], env).stdout  # same data: not worse, so promoted
    tag3 = re.search(r"registered: (sellscope-conversion:\w+)", third).group(1)
    assert "(promoted: now served)" in third
    assert json.loads(served_file.read_text())["sellscope-conversion"] == tag3

    out = tmp_path / "report.json"
    html = tmp_path / "report.html"
    v = videos[0]
    _run([*exe, "score", str(v.video_path), "--lang", "en", "--json", str(out), "--html",
          str(html), "--product-name", v.truth.video.product_label], env)  # fmt: skip
    report = json.loads(out.read_text())
    assert report["models"]["conversion"] == tag3 and report["models"]["heads"] == heads
    assert report["prediction"]["cvr"] > 0 and html.read_text().startswith("<!DOCTYPE html>")
