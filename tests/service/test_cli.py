"""The command line: real subprocesses, errors as one line without a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def sellscope(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("content", [b"", b"not a video at all\n" * 20])
def test_bad_file_is_one_clear_line(tmp_path, content):
    p = tmp_path / "upload.mp4"
    p.write_bytes(content)
    r = sellscope("extract", str(p))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("sellscope: error: upload.mp4")
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_file(tmp_path):
    r = sellscope("extract", str(tmp_path / "gone.mp4"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_unknown_language_is_refused_before_any_work(make_video):
    for args in (("score", str(make_video(duration=1.0))), ("script", "Hello there")):
        r = sellscope(*args, "--lang", "xx")
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "unknown language code 'xx'" in r.stderr and "ISO 639-1" in r.stderr


def test_too_long_video(make_video, monkeypatch):
    path = make_video(duration=3.0)
    monkeypatch.setenv("SELLSCOPE_MAX_DURATION_S", "2")
    r = sellscope("extract", str(path))
    assert r.returncode == 2 and "limit is 2 s" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.integration
def test_extract_writes_json(make_video, tmp_path, base_models):
    video = make_video(duration=2.0, size=(360, 640), captions=[(0, 2, "FREE SHIPPING")])
    out = tmp_path / "out" / "ev.json"
    r = sellscope("extract", str(video), "--lang", "en", "--json", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["captions"][0]["text"] == "FREE SHIPPING"
    assert data["media"]["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert "1 captions" in r.stderr


def test_score_of_a_bad_file_and_empty_script_are_one_clear_line(tmp_path):
    p = tmp_path / "clip.mp4"
    p.write_bytes(b"GIF89a not really")
    r = sellscope("score", str(p), "--json", str(tmp_path / "r.json"))
    assert r.returncode == 2 and r.stderr.startswith("sellscope: error: clip.mp4")
    assert "Traceback" not in r.stderr and not (tmp_path / "r.json").exists()
    r = sellscope("script", "   ")
    assert r.returncode == 2 and "the script is empty" in r.stderr


def test_creator_rate_in_percent_is_a_clear_error(tmp_path):
    r = sellscope("script", "Stop scrolling.", "--creator-cvr", "4")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--creator-cvr: 4 is not between 0 and 1" in r.stderr and "0.4% is 0.004" in r.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [(("--price", "-5"), "--price: -5 is not a price"),
     (("--views", "-3"), "--views: -3 is negative"),
     (("--price", "9", "--currency", "XYZ"), "no exchange rate for currency 'XYZ'"),
     (("--category", "jewelry"), "--category: unknown product category 'jewelry'")],
)  # fmt: skip
def test_impossible_metadata_is_refused_not_ignored(args, says):
    r = sellscope("script", "Stop scrolling.", *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and says in r.stderr, r.stderr


def test_train_without_a_target_says_what_to_give():
    r = sellscope("train")
    assert r.returncode == 2 and "sellscope train --outcomes MANIFEST" in r.stderr


def test_train_on_a_bad_manifest_lists_every_problem(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("video,views,orders,colour\nnope.mp4,10,20,red\n,5,x,blue\n")
    r = sellscope("train", "--outcomes", str(m))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "column 'colour': unknown column" in r.stderr
    assert "row 2, column 'orders': orders (20) exceed views (10)" in r.stderr
    assert "row 3, column 'orders': 'x' is not a whole number" in r.stderr


def test_evaluating_heads_missing_from_the_store_says_how_to_get_them(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml")}
    r = subprocess.run(
        [sys.executable, "-m", "service.cli", "evaluate", "heads"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "sellscope-heads" in r.stderr and "sellscope train heads" in r.stderr
