"""The seed / sell stage: shares, the sell turn, and a hard sell that comes too early."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.scoring.lines import ScoredLine
from service.scoring.seed_sell import score_seed_sell


def line(start: float, end: float, seed: float = 0.1, sell: float = 0.1, role: str = "none",
         cta: float = 0.0, text: str = "") -> ScoredLine:  # fmt: skip
    intent = "sell" if sell >= 0.5 else "seed" if seed >= 0.5 else "neutral"
    return ScoredLine(text or f"line at {start}", start, end, "speech", 0.5, "other", role, 0.9,
                      intent, seed, sell, cta)  # fmt: skip


HOOK = line(0.2, 2.5)


def test_a_hard_sell_as_the_first_thing_after_the_hook_is_too_early():
    # the sell starts at 6 s, after a long hook and a filler line: still before any seeding
    lines = [HOOK, line(3.2, 5.0), line(6.0, 9.0, sell=0.9), line(9.5, 14.0, seed=0.9)]
    s = score_seed_sell(lines, 20.0)
    assert s.sell_too_early and s.sell_turn_s == 6.0


def test_a_sell_after_grass_planting_or_a_selling_point_is_not_too_early():
    seeded = [HOOK, line(3.0, 5.0, seed=0.8), line(5.5, 8.0, sell=0.9)]
    featured = [HOOK, line(3.0, 5.0, role="feature"), line(5.5, 8.0, sell=0.9)]
    assert not score_seed_sell(seeded, 10.0).sell_too_early
    assert not score_seed_sell(featured, 10.0).sell_too_early
    assert score_seed_sell(seeded, 10.0).sell_turn_s == 5.5
    # social proof reads as selling, but as a selling point it builds the case first
    proof = [HOOK, line(3.0, 5.0, sell=0.8, role="evidence"), line(5.5, 8.0, sell=0.9)]
    assert not score_seed_sell(proof, 10.0).sell_too_early


def test_a_price_hook_is_a_hook_not_a_sell_too_early():
    lines = [line(0.2, 2.5, sell=0.95), line(3.0, 6.0, seed=0.9), line(7.0, 9.0, sell=0.9)]
    s = score_seed_sell(lines, 10.0)
    assert s.sell_turn_s == 0.2 and not s.sell_too_early
    # a narrower hook window makes the second line part of the body
    assert score_seed_sell([HOOK, line(1.5, 4.0, sell=0.9)], 10.0, hook_window_s=1.0).sell_too_early


def test_shares_weigh_probabilities_by_speaking_time_and_cta_is_found():
    lines = [
        HOOK,
        line(3.0, 7.0, seed=0.75, sell=0.25),
        line(7.0, 9.0, seed=0.0, sell=1.0, cta=0.8),
    ]
    s = score_seed_sell(lines, 10.0)
    assert s.seed_share == pytest.approx(3.0 / 6.0) and s.sell_share == pytest.approx(3.0 / 6.0)
    assert s.cta_time_s == 7.0 and not s.never_sells
    assert score_seed_sell([line(0.0, 4.0, seed=0.9)], 6.0).never_sells


def test_the_balance_leaves_out_the_hook_and_the_selling_points():
    # a price hook and a sell-sounding claim ("5,000 five-star reviews") are not the
    # persuasion the balance weighs: only the story (seed) and the deal (sell) lines are
    body = [line(3.0, 7.0, seed=0.9, sell=0.1), line(7.0, 9.0, sell=0.9, seed=0.1)]
    price_hook = line(0.2, 2.5, sell=0.95)
    claim = line(9.0, 13.0, sell=0.8, role="evidence")
    s = score_seed_sell([price_hook, *body, claim], 14.0)
    assert s.sell_share == pytest.approx((0.9 * 2 + 0.1 * 4) / 6.0, abs=1e-3)
    assert s.sell_turn_s == 0.2  # the turn still reads every line
    # the curve leaves them out too: the claim's window holds nothing to weigh
    assert [(w.seed, w.sell) for w in s.curve][-1] == (0.0, 0.0)
    # a claim the FABE head is unsure of stays in; an opening line after the hook window
    # is not the hook and counts
    unsure = replace(claim, fabe_confidence=0.6)
    assert score_seed_sell([price_hook, *body, unsure], 14.0).sell_share > s.sell_share
    late = score_seed_sell([line(4.0, 8.0, seed=0.9, sell=0.1)], 10.0)
    assert late.seed_share == pytest.approx(0.9)


def test_the_cta_reported_is_the_closing_ask_not_an_opening_imperative():
    # "Stop scrolling" read as a CTA at the hook, the real ask at the end
    lines = [line(0.2, 2.5, sell=0.5, cta=0.74), line(3.0, 8.0, seed=0.9),
             line(9.0, 11.0, sell=0.9, cta=0.9)]  # fmt: skip
    s = score_seed_sell(lines, 12.0)
    assert s.cta_time_s == 9.0 and s.cta_quote == lines[-1].text
    # alone, the opening one still counts: a video whose only ask is at the start has one
    assert score_seed_sell(lines[:2], 12.0).cta_time_s == 0.2
