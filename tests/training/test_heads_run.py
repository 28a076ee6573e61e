"""The quality bars a trained scorer is checked against (training.heads_run)."""

from __future__ import annotations

from types import SimpleNamespace

from training.evaluate_heads import SeedReport
from training.heads_run import HeadsResult, quality_shortfalls


def report(overall: dict[str, float], per_language: dict[str, dict[str, float]]) -> SeedReport:
    return SeedReport(overall=overall, per_language=per_language, confusion={}, n={})


GOOD = report(
    {"hook_type": 0.88, "cta": 0.90},
    {"fi": {"hook_type": 0.80, "cta": 0.75}, "th": {"hook_type": 0.79, "cta": 0.81}},
)
# the one-epoch heads of a busy set-up: cta under the overall bar, Finnish hook type and
# Thai CTA under the per-language bar
SHORT = report(
    {"hook_type": 0.851, "cta": 0.809},
    {"fi": {"hook_type": 0.708, "cta": 0.80}, "th": {"hook_type": 0.80, "cta": 0.674}},
)


def test_shortfalls_name_each_task_and_language_under_its_bar():
    assert quality_shortfalls(GOOD) == []  # 0.75 in a language is on the bar, not under
    assert quality_shortfalls(SHORT) == ["cta overall 0.809", "hook_type fi 0.708", "cta th 0.674"]


def test_a_run_below_the_bars_warns_and_says_why_and_what_to_do():
    good = HeadsResult("h:1", 800.0, SimpleNamespace(seed=GOOD), {})
    assert good.warning() == []
    cut = HeadsResult(
        "h:2", 890.0, SimpleNamespace(seed=SHORT), {},
        stopped_after_epoch=1, planned_epochs=5, budget_seconds=900.0,
    )  # fmt: skip
    text = "\n".join(cut.warning())
    assert text.startswith("WARNING") and "cta th 0.674" in text
    assert "900 s budget stopped training after 1 of 5 epochs" in text
    assert "sellscope train heads" in text
    full = HeadsResult("h:3", 700.0, SimpleNamespace(seed=SHORT), {}, planned_epochs=5)
    assert "stopped" not in "\n".join(full.warning())
