"""The seed corpus: counts, labels, splits by group, no duplicates."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from training.seed_corpus import (
    LANGUAGES,
    MIN_ITEMS,
    SPLITS,
    TASKS,
    assign_splits,
    check,
    load_items,
    near_duplicates,
    write_splits,
)


def test_the_corpus_is_sound():
    problems = check()
    assert problems == [], "\n".join(problems[:30])


def test_counts_per_language_task_and_split():
    items = load_items()
    counts = Counter((it.task, it.lang) for it in items)
    for task in TASKS:
        for lang in LANGUAGES:
            assert counts[(task, lang)] >= MIN_ITEMS, (task, lang)
            per_split = Counter(it.split for it in items if it.task == task and it.lang == lang)
            # every split is usable for every language: dev and test hold at least 10% each
            assert all(per_split[s] >= 0.1 * counts[(task, lang)] for s in ("dev", "test")), (
                task,
                lang,
                per_split,
            )


def test_no_group_straddles_splits():
    seen: dict[str, set[str]] = {}
    for it in load_items():
        seen.setdefault(it.group, set()).add(it.split)
    assert all(len(s) == 1 for s in seen.values())


def _tiny(root: Path, rows: dict[str, list[dict]]) -> Path:
    for task, items in rows.items():
        (root / task).mkdir(parents=True, exist_ok=True)
        (root / task / "en.jsonl").write_text("\n".join(json.dumps(r) for r in items) + "\n")
    return root


def _hook(i: int, text: str, group: str | None = None, **kw) -> dict:
    d = {
        "id": f"en-hook-{i:04d}",
        "group": group or f"en-hook-{i:04d}",
        "lang": "en",
        "category": "beauty",
        "source": "speech",
        "text": text,
        "strength": "strong",
        "type": "question",
    }
    return {**d, **kw}


def test_translations_and_near_duplicates_share_a_split(tmp_path):
    rows = {
        "hook": [
            _hook(1, "Why does your foundation go patchy by lunch every single day?"),
            _hook(2, "Why does your foundation go patchy by lunch every single day??"),  # near copy
            _hook(3, "Is your cat shedding on the sofa again", group="g-cat"),
            _hook(4, "Stop scrolling and look at this pan right now", group="g-cat"),  # same group
        ]
        + [
            _hook(10 + i, f"A completely different opener number {i} about {w}")
            for i, w in enumerate(
                ["shoes", "rice", "toys", "dogs", "irons", "lamps", "mops", "pens"]
            )
        ]
    }
    root = _tiny(tmp_path, rows)
    items = load_items(root)
    assert [(a.id, b.id) for a, b, _ in near_duplicates(items)] == [
        ("en-hook-0001", "en-hook-0002")
    ]
    splits = assign_splits(items)
    assert splits["en-hook-0001"] == splits["en-hook-0002"]
    assert splits["en-hook-0003"] == splits["en-hook-0004"]
    assert set(splits.values()) <= set(SPLITS)
    counts = write_splits(root)
    assert sum(counts.values()) == len(items)
    assert {it.split for it in load_items(root)} <= set(SPLITS)


def test_check_reports_problems(tmp_path):
    rows = {
        "hook": [
            _hook(1, "Why is this so cheap", split="train"),
            _hook(2, "Stop scrolling now", group="en-hook-0001", split="test"),  # group straddles
            _hook(3, "Hi guys welcome back", split="train", strength="meh"),  # bad label
            _hook(4, "Look at this", split=None, category="cars"),  # no split, bad category
        ],
        "selling_point": [
            {
                **_hook(5, "Hi guys", split="train"),
                "id": "en-selling_point-0005",
                "role": "none",
            },  # no intent / cta
            {
                **_hook(6, "Ten grams of protein", split="train"),
                "id": "en-selling_point-0006",
                "role": "feature",
            },  # a feature needs none
        ],
    }
    problems = check(_tiny(tmp_path, rows), languages=("en",), min_items=5)
    text = "\n".join(problems)
    assert "group en-hook-0001 straddles splits" in text
    assert "strength='meh'" in text
    assert "unknown category 'cars'" in text
    assert "en-hook-0004: no split" in text
    assert "hook/en: 4 items, at least 5 needed" in text
    assert "en-selling_point-0005: intent=None" in text
    assert "en-selling_point-0005: cta=None" in text
    assert "en-selling_point-0006" not in text
