"""Pydantic models and field types at the HTTP edge (the library itself uses dataclasses).

Multipart form values reach these types after BentoML has tried ``json.loads`` on them,
so ``creator_id=123`` arrives as the integer 123: text fields turn such values back into
text, and blank fields count as not given.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from service.batch.results import ResultRow
from service.domain import category_code, language_code
from service.errors import InputError
from service.meta import VideoMeta, check_currency
from service.report.schema import Report

MAX_TEXT_CHARS = 200
MAX_SCRIPT_CHARS = 20_000


def _blank_none(v: Any) -> Any:
    return None if v is None or (isinstance(v, str) and not v.strip()) else v


def _as_text(v: Any) -> Any:
    v = _blank_none(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return json.dumps(v)  # the digits the client typed (exact for integers)
    return v.strip() if isinstance(v, str) else v


def _library_check(check: Callable[[str], str | None], v: str) -> str | None:
    try:
        return check(v)
    except InputError as e:  # pydantic reports a ValueError as the field's problem
        raise ValueError(e.message) from None


def _language(v: Any) -> Any:
    v = _as_text(v)
    return _library_check(language_code, v) if isinstance(v, str) else v


def _category(v: Any) -> Any:
    v = _as_text(v)
    if isinstance(v, str) and len(v) > MAX_TEXT_CHARS:
        raise ValueError(f"is longer than {MAX_TEXT_CHARS} characters")
    return _library_check(category_code, v) if isinstance(v, str) else v


def _currency(v: Any) -> Any:
    v = _as_text(v)
    if isinstance(v, str):
        if not re.fullmatch(r"[A-Za-z]{3}", v):
            raise ValueError(f"'{v}' is not an ISO 4217 currency code (e.g. USD, CNY, IDR)")
        # a real code without a rate: its price could not be used
        return _library_check(check_currency, v)
    return v


def _finite(v: Any) -> Any:
    v = _blank_none(v)
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


def _rate(v: Any) -> Any:
    from training.outcomes import rate_problem

    v = _finite(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return v  # None, or not a number: pydantic says so
    if why := rate_problem(x):
        raise ValueError(why)
    return x


Text = Annotated[Annotated[str, Field(max_length=MAX_TEXT_CHARS)] | None, BeforeValidator(_as_text)]
Language = Annotated[str | None, BeforeValidator(_language)]
Currency = Annotated[str | None, BeforeValidator(_currency)]
Category = Annotated[str | None, BeforeValidator(_category)]
Count = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_blank_none)]
Price = Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(_finite)]
Rate = Annotated[float | None, BeforeValidator(_rate)]
Script = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=MAX_SCRIPT_CHARS)]


def to_meta(fields: Mapping[str, Any]) -> VideoMeta:
    """The library's ``VideoMeta`` from validated form fields (other keys are ignored).

    An endpoint passes its ``locals()`` (its parameters), so a metadata field is declared
    once per endpoint, in its signature, and added to ``VideoMeta`` once.
    """
    return VideoMeta(**{f.name: fields.get(f.name) for f in dataclasses.fields(VideoMeta)})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorBody(_Model):
    """Every error response: ``{"error": code, "detail": message}``."""

    error: str = Field(description="short snake_case code, e.g. video_too_long")
    detail: str = Field(description="what was wrong and what to do")


class BatchVideo(_Model):
    """One video of a batch: its report, or why it could not be scored."""

    file_name: str
    status: int = Field(description="the HTTP status a single upload of it would get")
    report: Report | None = None
    error: ErrorBody | None = None


class BatchResult(_Model):
    """The reports of a batch of uploaded videos, in upload order."""

    scored: int
    failed: int
    items: list[BatchVideo]
    rows: list[ResultRow] = Field(
        default_factory=list,
        description="one result row per video, in upload order: the columns `sellscope "
        "batch` writes to its results file (video = the uploaded file's name)",
    )


class ModelsInfo(_Model):
    """The model versions this server scores with."""

    models: dict[str, str] = Field(description="role -> model store tag")
    sellscope_version: str
    report_schema_version: str


class PageConfig(_Model):
    """What the web page needs to know before the first upload."""

    auth_required: bool
    max_upload_mb: float
    max_batch_files: int
    max_duration_s: float
    categories: list[str] = Field(description="the product categories the model knows")
