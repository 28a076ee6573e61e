"""Sentence-scorer training on a tiny random-weight encoder (fast unit tests)."""

from __future__ import annotations

import copy
import time
from dataclasses import replace

import numpy as np
import pytest
import torch

from models.heads import TASK_LABELS, build_heads, mean_pool
from training.evaluate_heads import confusion, macro_f1
from training.train_heads import (
    Example,
    HiddenCache,
    TrainConfig,
    example_loss,
    fit_temperatures,
    forward_top,
    is_soft_cta,
    length_grouped,
    predict_logits,
    train,
)


class WordTokenizer:
    """A whitespace tokenizer with the call signature of a transformers tokenizer."""

    def __init__(self, vocab: list[str]) -> None:
        self.ids = {w: i + 2 for i, w in enumerate(vocab)}

    def __call__(self, texts, padding=True, truncation=True, max_length=64, return_tensors="pt"):
        rows = [
            [0] + [self.ids.get(w, 1) for w in t.lower().split()][: max_length - 2] + [1]
            for t in texts
        ]
        n = max(len(r) for r in rows)
        ids = torch.tensor([r + [1] * (n - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (n - len(r)) for r in rows])
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)}


@pytest.fixture
def tiny():
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    words = [
        "query:", "great", "cheap", "price", "today", "hello", "guys", "welcome", "stop",
        "scrolling", "look", "this",
    ]  # fmt: skip
    cfg = BertConfig(
        vocab_size=len(words) + 2,
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    return BertModel(cfg, add_pooling_layer=False).eval(), WordTokenizer(words)


def test_cached_bottom_layers_give_the_full_forward(tiny):
    encoder, tok = tiny
    heads = build_heads(32).eval()
    texts = ["stop scrolling look", "hello guys welcome to this", "cheap price today"]
    cache = HiddenCache(encoder, tok, frozen_layers=2)
    cache.add(texts)
    with torch.no_grad():
        ours = forward_top(encoder, heads, cache, texts, trainable_layers=2)
        enc = tok(["query: " + t for t in texts])
        full = heads(mean_pool(encoder(**enc).last_hidden_state, enc["attention_mask"]))
    for k in TASK_LABELS:
        torch.testing.assert_close(ours[k], full[k], atol=1e-5, rtol=1e-5)


def test_training_learns_a_separable_task_and_pairs(tiny):
    encoder, tok = tiny
    strong = ["stop scrolling look", "cheap price today", "look this price", "stop look today"]
    weak = ["hello guys", "welcome guys", "hello welcome", "guys hello welcome"]
    ex = [Example(t, {"hook_strength": 1}, "en", "seed") for t in strong]
    ex += [Example(t, {"hook_strength": 0}, "en", "seed") for t in weak]
    pairs = [("stop scrolling look", "hello guys")]
    config = TrainConfig(
        epochs=25, batch_size=8, trainable_layers=2, lr_encoder=3e-3, lr_heads=3e-3, seed=1
    )
    lines: list[str] = []
    trained = train(encoder, tok, ex, pairs, config, progress=lines.append)
    assert len(trained.history) == 25 and lines[0].startswith("cached")
    assert trained.history[-1]["hook_strength"] < trained.history[0]["hook_strength"]
    logits = predict_logits(trained, strong + weak)["hook_strength"]
    assert (logits.argmax(1) == np.array([1] * 4 + [0] * 4)).all()
    temps = fit_temperatures(trained, ex)
    assert 0.3 <= temps["hook_strength"] <= 5.0
    assert float(trained.heads.temperature[0]) == pytest.approx(temps["hook_strength"])


def test_length_grouped_batches_pad_less_and_keep_every_index():
    rng = np.random.default_rng(0)
    lengths = list(rng.integers(5, 60, 1000))
    order = [int(i) for i in rng.permutation(1000)]

    def padded(batches):
        return sum(max(lengths[i] for i in b) * len(b) for b in batches)

    plain = length_grouped(order, lengths, 32, chunk=0)
    grouped = length_grouped(order, lengths, 32, chunk=10)
    assert plain == [order[s : s + 32] for s in range(0, 1000, 32)]
    assert sorted(i for b in grouped for i in b) == list(range(1000))
    assert [len(b) for b in grouped] == [len(b) for b in plain]
    assert padded(grouped) < 0.75 * padded(plain)
    # only within a chunk: the first 320 indices stay the first 10 batches
    assert {i for b in grouped[:10] for i in b} == set(order[:320])


def test_training_stops_before_an_epoch_that_would_end_past_the_budget(tiny):
    encoder, tok = tiny
    ex = [Example(t, {"hook_strength": k}, "en", "seed")
          for t, k in [("stop scrolling look", 1), ("hello guys welcome", 0)]]  # fmt: skip
    lines: list[str] = []
    config = TrainConfig(epochs=5, batch_size=2, trainable_layers=1, pairs_per_epoch=0,
                         refit_tasks=(), budget_seconds=60.0, tail_epochs=1e9)  # fmt: skip
    # one epoch always runs; with a tail of 1e9 epochs the next would end past 60 s
    t = train(encoder, tok, ex, [], config, lines.append)
    assert [h["epoch"] for h in t.history if "epoch" in h] == [1]
    assert t.history[-1]["stopped_after_epoch"] == 1
    assert any(ln.startswith("stopping after epoch 1") for ln in lines)
    # a run that began 61 s ago has spent its budget before the first check
    lines.clear()
    config = replace(config, tail_epochs=0.0)
    t = train(encoder, tok, ex, [], config, lines.append, started=time.perf_counter() - 61)
    assert t.history[-1]["stopped_after_epoch"] == 1
    t = train(encoder, tok, ex, [], replace(config, budget_seconds=1e6), lines.append)
    assert [h["epoch"] for h in t.history] == [1, 2, 3, 4, 5]


def test_budget_counts_the_epochs_that_still_fit():
    from training.train_heads import budget_epochs

    config = TrainConfig(budget_seconds=900.0, tail_epochs=1.5)
    # 133 s of caching and one epoch of 147 s: 400 s left before a 220 s tail, 2 more epochs
    assert budget_epochs(280.0, 147.0, config, done=1, planned=5) == 3
    assert budget_epochs(280.0, 100.0, config, done=1, planned=5) == 5  # never more than planned
    assert budget_epochs(800.0, 147.0, config, done=3, planned=5) == 3  # none fits: stop here


def test_a_shorter_plan_anneals_the_learning_rate_by_its_last_epoch(tiny, monkeypatch):
    import training.train_heads as th

    encoder, tok = tiny
    ex = [Example(t, {"hook_strength": k}, "en", "seed")
          for t, k in [("stop scrolling look", 1), ("hello guys welcome", 0)]]  # fmt: skip
    config = TrainConfig(epochs=5, batch_size=2, trainable_layers=1, pairs_per_epoch=0,
                         refit_tasks=(), budget_seconds=1e6)  # fmt: skip
    full = train(encoder, tok, ex, [], config, lambda _: None)
    lrs = [h["lr_encoder"] for h in full.history]
    assert lrs[-1] == 0.0 and lrs[2] > 0.1 * config.lr_encoder  # 5 planned, 5 run
    lines: list[str] = []
    monkeypatch.setattr(th, "budget_epochs", lambda *a, **k: 3)  # as if only 3 fitted
    short = train(encoder, tok, ex, [], config, lines.append)
    epochs = [h for h in short.history if "epoch" in h]
    assert [h["epoch"] for h in epochs] == [1, 2, 3]
    assert epochs[-1]["lr_encoder"] == 0.0  # annealed, not cut off mid-schedule
    assert {"planned_epochs": 3}.items() <= short.history[1].items()
    assert short.history[-1]["stopped_after_epoch"] == 3
    assert any("fits 3 epochs" in ln for ln in lines)


def test_macro_f1_and_confusion():
    y = np.array([0, 0, 1, 1, 2])
    p = np.array([0, 1, 1, 1, 2])
    assert macro_f1(y, p, 3) == pytest.approx((2 / 3 + 0.8 + 1.0) / 3)
    assert confusion(y, p, 3).tolist() == [[1, 1, 0], [0, 2, 0], [0, 0, 1]]


def test_calibration_report_per_language():
    from training.evaluate_heads import calibration_report

    rng = np.random.default_rng(0)
    n = 4000
    p = rng.random(n)
    y = (rng.random(n) < p).astype(int)  # calibrated in "en" by construction
    ex = [Example("t", {"hook_strength": int(v)}, "en" if i % 2 else "fi", "seed")
          for i, v in enumerate(y)]  # fmt: skip
    logit = np.log(p / (1 - p))
    z = np.stack([np.zeros(n), logit], axis=1)
    z[::2] *= 3.0  # "fi": over-confident
    c = calibration_report(ex, {"hook_strength": z}, temperature=1.0)
    assert c.ece["en"] < 0.03 < c.ece["fi"]
    assert c.mean_strong["en"] > 0.6 > 0.4 > c.mean_weak["en"]
    assert set(c.ece) == {"all", "en", "fi"}


def test_refit_head_changes_only_that_head(tiny):
    from training.train_heads import refit_head

    encoder, tok = tiny
    ex = [Example(t, {"hook_type": k}, "en", "seed")
          for t, k in [("stop scrolling look", 5), ("hello guys welcome", 8),
                       ("cheap price today", 3), ("look this", 6)]]  # fmt: skip
    trained = train(encoder, tok, ex, [], TrainConfig(epochs=1, trainable_layers=1,
                    refit_tasks=()), progress=lambda s: None)  # fmt: skip
    before = {k: v.clone() for k, v in trained.heads.state_dict().items()}
    enc_before = {k: v.clone() for k, v in trained.encoder.state_dict().items()}
    loss = refit_head(trained, "hook_type", ex, steps=300, lr=1e-2)
    assert loss < 0.1  # four separable texts: fitted
    after = trained.heads.state_dict()
    changed = {k.split(".")[1] for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"hook_type"}
    assert all(torch.equal(v, trained.encoder.state_dict()[k]) for k, v in enc_before.items())
    logits = predict_logits(trained, [e.text for e in ex])["hook_type"]
    assert list(logits.argmax(1)) == [5, 8, 3, 6]


def test_other_tasks_teach_the_fabe_none_class():
    from training.seed_corpus import load_items
    from training.train_heads import NON_CLAIM_HOOKS, seed_examples

    none = TASK_LABELS["fabe_role"].index("none")
    items = [it for it in load_items() if it.split == "dev"]
    with_none = seed_examples("dev")
    plain = seed_examples("dev", fabe_none_from_other_tasks=False)
    assert len(with_none) == len(plain) == len(items)  # same lines, one more label on some
    for it, e, p in zip(items, with_none, plain, strict=True):
        assert e.text == it.text == p.text
        if it.task == "selling_point":
            assert e.labels == p.labels
        elif it.task == "intent" or it.labels["type"] in NON_CLAIM_HOOKS:
            assert e.labels["fabe_role"] == none and "fabe_role" not in p.labels
        else:  # a bold claim, demo or social proof may be a selling point: no label
            assert "fabe_role" not in e.labels
    assert any(it.task == "hook" and "fabe_role" not in e.labels
               for it, e in zip(items, with_none, strict=True))  # fmt: skip


def test_other_tasks_teach_the_cta_and_intent_heads():
    from training.seed_corpus import load_items
    from training.train_heads import NEUTRAL_HOOKS, seed_examples, test_examples

    no, neutral = TASK_LABELS["cta"].index("no"), TASK_LABELS["intent"].index("neutral")
    items = [it for it in load_items() if it.split == "dev"]
    taught = seed_examples("dev")
    plain = seed_examples("dev", intent_from_other_tasks=False)
    seen_none_line = False
    for it, e, p in zip(items, taught, plain, strict=True):
        if it.task == "hook":  # no opener asks the viewer to act; chat openers are neutral
            assert e.labels["cta"] == no and "cta" not in p.labels
            assert (e.labels.get("intent") == neutral) == (it.labels["type"] in NEUTRAL_HOOKS)
            assert "intent" not in p.labels
        elif it.task == "selling_point" and it.labels["role"] == "none":
            # a "none" line's own intent fields count with or without the flag
            want = TASK_LABELS["intent"].index(it.labels["intent"])
            assert e.labels["intent"] == p.labels["intent"] == want
            assert e.labels["cta"] == p.labels["cta"] == int(bool(it.labels["cta"]))
            seen_none_line = True
        elif it.task == "selling_point":  # a product claim is no call to action
            assert e.labels["cta"] == no and "cta" not in p.labels and "intent" not in e.labels
        else:
            assert e.labels == p.labels
    assert seen_none_line
    # held-out figures read each task's own items only
    held_out = [it for it in load_items() if it.split == "test"]
    for it, e in zip(held_out, test_examples(), strict=True):
        assert ("cta" in e.labels) == ("cta" in it.labels)
        assert "fabe_role" not in e.labels or it.task == "selling_point"


def test_fabe_none_weight_reaches_the_loss(tiny):
    from training.train_heads import class_weights

    w = class_weights(TrainConfig(fabe_none_weight=0.25))["fabe_role"]
    assert w[TASK_LABELS["fabe_role"].index("none")] == pytest.approx(0.25)
    assert float(w.sum()) == pytest.approx(len(TASK_LABELS["fabe_role"]) - 0.75)
    cta = class_weights(TrainConfig(cta_no_weight=0.5))["cta"]
    assert cta[TASK_LABELS["cta"].index("no")] == pytest.approx(0.5)
    assert cta[TASK_LABELS["cta"].index("yes")] == pytest.approx(1.0)


def test_point_detection_report_counts_role_and_kind():
    from types import SimpleNamespace as NS

    from training.evaluate_heads import point_detection_report

    roles = TASK_LABELS["fabe_role"]

    def logit(role):
        z = np.full(len(roles), -5.0)
        z[roles.index(role)] = 5.0
        return z

    items = [
        NS(task="selling_point", labels={"role": "feature"}, lang="en"),  # found, right role
        NS(task="selling_point", labels={"role": "benefit"}, lang="en"),  # found, wrong role
        NS(task="selling_point", labels={"role": "evidence"}, lang="fi"),  # missed
        NS(task="intent", labels={"intent": "seed"}, lang="fi"),  # a seed line taken for one
        NS(task="hook", labels={"type": "greeting"}, lang="en"),  # correctly none
    ]
    z = np.stack([logit("feature"), logit("advantage"), logit("none"), logit("benefit"),
                  logit("none")])  # fmt: skip
    r = point_detection_report(items, z)
    assert r.precision["all"] == pytest.approx(1 / 3) and r.recall["all"] == pytest.approx(1 / 3)
    assert r.precision["en"] == pytest.approx(0.5) and r.recall["fi"] == 0.0
    assert r.false_points_by_kind == {"intent:seed": 1}
    # the threshold is on calibrated probabilities: at a high temperature none is sure enough
    flat = point_detection_report(items, z, temperature=20.0)
    assert flat.recall["all"] == 0.0 and flat.false_points_by_kind == {}


def test_heard_versions_of_lines_are_trained_on_by_share(tiny):
    encoder, tok = tiny
    # the written lines cannot be told apart; only the transcripts carry the label
    ex = [Example("hello", {"hook_strength": 1}, "en", "seed", heard=t)
          for t in ("cheap price", "price today", "cheap today")]  # fmt: skip
    ex += [Example("hello", {"hook_strength": 0}, "en", "seed", heard=t)
           for t in ("welcome guys", "hello guys", "guys welcome")]  # fmt: skip
    heard = [e.heard for e in ex]
    want = np.array([1, 1, 1, 0, 0, 0])

    def accuracy(share: float) -> tuple[float, float]:
        config = TrainConfig(epochs=30, batch_size=6, trainable_layers=2, lr_encoder=3e-3,
                             lr_heads=3e-3, refit_tasks=(), heard_share=share)  # fmt: skip
        fresh = copy.deepcopy(encoder)  # train() changes the encoder in place
        trained = train(fresh, tok, ex, [], config, progress=lambda s: None)
        assert all(t in trained.cache.states for t in heard)  # cached once, with the rest
        z = predict_logits(trained, heard)["hook_strength"]
        p = np.exp(z[:, 1]) / np.exp(z).sum(axis=1)
        return float((z.argmax(1) == want).mean()), float(p[:3].mean() - p[3:].mean())

    acc, margin = accuracy(1.0)
    assert acc == 1.0 and margin > 0.5
    _, margin = accuracy(0.0)  # never shown: "hello" alone says nothing
    assert abs(margin) < 0.2, margin


def test_a_soft_call_to_action_weighs_more_in_the_intent_loss():
    intent, cta = TASK_LABELS["intent"], TASK_LABELS["cta"]
    soft = Example("link's in my bio, no pressure", {"intent": intent.index("seed"),
                   "cta": cta.index("yes")}, "en", "seed")  # fmt: skip
    hard = Example("tap the cart now", {"intent": intent.index("sell"),
                   "cta": cta.index("yes")}, "en", "seed")  # fmt: skip
    story = Example("I use it every day", {"intent": intent.index("seed")}, "en", "seed")
    assert [is_soft_cta(e) for e in (soft, hard, story)] == [True, False, False]
    logits = torch.tensor([[0.2, 1.5, 0.0], [0.1, 2.0, 0.3], [1.0, 0.0, 0.5]])
    y = torch.tensor([e.labels["intent"] for e in (soft, hard, story)])
    per = torch.nn.functional.cross_entropy(logits, y, reduction="none")
    three = example_loss("intent", logits, [soft, hard, story], {}, TrainConfig(soft_cta_weight=3))
    assert three.item() == pytest.approx(((3 * per[0] + per[1] + per[2]) / 5).item())
    one = example_loss("intent", logits, [soft, hard, story], {}, TrainConfig(soft_cta_weight=1))
    assert one.item() == pytest.approx(per.mean().item())
    # the CTA task itself weighs them all alike (its class weights aside)
    cta_logits = torch.tensor([[0.0, 1.0], [0.5, 0.2]])
    same = [example_loss("cta", cta_logits, [soft, hard], {}, TrainConfig(soft_cta_weight=w))
            for w in (1, 3)]  # fmt: skip
    assert same[0].item() == pytest.approx(same[1].item())
