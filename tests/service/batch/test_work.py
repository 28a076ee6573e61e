"""The per-video work shared by the engines: tasks, resume keys, rows, one-thread predictions."""

from __future__ import annotations

import json

import pytest

from service.batch.work import SerialConversion, Task, models_key, run_task, scored_fields
from service.meta import VideoMeta


def _task(**kw) -> Task:
    meta = VideoMeta(product_name="GlowPan", price=9.5, views=100)
    base = dict(row=2, video="/v/a.mp4", sha256="ab" * 32, language="en", meta=meta)
    base["product_id"] = "p1"
    return Task(**(base | kw))


def test_task_travels_as_json_unchanged():
    t = _task()
    assert Task.from_json(t.to_json()) == t
    assert json.loads(t.to_json())["meta"]["price"] == 9.5


def test_input_key_changes_with_what_changes_the_scores():
    t = _task()
    assert _task().input_key == t.input_key
    assert _task(video="/elsewhere/a.mp4").input_key == t.input_key  # a moved file: same scores
    assert _task(language="id").input_key != t.input_key
    assert _task(meta=VideoMeta(product_name="GlowPan", price=12.0)).input_key != t.input_key
    assert _task(product_id="p2").input_key != t.input_key


def test_models_key_ignores_order_but_not_tags():
    a = {"heads": "h:1", "asr": "w:1"}
    assert models_key(a) == models_key(dict(reversed(a.items())))
    assert models_key(a) != models_key({**a, "heads": "h:2"})
    assert models_key(a) != models_key({**a, "conversion": "c:1"})


def test_scored_fields_records_the_models():
    tags = {"heads": "sellscope-heads:x", "conversion": "sellscope-conversion:y", "asr": "w:1"}
    r = scored_fields(_task(), tags, {"hook_score": 71.0}, seconds=1.23456)
    assert (r.status, r.hook_score, r.seconds) == ("scored", 71.0, 1.235)
    assert (r.heads_model, r.conversion_model) == ("sellscope-heads:x", "sellscope-conversion:y")
    assert json.loads(r.models) == tags and r.models_key == models_key(tags)
    assert (r.file_name, r.product_id, r.product_name) == ("a.mp4", "p1", "GlowPan")
    assert r.input_key == _task().input_key


def test_a_worker_that_raises_gives_a_failed_row():
    def broken(task: Task):
        raise MemoryError("out of memory")

    r = run_task(broken, _task())
    assert r.status == "failed" and r.error == "internal error: MemoryError: out of memory"
    assert r.sha256 == "ab" * 32 and r.hook_score is None


def test_serial_conversion_predicts_on_one_openmp_thread():
    pytest.importorskip("sklearn.ensemble")  # loads an OpenMP runtime
    from threadpoolctl import threadpool_info

    def openmp_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openmp"}

    class Model:
        base_cvr = 0.01

        def predict(self, x):
            return openmp_threads(), x

        def predict_log(self, x):
            return openmp_threads(), -x

    before = openmp_threads()
    if not before:
        pytest.skip("no OpenMP runtime loaded")
    m = SerialConversion(Model())
    assert m.predict(3) == ({1}, 3) and m.predict_log(3) == ({1}, -3)
    assert openmp_threads() == before  # restored after each call
    assert m.base_cvr == 0.01  # everything else passes through


def test_a_worker_around_loaded_models_keeps_them_and_its_hooks():
    from types import SimpleNamespace

    from service.batch.work import ModelWorker
    from service.errors import InputError
    from service.pipeline import Scorers

    models = SimpleNamespace(tags={"asr": "w:1", "ocr": "o:1"})
    scorers = Scorers(heads=SimpleNamespace(tag="h:1"), conversion=None,
                      conversion_tag="c:1")  # fmt: skip

    class Refusing(ModelWorker):
        def __init__(self) -> None:
            self._setup(models, scorers, None, None)  # no store reads

        def score(self, task: Task):
            raise InputError(f"{task.video} is too dark to read")

    w = Refusing()
    assert isinstance(w, Refusing) and w.models is models and w.cache is None
    assert w.tags == {"asr": "w:1", "ocr": "o:1", "heads": "h:1", "conversion": "c:1"}
    r = w(_task())
    assert (r.status, r.error) == ("failed", "/v/a.mp4 is too dark to read")  # no "internal"
