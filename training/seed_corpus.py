"""The seed corpus: load, assign splits, check, and count.

Files: ``datasets/seed/<task>/<lang>.jsonl`` (see ``datasets/seed/GUIDE.md``).
Splits are assigned by group, never by item: translations and paraphrases share a group,
and near-duplicate lines (also across tasks, since one encoder serves every task) are
linked to one split as well, so the test split never holds a line the model has seen.

    python -m training.seed_corpus split   # (re)assign the split of every item
    python -m training.seed_corpus check   # validate; exit 1 on any problem
    python -m training.seed_corpus stats   # counts per task x language x split
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "datasets" / "seed"

TASKS = ("hook", "selling_point", "intent")
from service.domain import (  # noqa: E402 - the label sets live with the domain
    CATEGORIES,
    CORE_CATEGORIES,
    FABE_ROLES,
    HOOK_TYPES,
    INTENTS,
    LANGUAGES,
)

SPLITS = ("train", "dev", "test")
SPLIT_SHARES = (0.70, 0.15, 0.15)
MIN_ITEMS = 200
NEAR_DUPLICATE = 0.8

LABELS: dict[str, dict[str, tuple]] = {
    "hook": {"strength": ("strong", "weak"), "type": HOOK_TYPES},
    "selling_point": {"role": FABE_ROLES},
    "intent": {"intent": INTENTS, "cta": (True, False)},
}
# A selling-point line with no FABE role (greeting, filler, vague praise, price, CTA) also
# carries the intent task's labels: the synthesizer uses such lines as filler and must
# know which of them sell or ask the viewer to act.
NO_ROLE_LABELS: dict[str, tuple] = LABELS["intent"]


def label_fields(task: str, record: dict) -> dict[str, tuple]:
    """The label fields an item of ``task`` must carry, given its record."""
    if task == "selling_point" and record.get("role") == "none":
        return LABELS[task] | NO_ROLE_LABELS
    return LABELS[task]


@dataclass(frozen=True)
class SeedItem:
    """One labelled line."""

    id: str
    group: str
    task: str
    lang: str
    category: str
    source: str
    text: str
    labels: dict
    split: str | None


def item_from_record(d: dict, task: str) -> SeedItem:
    """The item of ``task`` that one JSONL record describes."""
    return SeedItem(
        id=d["id"],
        group=d.get("group", d["id"]),
        task=task,
        lang=d["lang"],
        category=d.get("category", ""),
        source=d.get("source", "speech"),
        text=d["text"],
        labels={k: d[k] for k in label_fields(task, d) if k in d},
        split=d.get("split"),
    )


def load_items(root: Path = SEED_DIR, task: str | None = None) -> list[SeedItem]:
    """Every item of the corpus (of one task, if given), in file order."""
    items: list[SeedItem] = []
    for t in TASKS if task is None else (task,):
        for path in sorted((root / t).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    items.append(item_from_record(json.loads(line), t))
    return items


def _grams(text: str) -> frozenset[str]:
    t = "".join(ch.lower() for ch in text if ch.isalnum() or ch == " ")
    t = " ".join(t.split())
    return frozenset(t[i : i + 3] for i in range(max(1, len(t) - 2)))


def near_duplicates(
    items: list[SeedItem], threshold: float = NEAR_DUPLICATE
) -> list[tuple[SeedItem, SeedItem, float]]:
    """Pairs of items of one language whose character 3-gram Jaccard is >= ``threshold``."""
    out = []
    by_lang: dict[str, list[tuple[SeedItem, frozenset[str]]]] = defaultdict(list)
    for it in items:
        by_lang[it.lang].append((it, _grams(it.text)))
    for entries in by_lang.values():
        entries.sort(key=lambda e: len(e[1]))
        for i, (a, ga) in enumerate(entries):
            for b, gb in entries[i + 1 :]:
                if len(gb) * threshold > len(ga):  # sizes too far apart to reach the threshold
                    break
                j = len(ga & gb) / len(ga | gb)
                if j >= threshold:
                    out.append((a, b, j))
    return out


def _hash01(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def _stratum(it: SeedItem) -> tuple[str, str, str]:
    # task, language and the item's first label: every split gets its share of each
    first = next(iter(LABELS[it.task]))
    return (it.task, it.lang, str(it.labels.get(first)))


def assign_splits(items: list[SeedItem]) -> dict[str, str]:
    """Item id -> split, by linked component, stratified by task x language x label.

    Groups are linked across languages and tasks by their id, and near-duplicate lines
    link their groups, so no translation, paraphrase or near copy straddles splits. Each
    component belongs to the stratum of its first item; within a stratum, components are
    ordered by a hash of their root and cut at 70 / 15 / 15 % of the stratum's items, so
    every language and label has its share in dev and test (a plain hash leaves small
    strata lopsided) and adding items moves few others.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for it in items:
        find(it.group)
    for a, b, _ in near_duplicates(items):
        union(a.group, b.group)
    members: dict[str, list[SeedItem]] = defaultdict(list)
    for it in items:
        members[find(it.group)].append(it)
    strata: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for root, its in members.items():
        strata[min(_stratum(it) for it in its)].append(root)
    split_of: dict[str, str] = {}
    bounds = np.cumsum(SPLIT_SHARES)
    for roots in strata.values():
        roots.sort(key=lambda r: (_hash01(r), r))
        total = sum(len(members[r]) for r in roots)
        done = 0
        for r in roots:
            mid = (done + len(members[r]) / 2) / total
            split_of[r] = SPLITS[min(int(np.searchsorted(bounds, mid)), len(SPLITS) - 1)]
            done += len(members[r])
    return {it.id: split_of[find(it.group)] for it in items}


