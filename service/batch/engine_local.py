"""The local engines: ``workers`` spawn processes on this machine, each loading the models
once (``run_local``), or this very process (``run_inline``: the service's batch task, whose
models are loaded already).

At most ``workers`` tasks are in flight, so when a worker process dies (a crash in a native
decoder, the OOM killer) the tasks it may have held are known: each is tried again alone in
a fresh process, and only one that kills that process too gets a failed row.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from service.batch.results import FAILED, ResultRow
from service.batch.work import Task, Worker, build_worker, run_task

_worker: Worker | None = None
_init_error: BaseException | None = None


def threads_per_worker(workers: int) -> int:
    """Compute threads of each of ``workers`` processes sharing this machine's cores."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _exit_with_parent(poll_s: float = 1.0) -> None:
    """End this worker when the batch process is gone (killed with SIGKILL, it cannot say
    so, and an orphan would sit on its models' memory, waiting for tasks forever)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="sellscope-parent-watch", daemon=True).start()


def _init(spec: str, threads: int, cache_dir: str | None) -> None:
    global _worker, _init_error
    _exit_with_parent()
    try:
        _worker = build_worker(spec, threads, cache_dir)
    except BaseException as e:  # noqa: BLE001 - reported on the first task, not as a dead pool
        _init_error = e


def _score(task: Task) -> ResultRow:
    if _init_error is not None:
        raise _init_error
    assert _worker is not None
    return run_task(_worker, task)


def _drain(
    tasks: deque[Task],
    size: int,
    on_row: Callable[[ResultRow], None],
    initargs: tuple[str, int, str | None],
) -> list[Task]:
    """Run ``tasks`` in a fresh pool of ``size``; the tasks in flight if a worker died."""
    ctx = multiprocessing.get_context("spawn")  # not fork: the parent may hold thread pools
    pool = ProcessPoolExecutor(size, mp_context=ctx, initializer=_init, initargs=initargs)
    inflight: dict[Future[ResultRow], Task] = {}
    try:
        while tasks or inflight:
            while tasks and len(inflight) < size:
                task = tasks.popleft()
                inflight[pool.submit(_score, task)] = task
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for fut in done:
                row = fut.result()  # BrokenProcessPool when a worker died
                del inflight[fut]
                on_row(row)
    except BrokenProcessPool:
        lost = []
        for fut, task in inflight.items():
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                on_row(fut.result())  # finished before the pool broke
            else:
                lost.append(task)
        return lost
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return []


def run_local(
    tasks: Sequence[Task],
    on_row: Callable[[ResultRow], None],
    workers: int = 1,
    spec: str = "service.batch.work:ModelWorker",
    cache_dir: str | None = None,
) -> None:
    """Score ``tasks`` in ``workers`` processes; ``on_row`` gets each row as it finishes.

    When a worker process dies, the tasks it may have held are tried again one at a time,
    so only the task that kills a process on its own gets a failed row.

    Raises:
        SellscopeError: a worker could not load its models (nothing can be scored).
    """
    initargs = (spec, threads_per_worker(workers), cache_dir)
    pending = deque(tasks)
    while pending:
        suspects = deque(_drain(pending, min(workers, len(pending)), on_row, initargs))
        for task in suspects:
            if _drain(deque([task]), 1, on_row, initargs):
                on_row(task.row_base(FAILED, "the scoring process died on this video"))


def run_inline(
    tasks: Sequence[Task],
    on_row: Callable[[ResultRow], None],
    worker: Worker | str = "service.batch.work:ModelWorker",
    cache_dir: str | None = None,
) -> None:
    """Score ``tasks`` one after another in this process; ``on_row`` gets each row.

    Args:
        tasks: the videos.
        on_row: called with each finished row.
        worker: a worker already built, or the spec of one to build here (with all cores).
        cache_dir: the evidence cache of a worker built here.
    """
    if isinstance(worker, str):
        worker = build_worker(worker, threads_per_worker(1), cache_dir)
    for task in tasks:
        on_row(run_task(worker, task))
