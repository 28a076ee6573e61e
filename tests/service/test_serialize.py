"""Frozen dataclasses round-trip through JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from service.serialize import from_dict


@dataclass(frozen=True)
class Inner:
    x: float
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outer:
    name: str
    inner: Inner
    items: tuple[Inner, ...]
    maybe: Inner | None = None
    box: tuple[float, float] = (0.0, 0.0)


def test_round_trip_through_json():
    o = Outer("a", Inner(1.5, ("p", "q")), (Inner(2.0),), None, (0.25, 0.5))
    back = from_dict(Outer, json.loads(json.dumps(asdict(o))))
    assert back == o
    assert isinstance(back.items, tuple) and isinstance(back.inner.tags, tuple)


def test_ints_become_floats_and_extra_keys_are_ignored():
    back = from_dict(Inner, {"x": 3, "tags": [], "derived": "ignored"})
    assert back == Inner(3.0) and isinstance(back.x, float)