def write_splits(root: Path = SEED_DIR) -> Counter:
    """Rewrite every corpus file with its ``split`` field; return counts per split."""
    items = load_items(root)
    splits = assign_splits(items)
    counts: Counter = Counter()
    for t in TASKS:
        for path in sorted((root / t).glob("*.jsonl")):
            lines = []
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                d = json.loads(line)
                d["split"] = splits[d["id"]]
                counts[d["split"]] += 1
                lines.append(json.dumps(d, ensure_ascii=False))
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts


def check(
    root: Path = SEED_DIR, languages: tuple[str, ...] = LANGUAGES, min_items: int = MIN_ITEMS
) -> list[str]:
    """Every problem of the corpus, as readable lines (empty when it is sound)."""
    problems: list[str] = []
    items = load_items(root)
    ids = Counter(it.id for it in items)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    for it in items:
        where = f"{it.task}/{it.lang} {it.id}"
        if it.lang not in LANGUAGES:
            problems.append(f"{where}: unknown language '{it.lang}'")
        if it.category not in CATEGORIES:
            problems.append(f"{where}: unknown category '{it.category}'")
        if it.source not in ("speech", "caption"):
            problems.append(f"{where}: source must be speech or caption")
        if not it.text.strip():
            problems.append(f"{where}: empty text")
        for name, allowed in label_fields(it.task, it.labels).items():
            if it.labels.get(name) not in allowed:
                problems.append(f"{where}: {name}={it.labels.get(name)!r} not in {allowed}")
        if it.split not in SPLITS:
            problems.append(f"{where}: no split (run `python -m training.seed_corpus split`)")
    group_splits: dict[str, set[str]] = defaultdict(set)
    for it in items:
        group_splits[it.group].add(it.split or "?")
    problems += [
        f"group {g} straddles splits {sorted(s)}" for g, s in group_splits.items() if len(s) > 1
    ]
    for a, b, j in near_duplicates(items):
        if a.split != b.split:
            problems.append(f"near duplicates in different splits ({j:.2f}): {a.id} / {b.id}")
        elif a.task == b.task and a.group != b.group:
            problems.append(
                f"near duplicates in one task ({j:.2f}): {a.id} '{a.text}' / {b.id} '{b.text}'"
            )
    counts = Counter((it.task, it.lang) for it in items)
    for t in TASKS:
        for lang in languages:
            if counts[(t, lang)] < min_items:
                problems.append(
                    f"{t}/{lang}: {counts[(t, lang)]} items, at least {min_items} needed"
                )
            cats = {it.category for it in items if it.task == t and it.lang == lang}
            missing = set(CORE_CATEGORIES) - cats
            if counts[(t, lang)] and missing:
                problems.append(f"{t}/{lang}: no items in categories {sorted(missing)}")
    return problems


def stats(root: Path = SEED_DIR) -> str:
    """A table of counts per task x language x split, and label counts per task."""
    items = load_items(root)
    langs = sorted(
        {it.lang for it in items}, key=lambda x: LANGUAGES.index(x) if x in LANGUAGES else 99
    )
    lines = [f"{'task':14s} {'split':6s} " + " ".join(f"{lg:>5s}" for lg in langs) + "  total"]
    for t in TASKS:
        for s in SPLITS:
            c = Counter(it.lang for it in items if it.task == t and it.split == s)
            lines.append(
                f"{t:14s} {s:6s} "
                + " ".join(f"{c[lg]:5d}" for lg in langs)
                + f"  {sum(c.values()):5d}"
            )
    for t in TASKS:
        for name in LABELS[t]:
            c = Counter(str(it.labels.get(name)) for it in items if it.task == t)
            lines.append(f"{t}.{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    c = Counter(it.category for it in items)
    lines.append("categories: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    c = Counter(it.source for it in items)
    lines.append("sources: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    lines.append(f"items: {len(items)}, groups: {len({it.group for it in items})}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m training.seed_corpus split|check|stats``."""
    ap = argparse.ArgumentParser(prog="python -m training.seed_corpus")
    ap.add_argument("command", choices=("split", "check", "stats"))
    ap.add_argument("--root", type=Path, default=SEED_DIR)
    args = ap.parse_args(argv)
    if args.command == "split":
        counts = write_splits(args.root)
        print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        return 0
    if args.command == "stats":
        print(stats(args.root))
        return 0
    problems = check(args.root)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
