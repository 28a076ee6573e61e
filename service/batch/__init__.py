"""Batch scoring of creator submissions, on one machine or on a Ray cluster.

Stages, one module each: ``inputs`` (folder or manifest -> items), ``work`` (one video ->
one result row, the same in every engine), ``engine_local`` / ``engine_ray`` (who runs the
work), ``results`` (the rows, kept safe and resumable), ``summary_html`` (the page) and
``run`` (``run_batch``, the one library call). ``cli`` registers ``sellscope batch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.batch.results import ResultRow
    from service.batch.run import BatchSummary, run_batch

__all__ = ["BatchSummary", "ResultRow", "run_batch"]


def __getattr__(name: str) -> Any:
    # lazy: ``sellscope --help`` must not import pandas / pyarrow through this package
    if name in ("BatchSummary", "run_batch"):
        from service.batch import run

        return getattr(run, name)
    if name == "ResultRow":
        from service.batch.results import ResultRow

        return ResultRow
    raise AttributeError(name)
