"""The evidence cache's key (training.evidence_cache)."""

from __future__ import annotations

from pathlib import Path

import training.evidence_cache as ec

TAGS = {"asr": "sellscope-whisper-base:1", "ocr": "sellscope-ppocr:1"}


def test_the_key_changes_with_the_extraction_code(monkeypatch):
    for k in ec.EXTRACTION_SETTINGS:
        monkeypatch.delenv(k, raising=False)
    key = ec.cache_key("ab" * 32, "en", TAGS)
    assert key == ec.cache_key("ab" * 32, "en", dict(reversed(TAGS.items())))  # order-free
    assert key != ec.cache_key("ab" * 32, "fr", TAGS)
    monkeypatch.setenv("SELLSCOPE_BEAM_SIZE", "1")  # another beam hears other words
    assert ec.cache_key("ab" * 32, "en", TAGS) != key
    monkeypatch.delenv("SELLSCOPE_BEAM_SIZE")
    assert ec.cache_key("ab" * 32, "en", TAGS) == key
    monkeypatch.setenv("SELLSCOPE_SAMPLE_FPS", "4")  # other frames, other captions and cuts
    assert ec.cache_key("ab" * 32, "en", TAGS) != key
    monkeypatch.delenv("SELLSCOPE_SAMPLE_FPS")
    # evidence from older extraction code is not served, schema version bumped or not
    monkeypatch.setattr(ec, "extraction_code_sha256", lambda: "0" * 64)
    assert ec.cache_key("ab" * 32, "en", TAGS) != key


def test_the_code_fingerprint_reads_names_and_bytes(tmp_path: Path):
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "speech.py").write_text("BEAM = 5\n")
    (tmp_path / "extract.py").write_text("x = 1\n")
    sources = ("extract.py", "evidence")
    before = ec.sources_sha256(tmp_path, sources)
    assert before == ec.sources_sha256(tmp_path, sources)
    (tmp_path / "evidence" / "speech.py").write_text("BEAM = 1\n")
    changed = ec.sources_sha256(tmp_path, sources)
    assert changed != before
    (tmp_path / "evidence" / "new_stage.py").write_text("")
    assert ec.sources_sha256(tmp_path, sources) != changed
    # the real sources are all there
    assert all((ec.ROOT / s).exists() for s in ec.EXTRACTION_SOURCES)
    assert len(ec.extraction_code_sha256()) == 64
