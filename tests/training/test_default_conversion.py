"""The default conversion model's held-out rows share nothing with its fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.default_conversion import held_out_rows


def _table() -> pd.DataFrame:
    rows = []
    for lang in ("zh", "en", "id", "fr"):
        for i in range(10):  # seed 21: video i has one plan in every language
            rows.append((f"{lang}-dev-s21-{i:04d}.mp4", f"{lang}-creator-{i % 4:02d}"))
        s = {"zh": 4100, "en": 4101, "id": 4102, "fr": 4103}[lang]  # own plans
        for i in range(10):
            rows.append((f"{lang}-dev-s{s}-{i:04d}.mp4", f"{lang}-creator-{i % 4:02d}"))
    return pd.DataFrame(rows, columns=["video", "creator_id"])


def test_held_out_rows_share_no_plan_and_no_creator_with_the_fit():
    df = _table()
    mask = held_out_rows(df)
    assert 10 <= mask.sum() <= 30
    held, fit = df[mask], df[~mask]
    assert not held["video"].str.contains("-s21-").any(), "shared-plan rows are never held out"
    plans = lambda d: {v.split("-", 1)[1] for v in d["video"]}  # noqa: E731
    assert not plans(held) & plans(fit)
    creators = lambda d: {  # noqa: E731
        f"{c}@{v.split('-')[2]}" for v, c in zip(d["video"], d["creator_id"], strict=True)
    }
    assert not creators(held) & creators(fit)


def test_a_table_of_shared_plans_falls_back_to_creators():
    df = _table()
    df = df[df["video"].str.contains("-s21-")].reset_index(drop=True)
    mask = held_out_rows(df)
    assert 0 < mask.sum() < len(df)
    held = set(df["creator_id"][mask])
    assert not held & set(df["creator_id"][~mask])
    assert isinstance(mask, np.ndarray)
