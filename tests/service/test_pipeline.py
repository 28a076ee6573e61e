"""The whole pipeline on a real synthetic product video with the real models."""

from __future__ import annotations

import json
import re

import pytest

from service.diagnosis import CODES
from service.meta import VideoMeta
from service.pipeline import Scorers, score_script, score_video
from service.report.schema import Report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scorers(smoke_scorer):  # noqa: ANN001, ANN201
    from models.conversion import ConversionModel
    from training.conversion_data import DEFAULT_TABLE, read_table

    rows, _ = read_table(DEFAULT_TABLE)
    return Scorers(smoke_scorer, ConversionModel.fit(rows), "sellscope-conversion:test")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):  # noqa: ANN001, ANN201
    from training.synth import synth_videos

    out = tmp_path_factory.mktemp("pipeline")
    (v,) = synth_videos(1, "en", "test", out, seed=3, size=(540, 960), fps=15)
    return v


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_a_video_gets_a_full_report(sample, scorers, evidence_models):
    t = sample.truth
    meta = VideoMeta(product_name=t.video.product_label, price=t.video.price,
                     currency=t.video.currency, category=t.video.category)  # fmt: skip
    scored = score_video(sample.video_path, "en", meta, evidence_models, scorers)
    report = scored.report()
    assert Report.model_validate_json(report.model_dump_json()) == report
    # the hook the scorer took is the scripted opening line
    hook = _words(t.hook.text)
    assert len(hook & _words(report.scores.hook.quote or "")) >= 0.6 * len(hook)
    assert report.scores.hook.window_s == (0.0, 3.0)
    # the product label is read on screen where the truth says the product appears
    assert report.scores.product.first_shown_s == pytest.approx(t.product_first_shown_s, abs=1.0)
    p = report.prediction
    assert p is not None and p.cvr_interval[0] <= p.cvr <= p.cvr_interval[1]
    assert 1e-5 < p.cvr < 0.5 and p.gpm is not None
    assert all(r.code in CODES and r.effect >= 0.03 for r in report.diagnosis)
    assert len(report.key_frames) >= 0.7 * t.video.duration_s  # about one a second
    assert report.models["heads"] == "sellscope-heads:smoke"
    assert report.models["conversion"] == "sellscope-conversion:test"
    assert {"asr", "ocr", "faces"} <= set(report.models)
    from service.report.html import render_html

    page = render_html(report)
    assert "<svg" in page and f"{report.scores.hook.score:.0f}" in page


def test_a_script_gets_a_text_only_report(scorers):
    text = "Stop scrolling! This pan has a 3 mm ceramic coating. Tap the cart, only 19.99 today."
    r = score_script(text, "en", scorers=scorers).report()
    # the hook is what is said in the first 3 s: both sentences that start there
    opening = "Stop scrolling! This pan has a 3 mm ceramic coating."
    assert r.video.source == "script" and r.scores.hook.quote == opening
    assert json.loads(r.model_dump_json())["scores"]["lines"][0]["text"] == "Stop scrolling!"
    assert r.prediction is not None  # visual features unknown, not zero
    assert not {x.code for x in r.diagnosis} & {"no_text_in_hook", "static_opening"}


@pytest.mark.parametrize("text", ["😀😀😀", "...", " !! ?? "])
def test_a_script_without_words_is_refused(text):
    from service.errors import InputError

    with pytest.raises(InputError, match="the script has no words"):
        score_script(text)  # refused before any model is loaded
