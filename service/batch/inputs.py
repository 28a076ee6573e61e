"""What a batch scores: a folder of videos, one video, or a CSV / Parquet manifest.

A manifest has one row per video: ``video`` (path, relative to the manifest's folder or
absolute) and optional ``creator_id``, ``product_id``, ``product_name``, ``language``,
``views``, ``price``, ``currency``, ``category``, ``creator_followers``, ``creator_cvr``.
A labelled-outcomes
manifest (``training/outcomes.py``) is accepted as it is: its outcome columns are ignored.
Every problem is reported at once with its row (spreadsheet numbering, header = 1) and
column; a video file that is missing is not a manifest problem but a failed result row,
so one typo does not hold back a thousand videos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.domain import category_code, language_code
from service.errors import InputError
from service.meta import VideoMeta, check_currency
from training.outcomes import KNOWN as OUTCOME_COLUMNS
from training.outcomes import (
    RATE_COLUMNS,
    ManifestError,
    ManifestProblem,
    is_blank,
    parse_number,
    rate_problem,
    read_table,
)

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".3gp", ".flv"})
MANIFEST_SUFFIXES = frozenset({".csv", ".tsv", ".parquet"})
TEXT_COLUMNS = ("creator_id", "product_id", "product_name", "currency", "category")
# -> whole number?
NUMBER_COLUMNS = {"views": True, "creator_followers": True, "price": False, "creator_cvr": False}
COLUMNS = ("video", "language", *TEXT_COLUMNS, *NUMBER_COLUMNS)


@dataclass(frozen=True)
class BatchItem:
    """One video to score, with what the seller knows about it."""

    row: int  # manifest row (header = 1), or 1-based position in a folder
    video: Path
    language: str | None = None
    meta: VideoMeta = field(default_factory=VideoMeta)
    product_id: str | None = None


def check_language(code: str | None, what: str = "--lang") -> str | None:
    """A normalised ISO 639-1 code, or None (``service.domain.language_code``).

    Raises:
        InputError: not a language code the speech stage knows.
    """
    try:
        return language_code(code)
    except InputError as e:
        raise InputError(f"{what}: {e.message}") from None


def read_inputs(source: str | Path, language: str | None = None) -> list[BatchItem]:
    """The videos of a batch input.

    Args:
        source: a folder (its video files, recursively, in name order), one video file, or
            a CSV / Parquet manifest.
        language: the speech language of videos whose row does not say (detected if None).

    Raises:
        InputError: nothing to score, or an unknown kind of input.
        ManifestError: the manifest has problems (all of them, with row and column).
    """
    language = check_language(language)
    path = Path(source)
    if path.is_dir():
        return read_folder(path, language)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; give a folder of videos or a manifest")
    suffix = path.suffix.lower()
    if suffix in MANIFEST_SUFFIXES:
        return read_manifest(path, language)
    if suffix in VIDEO_SUFFIXES:
        return [BatchItem(1, path.resolve(), language)]
    raise InputError(
        f"{path.name}: give a folder of videos, a video, or a manifest (.csv or .parquet)"
    )


def read_folder(folder: Path, language: str | None = None) -> list[BatchItem]:
    """Every video file under ``folder`` (hidden files and folders left out), by path."""
    root = folder.resolve()
    videos = sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in VIDEO_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not videos:
        raise InputError(
            f"{folder}: no video files ({', '.join(sorted(VIDEO_SUFFIXES))}) in this folder; "
            "give a folder of videos or a manifest"
        )
    return [BatchItem(i, p, language) for i, p in enumerate(videos, start=1)]


def _row_item(
    rec: dict[str, Any], i: int, base: Path, language: str | None
) -> tuple[BatchItem | None, list[ManifestProblem]]:
    problems: list[ManifestProblem] = []
    raw = rec.get("video")
    if is_blank(raw):
        problems.append(ManifestProblem(i, "video", "is empty; give the video's path"))
    numbers: dict[str, float | int] = {}
    for col, whole in NUMBER_COLUMNS.items():
        if is_blank(rec.get(col)):
            continue
        try:
            x = parse_number(rec[col], whole)
        except (TypeError, ValueError):
            kind = "a whole number" if whole else "a number"
            problems.append(ManifestProblem(i, col, f"'{rec[col]}' is not {kind}"))
            continue
        if x < 0:
            problems.append(ManifestProblem(i, col, f"is negative ({x})"))
        elif col in RATE_COLUMNS and (why := rate_problem(x)):
            problems.append(ManifestProblem(i, col, why))
        else:
            numbers[col] = x
    text = {c: None if is_blank(rec.get(c)) else str(rec[c]).strip() for c in TEXT_COLUMNS}
    for col, check in (("currency", check_currency), ("category", category_code)):
        try:
            text[col] = check(text[col])
        except InputError as e:
            problems.append(ManifestProblem(i, col, e.message))
    row_lang = language
    if not is_blank(rec.get("language")):
        try:
            row_lang = language_code(str(rec["language"]))
        except InputError as e:
            problems.append(ManifestProblem(i, "language", e.message))
    if problems:
        return None, problems
    video = Path(str(raw).strip()).expanduser()
    meta = VideoMeta(
        product_name=text["product_name"],
        category=text["category"],
        price=numbers.get("price"),
        currency=text["currency"],
        views=numbers.get("views"),  # type: ignore[arg-type] - whole numbers are ints
        creator_id=text["creator_id"],
        creator_followers=numbers.get("creator_followers"),  # type: ignore[arg-type]
        creator_cvr=numbers.get("creator_cvr"),
    )
    video = video if video.is_absolute() else (base / video)
    return BatchItem(i, video.resolve(), row_lang, meta, text["product_id"]), []


def validate_manifest(
    path: str | Path, language: str | None = None
) -> tuple[list[BatchItem], list[ManifestProblem]]:
    """Read a batch manifest and collect every problem in one pass.

    Returns:
        The items of the rows without a problem, and the problems.
    """
    path = Path(path)
    records = read_table(path)
    problems: list[ManifestProblem] = []
    if not records:
        problems.append(ManifestProblem(None, None, "the manifest has no rows"))
    columns = list(records[0]) if records else []
    if records and "video" not in columns:
        problems.append(
            ManifestProblem(1, "video", "required column is missing (the path of each video)")
        )
    known = set(COLUMNS) | set(OUTCOME_COLUMNS)
    for col in columns:
        if col not in known:
            problems.append(
                ManifestProblem(1, col, f"unknown column; known columns are: {', '.join(COLUMNS)}")
            )
    items: list[BatchItem] = []
    if "video" in columns:
        for i, rec in enumerate(records, start=2):
            item, found = _row_item(rec, i, path.parent.resolve(), language)
            problems.extend(found)
            if item is not None:
                items.append(item)
    return items, problems


def read_manifest(path: str | Path, language: str | None = None) -> list[BatchItem]:
    """The items of a batch manifest.

    Raises:
        ManifestError: every problem, with its row and column.
        InputError: no video of the manifest exists (paths are relative to its folder).
    """
    path = Path(path)
    items, problems = validate_manifest(path, language)
    if problems:
        raise ManifestError(path, problems)
    if not any(it.video.is_file() for it in items):
        raise InputError(
            f"{path.name}: none of its {len(items)} video(s) exists (e.g. {items[0].video}); "
            "relative paths are read from the manifest's folder"
        )
    return items
