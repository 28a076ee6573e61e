"""Temporary upload files: the client's name, a private folder, nothing left behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from service.http.uploads import client_name, staged


@pytest.mark.parametrize(
    ("temp_name", "expected"),
    [
        ("tmpab_cd123my video.mp4", "my video.mp4"),
        ("tmpab_cd123", "upload"),
        ("tmpab_cd123..", "upload"),
        ("tmpab_cd123a;b|c.mov", "a_b_c.mov"),
        ("tmpab_cd123" + "x" * 300 + ".mp4", "x" * 116 + ".mp4"),
    ],
)
def test_client_name_strips_the_temp_prefix_and_unsafe_characters(temp_name, expected):
    assert client_name(Path("/tmp/req") / temp_name) == expected


def _upload(folder: Path, name: str) -> Path:
    with tempfile.NamedTemporaryFile(suffix=name, dir=folder, delete=False) as f:
        f.write(b"data")
    return Path(f.name)


def test_staged_files_keep_their_names_and_are_removed_after(tmp_path):
    uploads = [_upload(tmp_path, "a.mp4"), _upload(tmp_path, "a.mp4")]
    with staged(uploads) as paths:
        assert [p.name for p in paths] == ["a.mp4", "a.mp4"] and paths[0] != paths[1]
        assert all(p.read_bytes() == b"data" for p in paths)
        folder = paths[0].parent.parent
    assert not folder.exists() and not any(tmp_path.iterdir())


def test_staged_files_are_removed_on_errors_too(tmp_path):
    uploads = [_upload(tmp_path, "b.mp4")]
    with pytest.raises(RuntimeError), staged(uploads) as paths:
        folder = paths[0].parent.parent
        raise RuntimeError("scoring failed")
    assert not folder.exists() and not any(tmp_path.iterdir())
