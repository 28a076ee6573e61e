"""Synthetic videos: real files, exact ground truth, split hygiene, determinism, outcomes."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest

from service.media import decode
from training import synth
from training.outcomes import load_manifest
from training.synth import FLAWS, SynthError, plan_for, plan_video, synth_videos
from training.synth_draw import clean_text, text_runs, wrap_text
from training.synth_outcome import (
    CVR_MAX,
    CVR_MIN,
    W_CTA,
    W_EVIDENCE,
    W_HOOK_STRONG,
    W_ROLE,
    ContentFeatures,
    Offer,
    content_quality,
    creator_effects,
    creator_record,
    simulate_outcome,
    true_cvr,
)

SIZE = (180, 320)
FPS = 10.0

# A tiny English corpus: every kind of line in split "test", and a decoy of every kind in
# split "train" (the only "neutral" line and the only "toys" items are decoys).
HOOKS = [
    ("strong", "question", "beauty", "Why does your lipstick fade before lunch?"),
    ("strong", "pain_point", "kitchen", "If your pan burns every egg, listen."),
    ("weak", "greeting", "beauty", "Hi guys, welcome back to my channel."),
    ("weak", "filler", "kitchen", "Okay so, um, this one."),
]
SELLING_POINTS = [
    ("feature", "beauty", "It has shea butter and vitamin E."),
    ("advantage", "beauty", "It glides on smoother than a normal balm."),
    ("benefit", "beauty", "Your lips stay soft all day long."),
    ("evidence", "beauty", "Look, six hours later and it is still there."),
    ("feature", "kitchen", "The pan has a ceramic coating."),
    ("advantage", "kitchen", "Nothing sticks, unlike a steel pan."),
    ("benefit", "kitchen", "Breakfast takes five minutes."),
    ("evidence", "kitchen", "Ten thousand reviews with four point nine stars."),
    ("none", "beauty", "Honestly I love it so much."),
]
# Lines with no FABE role carry intent and CTA labels; a price or a CTA must never be drawn
# as filler (it would plant a sell or a call to action the truth does not know of).
NO_ROLE = {
    "Honestly I love it so much.": ("seed", False),
    "It is only nine ninety nine today.": ("sell", False),
    "Link in bio for the lipstick.": ("sell", True),
}
SELLING_POINTS += [("none", "beauty", t) for t in list(NO_ROLE)[1:]]
INTENTS = [
    ("seed", False, "beauty", "I wear it every morning on my way to work."),
    ("seed", False, "kitchen", "I cook my eggs in it every single day."),
    ("seed", False, "beauty", "My sister stole mine last week."),
    ("sell", False, "beauty", "Today only it is half price."),
    ("sell", False, "kitchen", "Buy one and get the lid for free."),
    ("sell", True, "kitchen", "Tap the orange cart to order now."),
    ("seed", True, "beauty", "If you want to try it, the link is below."),
]
DECOY = "zebra decoy"  # words that appear only in train-split items


def _write_corpus(root: Path) -> None:
    rows: dict[str, list[dict]] = {"hook": [], "selling_point": [], "intent": []}
    for i, (strength, kind, cat, text) in enumerate(HOOKS):
        rows["hook"].append(
            {"category": cat, "text": text, "strength": strength, "type": kind, "split": "test"}
        )
        rows["hook"].append(
            {"category": "toys", "text": f"{DECOY} hook {i}", "strength": strength,
             "type": kind, "split": "train"}
        )  # fmt: skip
    for i, (role, cat, text) in enumerate(SELLING_POINTS):
        intent, cta = NO_ROLE.get(text, ("seed", False))
        extra = {"intent": intent, "cta": cta} if role == "none" else {}
        rows["selling_point"].append(
            {"category": cat, "text": text, "role": role, "split": "test", **extra}
        )
        rows["selling_point"].append(
            {"category": "toys", "text": f"{DECOY} point {i}", "role": role, "split": "train",
             **extra}
        )  # fmt: skip
    for i, (intent, cta, cat, text) in enumerate(INTENTS):
        rows["intent"].append(
            {"category": cat, "text": text, "intent": intent, "cta": cta, "split": "test"}
        )
        rows["intent"].append(
            {"category": "toys", "text": f"{DECOY} intent {i}", "intent": intent, "cta": cta,
             "split": "train"}
        )  # fmt: skip
    rows["intent"].append(
        {"category": "toys", "text": f"{DECOY} neutral", "intent": "neutral", "cta": False,
         "split": "train"}
    )  # fmt: skip
    for task, items in rows.items():
        (root / task).mkdir(parents=True)
        lines = []
        for n, d in enumerate(items):
            d = {"id": f"en-{task}-{n:04d}", "lang": "en", "source": "speech", **d}
            lines.append(json.dumps(d))
        (root / task / "en.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    _write_corpus(root)
    return root


@pytest.fixture(scope="module")
def rendered(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[synth.SynthVideo]:
    out = tmp_path_factory.mktemp("synth")
    return synth_videos(2, "en", "test", out, seed=5, corpus_root=corpus, size=SIZE, fps=FPS)


def test_files_decode_and_match_the_truth(rendered):
    for v in rendered:
        assert v.video_path.is_file() and v.truth_path.is_file()
        d = json.loads(v.truth_path.read_text(encoding="utf-8"))
        assert d == json.loads(v.truth.to_json())
        media = decode(v.video_path)
        duration = d["video"]["duration_s"]
        assert (media.info.width, media.info.height) == SIZE
        assert media.info.has_audio and media.info.video_codec == "h264"
        assert media.info.duration_s == pytest.approx(duration, abs=0.15)
        assert media.audio.size / 16000 == pytest.approx(duration, abs=0.15)
        # speech where the truth says a line is, silence in planted dead air
        for ln in d["lines"]:
            a, b = int(ln["start_s"] * 16000), int(ln["end_s"] * 16000)
            assert np.abs(media.audio[a:b]).max() > 0.05
        for a, b in d["dead_air"]:
            quiet = media.audio[int((a + 0.1) * 16000) : int((b - 0.1) * 16000)]
            assert np.abs(quiet).max() < 0.02


def test_truth_is_consistent(rendered):
    for v in rendered:
        t = v.truth
        dur = t.video.duration_s
        assert t.lines[0].kind == "hook" and t.hook.text == t.lines[0].text
        prev_end = 0.0
        for ln in t.lines:
            assert prev_end <= ln.start_s < ln.end_s <= dur
            prev_end = ln.end_s
            if ln.shown_on_screen:
                assert ln.start_s - 1 / FPS <= ln.caption_start_s <= ln.start_s + 1 / FPS
                assert ln.end_s <= ln.caption_end_s <= dur + 1e-6
            else:
                assert ln.caption_start_s is None
        assert list(t.cuts) == sorted(t.cuts) and all(0 < c < dur for c in t.cuts)
        assert t.product_first_shown_s == 0 or t.product_first_shown_s in t.cuts
        assert t.product_visible[0][0] == t.product_first_shown_s
        assert t.hook.window_s[1] == max(t.lines[0].end_s, 3.0)
        assert set(t.planted_flaws) <= set(FLAWS)
        assert len({ln.item_id for ln in t.lines}) == len(t.lines)  # each item used once
        if t.selling_points:
            assert t.product_first_named_s == t.selling_points[0].start_s
        if t.seed_share is not None:
            assert t.seed_share + t.sell_share == pytest.approx(1.0, abs=0.002)
        assert ("dead_air" in t.planted_flaws) == bool(t.dead_air)
        assert ("weak_hook" in t.planted_flaws) == (t.hook.strength == "weak")
        assert t.outcome.orders <= t.outcome.views


def test_only_the_requested_split_is_used(rendered):
    for v in rendered:
        assert v.truth.video.category != "toys"
        for ln in v.truth.lines:
            assert DECOY not in ln.text
            assert int(ln.item_id.rsplit("-", 1)[1]) % 2 == 0  # test items have even numbers
        assert "neutral" not in [ln.kind for ln in v.truth.lines]


def test_manifest_loads_as_labelled_outcomes(rendered):
    out = rendered[0].video_path.parent
    rows = load_manifest(out / "manifest.csv")
    assert [r.video.name for r in rows] == [v.video_path.name for v in rendered]
    for r, v in zip(rows, rendered, strict=True):
        o = v.truth.outcome
        assert (r.views, r.orders, r.gmv) == (o.views, o.orders, pytest.approx(o.gmv))
        assert r.currency == "USD" and r.language == "en"
        assert r.creator_id == v.truth.video.creator_id
        assert r.creator_followers == v.truth.video.creator_followers > 0
        assert r.creator_cvr == pytest.approx(v.truth.video.creator_cvr, rel=1e-5)


def test_same_seed_same_truth_other_seed_differs(rendered, corpus, tmp_path):
    again = synth_videos(
        2, "en", "test", tmp_path / "a", seed=5, corpus_root=corpus, size=SIZE, fps=FPS
    )
    assert [v.truth_path.read_text() for v in again] == [v.truth_path.read_text() for v in rendered]
    other = synth_videos(
        1, "en", "test", tmp_path / "b", seed=6, corpus_root=corpus, size=SIZE, fps=FPS
    )
    assert replace(other[0].truth, video=rendered[0].truth.video) != rendered[0].truth


def test_missing_espeak_is_a_clear_error(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(synth.shutil, "which", lambda name: None)
    with pytest.raises(SynthError, match="espeak-ng is not installed; run make setup"):
        synth_videos(1, "en", "test", tmp_path, corpus_root=corpus, size=SIZE)


def test_missing_corpus_items_are_a_clear_error(corpus, tmp_path):
    with pytest.raises(SynthError, match="no 'hook' items of language 'fi' in split 'test'"):
        synth_videos(1, "fi", "test", tmp_path, corpus_root=corpus, size=SIZE)
    with pytest.raises(SynthError, match="split 'dev'"):
        synth_videos(1, "en", "dev", tmp_path, corpus_root=corpus, size=SIZE)


def test_command(corpus, tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    synth.add_synth_command(parser.add_subparsers(dest="command"))
    argv = ["synth", "--n", "1", "--lang", "en", "--split", "test", "--out", str(tmp_path)]
    args = parser.parse_args([*argv, "--size", "180x320", "--fps", "10", "--corpus", str(corpus)])
    assert args.size == (180, 320) and args.seed == 0
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "[1/1] en-test-s0-0000.mp4" in out and "videos/min" in out
    assert (tmp_path / "en-test-s0-0000.json").is_file()
    with pytest.raises(SystemExit):
        parser.parse_args([*argv, "--size", "big"])


def test_flaws_are_varied():
    plans = [plan_video(np.random.default_rng([0, i])) for i in range(2000)]
    has = {
        "weak_hook": [p.hook_strength == "weak" for p in plans],
        "product_too_late": [p.product_first_shown_s > 6 for p in plans],
        "no_clear_selling_point": [not p.sp_roles for p in plans],
        "selling_point_not_shown": [bool(p.sp_roles) and not any(p.sp_shown) for p in plans],
        "all_seed_no_cta": [p.n_sell == 0 and not p.cta for p in plans],
        "hard_sell_too_early": [p.hard_sell_early for p in plans],
        "dead_air": [p.dead_air_s is not None for p in plans],
    }
    for code, flags in has.items():
        assert 0.25 <= np.mean(flags) <= 0.45, code
    clean = np.mean([not any(f[i] for f in has.values()) for i in range(len(plans))])
    assert clean >= 0.1


def test_praise_filler_is_never_a_price_or_a_call_to_action(corpus):
    c = synth.Corpus.load(corpus, "en", "test")
    plan = replace(plan_for(0, 0), praise=True)
    drawn = set()
    for i in range(40):
        slots = synth.assemble_script(plan, c, "beauty", np.random.default_rng(i))
        drawn |= {s.item.text for s in slots if s.kind == "praise"}
    assert drawn == {"Honestly I love it so much."}


def test_text_layout():
    assert clean_text("Glow 🌞✨ #skincare") == "Glow skincare"
    lines = wrap_text("这款精华含有15%维生素C和阿魏酸，上脸10秒就吸收，不黏腻！", "zh", 40, 400)
    assert len(lines) > 1 and not any(ln[0] in "，！" for ln in lines)
    runs = text_runs("ครีม SPF 50 ราคา", "th", 30)
    fonts = [f.getname()[0] for _, f in runs]
    assert fonts[0] == "Noto Sans Thai" and "Noto Sans" in fonts and len(runs) == 3


# ---------------------------------------------------------------- outcome model

GOOD = ContentFeatures(
    hook_strong=True,
    roles=frozenset({"feature", "advantage", "benefit", "evidence"}),
    shown_share=1.0,
    product_first_shown_s=0.0,
    cta=True,
    sell_share=0.35,
    hard_sell_too_early=False,
    dead_air_spans=0,
)
BAD = ContentFeatures(
    hook_strong=False,
    roles=frozenset(),
    shown_share=0.0,
    product_first_shown_s=8.0,
    cta=False,
    sell_share=0.0,
    hard_sell_too_early=True,
    dead_air_spans=1,
)


def _offer(rng: np.random.Generator) -> Offer:
    return Offer("beauty", float(rng.uniform(5, 40)), "USD", f"c{int(rng.integers(20))}")


def test_content_quality_follows_the_documented_weights():
    plain = replace(BAD, product_first_shown_s=8.0, hard_sell_too_early=False, dead_air_spans=0)
    assert content_quality(plain) == 0.0
    f = replace(plain, hook_strong=True, roles=frozenset({"feature", "evidence"}), cta=True)
    assert content_quality(f) == pytest.approx(W_HOOK_STRONG + 2 * W_ROLE + W_EVIDENCE + W_CTA)


def test_better_content_converts_better_on_average():
    rng = np.random.default_rng(1)
    good, bad, good_rate, bad_rate = [], [], [], []
    for _ in range(400):
        offer = _offer(rng)
        g = simulate_outcome(GOOD, offer, rng, seed=3)
        b = simulate_outcome(BAD, offer, rng, seed=3)
        good.append(g.true_cvr)
        bad.append(b.true_cvr)
        good_rate.append(g.orders / g.views)
        bad_rate.append(b.orders / b.views)
        for o in (g, b):
            assert 0 <= o.orders <= o.views
            assert CVR_MIN <= o.true_cvr <= CVR_MAX
            assert o.gmv == pytest.approx(o.orders * offer.price, abs=0.01)
    assert np.mean(good) > 3 * np.mean(bad)
    assert np.mean(good_rate) > 2 * np.mean(bad_rate)
    # strong hooks reach more viewers
    views_g = [simulate_outcome(GOOD, _offer(rng), rng).views for _ in range(300)]
    views_b = [simulate_outcome(BAD, _offer(rng), rng).views for _ in range(300)]
    assert np.mean(np.log(views_g)) > np.mean(np.log(views_b)) + 0.5


def test_price_lowers_and_creator_shifts_conversion():
    cheap = true_cvr(GOOD, Offer("beauty", 5.0, "USD", "c1"), 0.0)
    dear = true_cvr(GOOD, Offer("beauty", 50.0, "USD", "c1"), 0.0)
    assert dear == pytest.approx(cheap * math.exp(-0.5 * math.log(10)), rel=1e-6)
    assert true_cvr(GOOD, Offer("beauty", 5.0, "USD", "c1"), 0.3) > cheap


def test_creator_record_shows_the_creator_effects():
    ids = [f"xx-creator-{i:03d}" for i in range(300)]
    effects = np.array([creator_effects(c, 5) for c in ids])
    records = [creator_record(c, 5) for c in ids]
    rate = np.log([r.cvr for r in records])
    followers = np.log([r.followers for r in records])
    # the recent rate carries the conversion effect, followers the reach, each with noise
    assert 0.6 < np.corrcoef(rate, effects[:, 0])[0, 1] < 0.97
    assert 0.5 < np.corrcoef(followers, effects[:, 1])[0, 1] < 0.97
    assert abs(np.corrcoef(rate, effects[:, 1])[0, 1]) < 0.2
    assert creator_record(ids[0], 5) == records[0] != creator_record(ids[0], 6)
    assert all(0 < r.recent_orders < r.recent_views for r in records)


def test_outcome_is_deterministic_for_a_seed():
    offer = Offer("food", 9.99, "USD", "en-creator-01")
    a = simulate_outcome(GOOD, offer, np.random.default_rng(7), seed=2)
    b = simulate_outcome(GOOD, offer, np.random.default_rng(7), seed=2)
    c = simulate_outcome(GOOD, offer, np.random.default_rng(8), seed=2)
    assert a == b and a != c


# ---------------------------------------------------------------- with the real models


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _norm(text: str) -> str:
    return "".join(_norm_words(text))


@pytest.mark.integration
def test_speech_and_captions_read_back(corpus, tmp_path, evidence_models):
    from service.evidence.onscreen_text import read_captions
    from service.evidence.speech import transcribe

    seed = next(s for s in range(100) if any(plan_for(s, 0).sp_shown))  # a caption to read
    (video,) = synth_videos(
        1, "en", "test", tmp_path, seed=seed, corpus_root=corpus, size=(360, 640)
    )
    truth = video.truth
    media = decode(video.video_path)

    transcript = transcribe(media.audio, evidence_models.asr, language="en")
    early = " ".join(s.text for s in transcript.segments if s.start_s < 4.0)
    heard = set(_norm_words(early))
    hook_words = _norm_words(truth.hook.text)
    found = sum(w in heard for w in hook_words) / len(hook_words)
    assert found >= 0.6, (truth.hook.text, early)

    shown = [sp for sp in truth.selling_points if sp.shown]
    assert shown
    captions = read_captions(media.frames, media.frame_times, evidence_models.ocr)
    for sp in shown:
        line = next(ln for ln in truth.lines if ln.item_id == sp.item_id)
        during = sorted(
            (
                c
                for c in captions
                if c.start_s < line.caption_end_s and c.end_s > line.caption_start_s
            ),
            key=lambda c: c.box[1],
        )
        read = _norm(" ".join(c.text for c in during))
        ratio = SequenceMatcher(None, _norm(line.spoken_text), read).ratio()
        assert ratio >= 0.8, (line.spoken_text, [c.text for c in during])


MANDARIN_LINES = (
    "我家娃平时不爱吃肉，这个牛肉粒他一次能干掉半包。",
    "六十支棉比普通四十支的软多了，也不容易起球。",
    "还有最后十分钟，十分钟后这个链接我就下了。",
    "你们家有没有那种，就是，那种东西？",
    "我不太会做饭，但跟着它的菜谱模式做，到现在没翻过车。",
)


@pytest.mark.integration
def test_the_mandarin_voice_is_heard_as_mandarin(evidence_models):
    """espeak-ng's plain ``cmn`` voice speaks tone digits in English ("ni three men five"),
    which Whisper transcribes as numbers; the voice the generator uses must be heard as the
    Chinese lines it reads."""
    import opencc

    from service.evidence.onscreen_text import normalise_text
    from service.evidence.speech import transcribe
    from training.render import to_16k
    from training.synth import VOICES, espeak_executable, speak

    t2s = opencc.OpenCC("t2s")
    similarity = []
    for line in MANDARIN_LINES:
        samples, rate = speak(line, VOICES["zh"], 160, 50, espeak_executable())
        heard = transcribe(to_16k(samples, rate), evidence_models.asr, language="zh")
        text = t2s.convert("".join(s.text for s in heard.segments))
        similarity.append(SequenceMatcher(None, normalise_text(line), normalise_text(text)).ratio())
    # measured: mean 0.33 with cmn-latn-pinyin (espeak is no native speaker), 0.0 with cmn
    assert np.mean(similarity) >= 0.2, similarity


def test_truth_json_reads_back_the_outcome_inputs(rendered):
    from training.diagnosis_truth import truth_features

    for v in rendered:
        d = json.loads(v.truth_path.read_text(encoding="utf-8"))
        f = truth_features(d)
        assert content_quality(f) == pytest.approx(d["outcome"]["content_quality"], abs=1e-4)
        assert f.hook_strong == (d["hook"]["strength"] == "strong")
