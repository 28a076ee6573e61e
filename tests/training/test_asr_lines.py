"""The seed corpus as the pipeline hears it (training.asr_lines)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from difflib import SequenceMatcher

import numpy as np
import pytest

from service.evidence.types import Word
from training import asr_lines
from training.asr_lines import AsrLine, assign_words, load, write


def test_words_go_to_the_line_their_middle_falls_in():
    spans = [(0.0, 2.0), (2.5, 4.0)]
    words = (
        Word("a", 0.1, 0.5, 1),
        Word("b", 1.8, 2.4, 1),  # middle 2.1: just after the first line, within slack
        Word("c", 2.6, 3.0, 1),
        Word("far", 6.0, 6.4, 1),  # nowhere near a line: dropped
    )
    groups = assign_words(words, spans)
    assert [[w.text for w in g] for g in groups] == [["a", "b"], ["c"]]


def test_rows_round_trip_and_the_file_is_byte_stable(tmp_path):
    rows = [AsrLine("en-hook-0001", "en", "Stop scrolling.", "en-us", 160, 50),
            AsrLine("fr-hook-0002", "fr", "j'espère", "fr-fr", 150, 40)]  # fmt: skip
    write(rows, tmp_path / "a" / "test.jsonl.gz")
    write(rows, tmp_path / "b" / "test.jsonl.gz")
    assert (tmp_path / "a" / "test.jsonl.gz").read_bytes() == (
        tmp_path / "b" / "test.jsonl.gz"
    ).read_bytes()
    assert load("test", tmp_path / "a") == {"en-hook-0001": "Stop scrolling.",
                                            "fr-hook-0002": "j'espère"}  # fmt: skip
    assert load("train", tmp_path / "a") == {}  # no file: nothing heard


def test_seed_examples_carry_the_transcript_where_there_is_one(tmp_path, monkeypatch):
    from training.seed_corpus import load_items
    from training.train_heads import seed_examples, with_heard

    first, second = [it for it in load_items() if it.split == "dev"][:2]
    misheard = first.text.replace(first.text.split()[0], "Mm", 1)  # one word wrong
    rows = [AsrLine(first.id, first.lang, misheard, "x", 150, 50),
            AsrLine(second.id, second.lang, "ฆาฆา", "x", 150, 50)]  # fmt: skip
    write(rows, tmp_path / "dev.jsonl.gz")
    monkeypatch.setattr(asr_lines, "ASR_DIR", tmp_path)
    ex = seed_examples("dev", heard=True)
    assert [e.heard for e in ex if e.heard] == [misheard, "ฆาฆา"]
    assert all(e.heard is None for e in seed_examples("dev"))  # only when asked
    # decoding noise is no mishearing: left out of training above a similarity floor
    kept = seed_examples("dev", heard=True, heard_min_similarity=0.4)
    assert [e.heard for e in kept if e.heard] == [misheard]
    both = with_heard(kept)
    assert len(both) == len(kept) + 1
    assert both[-1].text == misheard and both[-1].labels == kept[0].labels


@pytest.mark.integration
def test_a_session_is_spoken_heard_and_split_back_into_its_lines(evidence_models):
    from training.seed_corpus import SeedItem
    from training.synth import espeak_executable

    texts = [
        "Stop scrolling, this pan changed my mornings.",
        "It heats up in three minutes.",
        "Tap the yellow basket before midnight.",
    ]
    items = [SeedItem(f"en-x-{i}", "g", "hook", "en", "home", "speech", t, {}, "test")
             for i, t in enumerate(texts)]  # fmt: skip
    with ThreadPoolExecutor(2) as pool:
        rows = asr_lines.transcribe_session(
            items, "en", np.random.default_rng(0), evidence_models.asr, espeak_executable(), pool
        )
    assert [r.id for r in rows] == [it.id for it in items]
    sim = [
        SequenceMatcher(None, t.lower(), r.asr_text.lower()).ratio()
        for t, r in zip(texts, rows, strict=True)
    ]
    # each line gets its own words back (espeak English is heard well by Whisper base)
    assert min(sim) >= 0.6, [r.asr_text for r in rows]
