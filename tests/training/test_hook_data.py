"""Real auxiliary hook data: clickbait headlines and Upworthy A/B pairs."""

from __future__ import annotations

from collections import Counter

from training.hook_data import load_clickbait, split_of, upworthy_pairs


def test_clickbait_corpus_is_balanced_and_split():
    heads = load_clickbait()
    assert len(heads) > 31_000
    c = Counter(h.clickbait for h in heads)
    assert abs(c[True] - c[False]) < 500
    assert Counter(h.split for h in heads)["test"] > 4000
    assert all(h.split == "test" for h in load_clickbait("test"))


def test_upworthy_pairs_are_significant_and_split_by_test():
    pairs = upworthy_pairs()
    assert len(pairs) > 3000
    assert all(p.ctr_a > p.ctr_b and p.p_value < 0.05 and p.a != p.b for p in pairs)
    by_test: dict[str, set[str]] = {}
    for p in pairs:
        by_test.setdefault(p.test_id, set()).add(p.split)
    assert all(len(s) == 1 for s in by_test.values())
    assert split_of("x") == split_of("x")
    assert {p.split for p in upworthy_pairs("test")} == {"test"}
