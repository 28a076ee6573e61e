"""The labelled-outcomes manifest: every problem reported with its row and column, in one pass."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.outcomes import ManifestError, load_manifest, validate_manifest

EXAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "outcomes" / "example_manifest.csv"


def _write(tmp_path: Path, text: str, videos: tuple[str, ...] = ("a.mp4", "b.mp4")) -> Path:
    for v in videos:
        (tmp_path / v).write_bytes(b"x")
    p = tmp_path / "m.csv"
    p.write_text(text)
    return p


def test_good_manifest_loads(tmp_path):
    p = _write(
        tmp_path,
        'video,views,orders,gmv,creator_id\na.mp4,1000,10,290.5,c1\nb.mp4,"2,000",0,0,c2\n',
    )
    rows = load_manifest(p)
    assert [r.views for r in rows] == [1000, 2000]
    assert rows[0].video == tmp_path / "a.mp4"
    assert rows[0].conversion_rate == pytest.approx(0.01)
    assert rows[0].gpm == pytest.approx(290.5)
    assert rows[1].creator_id == "c2" and rows[1].price is None


def test_every_problem_in_one_pass(tmp_path):
    text = (
        "video,views,orders,colour\n"
        "a.mp4,100,5,red\n"  # row 2: only the unknown column (reported once, on the header)
        "missing.mp4,100,5,\n"  # row 3: file not found
        "b.mp4,-3,1,\n"  # row 4: negative views
        "a.mp4,10,20,\n"  # row 5: orders > views
        "b.mp4,ten,1,\n"  # row 6: not a number
        "b.mp4,10,1.5,\n"  # row 7: not a whole number
        ",10,1,\n"  # row 8: no video, no transcript
    )
    _, problems = validate_manifest(_write(tmp_path, text))
    got = {(p.row, p.column) for p in problems}
    assert got == {
        (1, "colour"),
        (3, "video"),
        (4, "views"),
        (5, "orders"),
        (6, "views"),
        (7, "orders"),
        (8, "video"),
    }
    msgs = " | ".join(str(p) for p in problems)
    assert "row 4, column 'views': is negative" in msgs
    assert "orders (20) exceed views (10)" in msgs
    assert "file not found" in msgs and "unknown column" in msgs


def test_creator_rate_is_a_fraction(tmp_path):
    p = _write(tmp_path, "video,views,orders,creator_cvr\na.mp4,100,1,0.004\nb.mp4,100,1,4\n")
    rows, problems = validate_manifest(p)
    assert [r.creator_cvr for r in rows] == [pytest.approx(0.004)]
    assert [(x.row, x.column) for x in problems] == [(3, "creator_cvr")]
    assert "0.4% is 0.004" in str(problems[0])


def test_a_currency_without_a_rate_is_a_problem(tmp_path):
    p = _write(tmp_path, "video,views,orders,gmv,currency\na.mp4,100,1,9,idr\nb.mp4,100,1,9,XYZ\n")
    rows, problems = validate_manifest(p)
    assert [r.video.name for r in rows] == ["a.mp4"]  # a known code in any case is fine
    assert [(x.row, x.column) for x in problems] == [(3, "currency")]
    assert "no exchange rate for currency 'XYZ'" in str(problems[0])


def test_a_category_is_normalised_or_a_problem(tmp_path):
    p = _write(
        tmp_path,
        "video,views,orders,category\n"
        "a.mp4,100,1, Beauty\nb.mp4,100,1,other\na.mp4,100,1,jewelry\n",
    )
    rows, problems = validate_manifest(p)
    assert [r.category for r in rows] == ["beauty", None]  # the model's code, or unknown
    assert [(x.row, x.column) for x in problems] == [(4, "category")]
    assert "unknown product category 'jewelry'" in str(problems[0])


def test_missing_required_column(tmp_path):
    _, problems = validate_manifest(_write(tmp_path, "video,views\na.mp4,10\n"))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (1, "orders", "required column is missing")
    ]


def test_load_raises_with_all_problems(tmp_path):
    p = _write(tmp_path, "video,views,orders\nnope.mp4,1,2\n")
    with pytest.raises(ManifestError) as e:
        load_manifest(p)
    assert len(e.value.problems) == 2
    assert "m.csv: 2 problem(s)" in str(e.value)


def test_transcript_rows_without_video(tmp_path):
    p = _write(tmp_path, "video,views,orders,transcript\n,500,4,这款精华真的好用\n", videos=())
    (row,) = load_manifest(p)
    assert row.video is None and row.transcript == "这款精华真的好用"


def test_parquet_manifest(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    p = tmp_path / "m.parquet"
    pd.DataFrame({"video": ["a.mp4"], "views": [10], "orders": [1], "price": [9.9]}).to_parquet(p)
    (row,) = load_manifest(p)
    assert row.price == pytest.approx(9.9)


def test_example_manifest_is_well_formed():
    rows, problems = validate_manifest(EXAMPLE, check_files=False)
    assert problems == [] and len(rows) == 4
    assert {r.language for r in rows} == {"zh", "id", "en"}
