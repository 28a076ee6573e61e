"""Labelled shop outcomes: the manifest a team brings for retraining, its validator and loader.

A manifest is a CSV or Parquet file, one row per video. Required columns: ``video`` (path,
relative to the manifest's folder or absolute), ``views``, ``orders``. Optional columns are
listed in ``OPTIONAL``. The validator reports every problem, with its row number (1-based,
as a spreadsheet shows it, the header being row 1) and column, in one pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.domain import category_code
from service.errors import InputError
from service.meta import check_currency

REQUIRED = ("video", "views", "orders")
OPTIONAL = (
    "gmv",
    "clicks",
    "price",
    "currency",
    "category",
    "creator_id",
    "product_id",
    "product_name",
    "creator_followers",
    "creator_cvr",
    "posted_at",
    "language",
    "transcript",
)
# Optional human labels, in the seed corpus's label sets.
LABEL_COLUMNS = ("hook_strength", "hook_type", "intent_share_seed", "has_cta")
KNOWN = REQUIRED + OPTIONAL + LABEL_COLUMNS
COUNT_COLUMNS = ("views", "orders", "clicks", "creator_followers")
MONEY_COLUMNS = ("gmv", "price")
RATE_COLUMNS = ("creator_cvr",)  # fractions: 0.004 is 0.4%


@dataclass(frozen=True)
class ManifestProblem:
    """One problem in a manifest."""

    row: int | None  # spreadsheet row (header = 1); None for a problem with the whole file
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where) or 'file'}: {self.message}"


@dataclass(frozen=True)
class OutcomeRow:
    """One labelled video."""

    video: Path | None
    views: int
    orders: int
    gmv: float | None = None
    clicks: int | None = None
    price: float | None = None
    currency: str | None = None
    category: str | None = None
    creator_id: str | None = None
    product_id: str | None = None
    product_name: str | None = None  # brand / name as printed on the product
    creator_followers: int | None = None
    creator_cvr: float | None = None  # the creator's recent orders / views (creator page)
    posted_at: str | None = None
    language: str | None = None
    transcript: str | None = None
    labels: dict[str, Any] = field(default_factory=dict)

    @property
    def conversion_rate(self) -> float:
        """Orders per view."""
        return self.orders / self.views if self.views else 0.0

    @property
    def gpm(self) -> float | None:
        """GMV per 1,000 views, when GMV is known."""
        return None if self.gmv is None or not self.views else self.gmv / self.views * 1000.0


class ManifestError(InputError):
    """The manifest has problems; ``problems`` lists each with its row and column."""

    code = "bad_manifest"

    def __init__(self, path: Path, problems: list[ManifestProblem]) -> None:
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{path.name}: {len(problems)} problem(s); fix them and run again:\n{shown}{more}"
        )
        self.problems = problems


def read_table(path: Path) -> list[dict[str, Any]]:
    """The rows of a CSV / TSV / Parquet table as dicts of strings (CSV) or values."""
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        elif suffix in (".csv", ".tsv", ".txt"):
            df = pd.read_csv(
                path, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False
            )
        else:
            raise InputError(f"{path.name}: a manifest is a .csv or .parquet file")
    except (ValueError, OSError, ImportError) as e:
        raise InputError(f"{path.name}: cannot be read as a table ({e})") from e
    df.columns = [str(c).strip() for c in df.columns]
    return df.to_dict(orient="records")


def is_blank(v: Any) -> bool:
    """Whether a table cell holds nothing (None, NaN, empty or spaces)."""
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


def rate_problem(x: float) -> str | None:
    """Why ``x`` is not a rate (a fraction between 0 and 1), or None when it is one."""
    if 0.0 <= x <= 1.0:
        return None
    return f"{x:g} is not between 0 and 1: give the rate as a fraction (0.4% is 0.004)"


def parse_number(v: Any, integer: bool) -> float | int:
    """A finite number from a cell (thousands commas allowed); ValueError otherwise."""
    if isinstance(v, str):
        v = v.strip().replace(",", "")
    x = float(v)
    if math.isnan(x) or math.isinf(x):
        raise ValueError
    if integer:
        if x != int(x):
            raise ValueError
        return int(x)
    return x


def validate_manifest(
    path: str | Path, check_files: bool = True
) -> tuple[list[OutcomeRow], list[ManifestProblem]]:
    """Read a manifest and collect every problem in one pass.

    Args:
        path: the CSV or Parquet manifest.
        check_files: whether a missing video file is a problem (rows with a transcript and
            no video are allowed: they train the text-only path).

    Returns:
        The rows that have no problem, and the problems found.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such manifest file")
    records = read_table(path)
    problems: list[ManifestProblem] = []
    columns = list(records[0].keys()) if records else []
    if not records:
        problems.append(ManifestProblem(None, None, "the manifest has no rows"))
    for col in columns:
        if col not in KNOWN:
            problems.append(
                ManifestProblem(1, col, f"unknown column; known columns are: {', '.join(KNOWN)}")
            )
    for col in REQUIRED:
        if records and col not in columns and not (col == "video" and "transcript" in columns):
            problems.append(ManifestProblem(1, col, "required column is missing"))
    rows: list[OutcomeRow] = []
    for i, rec in enumerate(records, start=2):
        row_problems: list[ManifestProblem] = []
        values: dict[str, Any] = {}
        for col in COUNT_COLUMNS + MONEY_COLUMNS + RATE_COLUMNS:
            if col not in rec or is_blank(rec[col]):
                if col in ("views", "orders") and col in columns:
                    row_problems.append(ManifestProblem(i, col, "is empty"))
                continue
            try:
                x = parse_number(rec[col], integer=col in COUNT_COLUMNS)
            except (ValueError, TypeError):
                kind = "a whole number" if col in COUNT_COLUMNS else "a number"
                row_problems.append(ManifestProblem(i, col, f"'{rec[col]}' is not {kind}"))
                continue
            if x < 0:
                row_problems.append(ManifestProblem(i, col, f"is negative ({x})"))
                continue
            if col in RATE_COLUMNS and (why := rate_problem(x)):
                row_problems.append(ManifestProblem(i, col, why))
                continue
            values[col] = x
        if "views" in values and "orders" in values and values["orders"] > values["views"]:
            row_problems.append(
                ManifestProblem(
                    i, "orders", f"orders ({values['orders']}) exceed views ({values['views']})"
                )
            )
        if "views" in values and "clicks" in values and values["clicks"] > values["views"]:
            row_problems.append(
                ManifestProblem(
                    i, "clicks", f"clicks ({values['clicks']}) exceed views ({values['views']})"
                )
            )
        if not is_blank(rec.get("currency")):
            try:
                check_currency(str(rec["currency"]))
            except InputError as e:  # its GMV and price could not be put on one scale
                row_problems.append(ManifestProblem(i, "currency", e.message))
        category = None
        if not is_blank(rec.get("category")):
            try:
                category = category_code(str(rec["category"]))  # "Beauty " is beauty
            except InputError as e:  # the model would drop it without a word
                row_problems.append(ManifestProblem(i, "category", e.message))
        video: Path | None = None
        raw_video = rec.get("video")
        transcript = rec.get("transcript")
        if is_blank(raw_video):
            if is_blank(transcript):
                row_problems.append(
                    ManifestProblem(i, "video", "is empty and there is no transcript")
                )
        else:
            video = Path(str(raw_video).strip())
            if not video.is_absolute():
                video = path.parent / video
            if check_files and not video.is_file():
                row_problems.append(ManifestProblem(i, "video", f"file not found: {video}"))
        if row_problems:
            problems.extend(row_problems)
            continue
        if "views" not in values or "orders" not in values:
            continue  # a required column is missing: reported once, on the header
        text = {
            c: (None if is_blank(rec.get(c)) else str(rec.get(c)).strip())
            for c in (
                "currency",
                "category",
                "creator_id",
                "product_id",
                "product_name",
                "posted_at",
                "language",
                "transcript",
            )
        }
        text["category"] = category
        labels = {c: rec[c] for c in LABEL_COLUMNS if c in rec and not is_blank(rec[c])}
        rows.append(
            OutcomeRow(
                video=video,
                views=int(values["views"]),
                orders=int(values["orders"]),
                gmv=values.get("gmv"),
                clicks=values.get("clicks"),
                creator_followers=values.get("creator_followers"),
                creator_cvr=values.get("creator_cvr"),
                price=values.get("price"),
                labels=labels,
                **text,
            )
        )
    return rows, problems


def load_manifest(path: str | Path, check_files: bool = True) -> list[OutcomeRow]:
    """Load a manifest for training.

    Raises:
        ManifestError: listing every problem with its row and column.
    """
    rows, problems = validate_manifest(path, check_files)
    if problems:
        raise ManifestError(Path(path), problems)
    return rows
