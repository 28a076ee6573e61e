"""Batch inputs: folders and manifests, every manifest problem with its row and column."""

from __future__ import annotations

import pandas as pd
import pytest

from service.batch.inputs import check_language, read_inputs, validate_manifest
from service.errors import InputError
from training.outcomes import ManifestError


def _touch(*paths):
    for p in paths:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")


def test_folder_lists_videos_in_name_order(tmp_path):
    _touch(tmp_path / "b.mp4", tmp_path / "a.MOV", tmp_path / "sub" / "c.webm")
    _touch(tmp_path / "notes.txt", tmp_path / ".hidden.mp4", tmp_path / ".cache" / "d.mp4")
    items = read_inputs(tmp_path, language="EN")
    assert [it.video.name for it in items] == ["a.MOV", "b.mp4", "c.webm"]
    assert [it.row for it in items] == [1, 2, 3]
    assert {it.language for it in items} == {"en"}
    assert items[0].video.is_absolute()


def test_empty_folder_says_what_to_give(tmp_path):
    _touch(tmp_path / "readme.txt")
    with pytest.raises(InputError, match="no video files"):
        read_inputs(tmp_path)


def test_single_video_and_unknown_input(tmp_path):
    _touch(tmp_path / "one.mp4", tmp_path / "doc.pdf")
    assert [it.video.name for it in read_inputs(tmp_path / "one.mp4")] == ["one.mp4"]
    with pytest.raises(InputError, match="manifest"):
        read_inputs(tmp_path / "doc.pdf")
    with pytest.raises(InputError, match="no such file"):
        read_inputs(tmp_path / "gone")


def test_manifest_rows_become_items_with_meta(tmp_path):
    _touch(tmp_path / "v" / "a.mp4", tmp_path / "b.mp4")
    m = tmp_path / "m.csv"
    m.write_text(
        "video,creator_id,product_id,product_name,language,views,price,currency,category\n"
        'v/a.mp4,c1,p1,GlowPan,,"2,000",19.9,usd,Kitchen\n'
        f"{tmp_path / 'b.mp4'},c2,,,ID,,,,\n"
    )
    a, b = read_inputs(m, language="en")
    assert (a.row, b.row) == (2, 3)
    assert a.video == (tmp_path / "v" / "a.mp4").resolve() and b.video == tmp_path / "b.mp4"
    assert a.language == "en" and b.language == "id"  # the row's own language wins
    assert a.meta.views == 2000 and isinstance(a.meta.views, int)
    assert a.meta.price == pytest.approx(19.9) and a.meta.currency == "USD"
    assert (a.meta.creator_id, a.product_id, a.meta.product_name) == ("c1", "p1", "GlowPan")
    assert a.meta.category == "kitchen"
    assert b.meta.price is None and b.product_id is None


def test_manifest_creator_record(tmp_path):
    _touch(tmp_path / "a.mp4")
    m = tmp_path / "m.csv"
    m.write_text("video,creator_followers,creator_cvr\na.mp4,52000,0.0061\na.mp4,10,1.5\n")
    items, problems = validate_manifest(m)
    assert items[0].meta.creator_followers == 52000
    assert items[0].meta.creator_cvr == pytest.approx(0.0061)
    assert [(p.row, p.column) for p in problems] == [(3, "creator_cvr")]
    assert "between 0 and 1" in problems[0].message


def test_every_manifest_problem_in_one_pass(tmp_path):
    _touch(tmp_path / "a.mp4")
    m = tmp_path / "m.csv"
    m.write_text(
        "video,views,price,language,currency,category,colour\n"
        "a.mp4,12.5,1,en,usd,,red\n"  # row 2: views not whole
        "a.mp4,10,-3,english,XYZ,other,\n"  # row 3: negative price, bad language, unknown currency
        ",10,1,en,,jewelry,\n"  # row 4: empty video, a category the model does not know
    )
    items, problems = validate_manifest(m)
    where = {(p.row, p.column) for p in problems}
    assert where == {
        (1, "colour"), (2, "views"), (3, "price"), (3, "language"), (3, "currency"), (4, "video"),
        (4, "category"),
    }  # fmt: skip
    assert items == []
    with pytest.raises(ManifestError) as e:
        read_inputs(m)
    assert "row 3, column 'language'" in str(e.value) and "7 problem(s)" in str(e.value)
    assert "no exchange rate for currency 'XYZ'" in str(e.value)


def test_missing_video_column_and_empty_manifest(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("path,views\na.mp4,1\n")
    _, problems = validate_manifest(m)
    assert any(p.row == 1 and p.column == "video" and "missing" in p.message for p in problems)
    m.write_text("video\n")
    _, problems = validate_manifest(m)
    assert [p.message for p in problems] == ["the manifest has no rows"]


def test_outcomes_manifest_is_accepted(tmp_path):
    _touch(tmp_path / "a.mp4")
    m = tmp_path / "m.csv"
    m.write_text("video,views,orders,gmv,posted_at\na.mp4,100,3,45.0,2026-01-01\n")
    (item,) = read_inputs(m)
    assert item.meta.views == 100


def test_parquet_manifest_with_numbers_and_gaps(tmp_path):
    _touch(tmp_path / "a.mp4", tmp_path / "b.mp4")
    m = tmp_path / "m.parquet"
    pd.DataFrame(
        {"video": ["a.mp4", "b.mp4"], "views": [1000.0, float("nan")], "price": [9.5, None]}
    ).to_parquet(m)
    a, b = read_inputs(m)
    assert a.meta.views == 1000 and a.meta.price == 9.5
    assert b.meta.views is None and b.meta.price is None


def test_missing_files_are_rows_not_problems_unless_all_are(tmp_path):
    _touch(tmp_path / "a.mp4")
    m = tmp_path / "m.csv"
    m.write_text("video\na.mp4\ngone.mp4\n")
    assert [it.video.name for it in read_inputs(m)] == ["a.mp4", "gone.mp4"]
    m.write_text("video\nx/gone.mp4\ny/gone.mp4\n")
    with pytest.raises(InputError, match="relative paths are read from the manifest's folder"):
        read_inputs(m)


def test_unreadable_table(tmp_path):
    m = tmp_path / "m.parquet"
    m.write_text("not parquet")
    with pytest.raises(InputError, match="cannot be read as a table"):
        read_inputs(m)


@pytest.mark.parametrize(("code", "want"), [("en", "en"), (" ZH ", "zh"), (None, None), ("", None)])
def test_language_codes(code, want):
    assert check_language(code) == want


def test_bad_language_says_what_to_use():
    with pytest.raises(InputError, match="ISO 639-1"):
        check_language("english")
    # two letters are not enough: the speech stage must know the language
    with pytest.raises(InputError, match="--lang: unknown language code 'xx'"):
        check_language("xx")
