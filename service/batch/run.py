"""The one library call of batch scoring: ``run_batch(input, out, ...) -> BatchSummary``.

Reads the input, skips the videos already scored (same content hash, inputs and model
versions) in an earlier run with the same RESULTS path, has an engine score the rest and
keeps every finished row at once (``service.batch.results``). Also runnable as

    python -m service.batch.run INPUT --out RESULTS [--workers N] [--engine local|ray] ...
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from service.batch.engine_local import run_inline, run_local
from service.batch.inputs import BatchItem, read_inputs
from service.batch.results import (
    FAILED,
    SCORED,
    SKIPPED,
    ResultRow,
    ResultsStore,
    carried_over,
)
from service.batch.work import DEFAULT_WORKER, Task, Worker, models_key, worker_class
from service.errors import InputError

ENGINES = ("local", "ray", "inline")
FLUSH_EVERY = 5  # rewrite the Parquet file after this many new rows (parts are per row)
FLUSH_SECONDS = 30.0  # ... or after this long with any new row


@dataclass(frozen=True)
class Progress:
    """Where a run stands, after each finished row."""

    done: int  # rows finished in this run (scored or failed)
    total: int  # rows this run has to do (skipped ones left out)
    scored: int
    failed: int
    skipped: int
    elapsed_s: float
    row: ResultRow | None

    @property
    def rate_per_min(self) -> float:
        """Videos finished per minute so far."""
        return self.done / self.elapsed_s * 60 if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds left at the rate so far (None before the first row)."""
        return (self.total - self.done) / self.done * self.elapsed_s if self.done else None


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did, and where its results are."""

    total: int
    scored: int
    failed: int
    skipped: int
    seconds: float
    results: Path
    csv: Path | None
    html: Path | None
    rows: tuple[ResultRow, ...]

    def summary(self) -> str:
        """A few lines for a person."""
        done = self.scored + self.failed
        rate = f" ({done / self.seconds * 60:.1f} videos/min)" if done and self.seconds else ""
        lines = [
            f"{self.total} videos: {self.scored} scored, {self.failed} failed, "
            f"{self.skipped} skipped (already scored) in {self.seconds:.1f} s{rate}",
            f"results: {self.results}",
        ]
        lines += [f"csv: {self.csv}"] if self.csv else []
        lines += [f"html summary: {self.html}"] if self.html else []
        for r in [r for r in self.rows if r.status == FAILED][:10]:
            lines.append(f"  failed: {r.file_name}: {r.error}")
        return "\n".join(lines)


ProgressFn = Callable[[Progress], None]


class _Tracker:
    """Keeps each finished row (part file), rewrites RESULTS now and then, reports progress."""

    def __init__(
        self,
        store: ResultsStore,
        items: list[BatchItem],
        rows: dict[int, ResultRow],
        total: int,
        progress: bool | ProgressFn,
    ) -> None:
        self.store, self.items, self.rows, self.total = store, items, rows, total
        self.progress = progress
        self.t0 = time.perf_counter()
        self.last_flush, self.unflushed, self.done = self.t0, 0, 0
        self.bar = None
        if progress is True:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="video", desc="batch", file=sys.stderr)
            self._postfix()

    def ordered(self) -> list[ResultRow]:
        return [self.rows[it.row] for it in self.items if it.row in self.rows]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows.values())

    def _postfix(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix(
                scored=self.count(SCORED), failed=self.count(FAILED), skipped=self.count(SKIPPED)
            )

    def on_row(self, row: ResultRow, counted: bool = True) -> None:
        self.store.append(row)  # first: from here on a kill loses nothing of this row
        self.rows[row.row] = row
        self.unflushed += 1
        now = time.perf_counter()
        if self.unflushed >= FLUSH_EVERY or now - self.last_flush >= FLUSH_SECONDS:
            self.flush()
        if not counted:
            return
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            self._postfix()
        elif callable(self.progress):
            self.progress(
                Progress(
                    self.done,
                    self.total,
                    self.count(SCORED),
                    self.count(FAILED),
                    self.count(SKIPPED),
                    now - self.t0,
                    row,
                )  # fmt: skip
            )

    def flush(self) -> None:
        self.store.write(self.ordered())
        self.last_flush, self.unflushed = time.perf_counter(), 0

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _plan(
    items: list[BatchItem], previous: dict, mkey: str
) -> tuple[list[Task], dict[int, ResultRow], list[ResultRow]]:
    """Tasks to score, rows carried over from earlier runs, and rows failed up front."""
    from training.evidence_cache import file_sha256

    tasks, carried, failed = [], {}, []
    for it in items:
        task = Task(it.row, str(it.video), "", it.language, it.meta, it.product_id)
        if not it.video.is_file():
            failed.append(task.row_base(FAILED, f"file not found: {it.video}"))
            continue
        try:
            task = replace(task, sha256=file_sha256(it.video))
        except OSError as e:
            failed.append(task.row_base(FAILED, f"cannot read the file: {e}"))
            continue
        prior = previous.get((task.sha256, mkey, task.input_key))
        if prior is not None:
            carried[it.row] = carried_over(prior, task.row_base(SKIPPED))
        else:
            tasks.append(task)
    return tasks, carried, failed


def _cache_dir(cache: Path | str | bool) -> str | None:
    if cache is False:
        return None
    if cache is True:
        from training.evidence_cache import default_cache_dir

        return str(default_cache_dir())
    return str(Path(cache))


def run_batch(
    input: str | Path,  # noqa: A002 - the CLI's INPUT
    out: str | Path,
    workers: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    csv: bool = False,
    language: str | None = None,
    progress: bool | ProgressFn = True,
    html: str | Path | None = None,
    cache: Path | str | bool = True,
    worker: str | Worker = DEFAULT_WORKER,
) -> BatchSummary:
    """Score every video of a folder or manifest into a resumable results file.

    Args:
        input: a folder of videos, one video, or a CSV / Parquet manifest
            (``service.batch.inputs``).
        out: the results Parquet file; run again with the same path to resume.
        workers: worker processes (local) or actors (Ray); each loads the models once.
        engine: ``local`` (processes), ``ray`` (actors) or ``inline`` (this process).
        ray_address: a Ray cluster (``auto``, ``ray://host:10001``); a local Ray if None.
        csv: also write the results as CSV next to ``out``.
        language: speech language of videos whose manifest row does not say.
        progress: a progress bar on stderr (True), nothing (False), or a callback.
        html: write the HTML summary here.
        cache: the evidence cache (True: the default folder; False: none; or a folder).
        worker: the worker class, ``"module:Class"`` (tests use a fake one); or, for the
            inline engine, a worker already built (the service passes its loaded one).

    Returns:
        The counts, the paths written and the rows in input order.

    Raises:
        InputError: bad arguments or input (the message says what to do).
        ManifestError: the manifest's problems, each with its row and column.
        ModelMissingError: a model is not in the store (with the command that adds it).
    """
    _check_arguments(workers, engine, ray_address, worker)
    t0 = time.perf_counter()
    items = read_inputs(input, language)
    return score_items(
        items, out, workers, engine, ray_address, csv, progress, html, cache, worker, t0
    )


def _check_arguments(
    workers: int, engine: str, ray_address: str | None, worker: str | Worker
) -> None:
    if workers < 1:
        raise InputError(f"--workers must be at least 1 (got {workers})")
    if engine not in ENGINES:
        raise InputError(f"--engine must be one of {', '.join(ENGINES)} (got '{engine}')")
    if ray_address and engine != "ray":
        raise InputError("--ray-address needs --engine ray")
    if engine == "inline" and workers != 1:
        raise InputError("--engine inline scores in this process: leave --workers at 1")
    if not isinstance(worker, str) and engine != "inline":
        raise InputError("a worker object runs in this process only: use engine='inline'")


def _expected_tags(worker: str | Worker) -> dict[str, str]:
    """The model tags rows will carry: a built worker knows them, a spec reads the store."""
    if isinstance(worker, str):
        return worker_class(worker).expected_tags()
    return dict(worker.tags)


def score_items(
    items: list[BatchItem],
    out: str | Path,
    workers: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    csv: bool = False,
    progress: bool | ProgressFn = True,
    html: str | Path | None = None,
    cache: Path | str | bool = True,
    worker: str | Worker = DEFAULT_WORKER,
    started: float | None = None,
) -> BatchSummary:
    """``run_batch`` on items already read (the service's batch task builds its own).

    Arguments as in :func:`run_batch`; ``started`` is when the run began
    (``time.perf_counter()``, now if None).
    """
    _check_arguments(workers, engine, ray_address, worker)
    t0 = time.perf_counter() if started is None else started
    mkey = models_key(_expected_tags(worker))
    cache_dir = _cache_dir(cache)
    with ResultsStore(out, csv) as store:
        tasks, rows, failed = _plan(items, store.previous(), mkey)
        store.keep_unlisted({r.resume_key for r in rows.values()})  # before RESULTS changes
        tracker = _Tracker(store, items, rows, len(tasks), progress)
        for row in failed:
            tracker.on_row(row, counted=False)
        try:
            _run_engine(engine, tasks, tracker.on_row, workers, worker, cache_dir, ray_address)
        finally:
            tracker.close()
            tracker.flush()  # also when the run fails: what finished is in RESULTS
        final = tracker.ordered()
        store.compact(final)  # reached only when every task finished: RESULTS holds it all
    html_path = None
    if html:
        from service.batch.summary_html import write_summary

        html_path = write_summary(final, html)
    return BatchSummary(
        total=len(items),
        scored=sum(r.status == SCORED for r in final),
        failed=sum(r.status == FAILED for r in final),
        skipped=sum(r.status == SKIPPED for r in final),
        seconds=time.perf_counter() - t0,
        results=store.path,
        csv=store.csv_path,
        html=html_path,
        rows=tuple(final),
    )


def _run_engine(
    engine: str,
    tasks: list[Task],
    on_row: Callable[[ResultRow], None],
    workers: int,
    worker: str | Worker,
    cache_dir: str | None,
    ray_address: str | None,
) -> None:
    if engine == "inline":
        run_inline(tasks, on_row, worker, cache_dir)
    elif engine == "local":
        assert isinstance(worker, str)
        run_local(tasks, on_row, workers, worker, cache_dir)
    else:
        from service.batch.engine_ray import run_ray

        assert isinstance(worker, str)
        run_ray(tasks, on_row, workers, worker, cache_dir, ray_address)


if __name__ == "__main__":
    from service.batch.cli import main

    sys.exit(main())
