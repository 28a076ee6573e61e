"""The Ray engine: the same tasks as a Ray Data job, on a local Ray or any cluster.

``ray.data.from_items(tasks).map_batches(ScorerActor, ...)``: a pool of ``workers`` actors,
each building the same worker as the local engine (models loaded once per actor), one task
per block so rows stream back to the driver as they finish and are stored there, exactly
as in the local engine. Tasks and rows travel as JSON text, so the rows are the same.

Without an address a private local Ray is started (no dashboard, no usage stats, its
session files under the system temp folder) and stopped at the end. With one (``auto`` or
``ray://host:10001``), every node needs sellscope and the BentoML model store installed,
and the video paths must be readable on the nodes (a shared file system).
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from service.batch.results import ResultRow
from service.batch.work import (
    DEFAULT_WORKER,
    Task,
    Worker,
    build_worker,
    run_task,
    thread_env,
)
from service.errors import InputError

RAY_TEMP = os.path.join(tempfile.gettempdir(), "sellscope-ray")  # short: Ray puts sockets here


class ScorerActor:
    """A Ray Data actor: builds one worker (models loaded once), scores a batch of tasks."""

    def __init__(self, spec: str, threads: int, cache_dir: str | None) -> None:
        self.worker: Worker = build_worker(spec, threads, cache_dir)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        rows = [run_task(self.worker, Task.from_json(str(t))).to_json() for t in batch["task"]]
        return {"row": np.array(rows, dtype=object)}


def _import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401 - the Data library is a separate extra
    except ImportError as e:
        raise InputError(
            "the Ray engine needs Ray Data: pip install 'ray[data]' (or use --engine local)"
        ) from e
    return ray


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast on a ``host:port`` (or ``ray://host:port``) nobody listens on.

    Ray itself retries such an address for minutes before it gives up.

    Raises:
        InputError: nothing answers there.
    """
    if address == "auto" or ":" not in address:
        return  # "auto" finds the local cluster's address itself, and fails fast
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s).close()
    except (OSError, ValueError) as e:
        raise InputError(
            f"no Ray cluster answers at {address} ({e}); check --ray-address (e.g. auto, "
            "head-node:6379 or ray://head-node:10001), or use --engine local"
        ) from e


def _start(ray: Any, address: str | None) -> bool:
    """Connect to (or start) Ray; True when this call started it (and must stop it)."""
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no network calls home
    quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
    try:
        if address:
            check_reachable(address)
            ray.init(address=address, **quiet)
        else:
            ray.init(
                num_cpus=os.cpu_count() or 1,
                include_dashboard=False,
                _temp_dir=RAY_TEMP,
                **quiet,
            )
    except (ConnectionError, RuntimeError, ValueError) as e:
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        auth = (
            "; if the cluster uses token authentication, set RAY_AUTH_MODE=token and "
            "RAY_AUTH_TOKEN (or ~/.ray/auth_token) as on its nodes"
            if address
            else ""
        )
        raise InputError(
            f"cannot start or reach {where} ({e}); check --ray-address, or use --engine local{auth}"
        ) from e
    return True


def _threads(ray: Any, workers: int) -> int:
    """CPUs per actor: the cluster's CPUs shared by the actors, at most one node's worth."""
    per_node = [n["Resources"].get("CPU", 0) for n in ray.nodes() if n.get("Alive")]
    total = ray.cluster_resources().get("CPU", 1)
    return int(max(1, min(total // max(1, workers), max(per_node, default=1))))


def run_ray(
    tasks: Sequence[Task],
    on_row: Callable[[ResultRow], None],
    workers: int = 1,
    spec: str = DEFAULT_WORKER,
    cache_dir: str | None = None,
    address: str | None = None,
) -> None:
    """Score ``tasks`` with ``workers`` Ray actors; ``on_row`` gets each row as it finishes.

    Raises:
        InputError: Ray is not installed or the cluster cannot be reached.
    """
    if not tasks:
        return
    ray = _import_ray()
    started = _start(ray, address)
    try:
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # its INFO lines break ours
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # the batch prints its own progress line
        ctx.enable_auto_log_stats = False
        threads = _threads(ray, workers)
        items = [{"task": t.to_json()} for t in tasks]
        ds = ray.data.from_items(items, override_num_blocks=len(items))  # a row per block
        ds = ds.map_batches(
            ScorerActor,
            fn_constructor_args=(spec, threads, cache_dir),
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=min(workers, len(tasks))),
            num_cpus=threads,
            # the actor's process starts with its thread count: OpenMP reads
            # OMP_NUM_THREADS once, when it loads, and setting it from the actor came too
            # late (seen: with OMP_NUM_THREADS=1 inherited, the actors' Whisper gave the
            # one-thread words, so other scores than the local engine's)
            runtime_env={"env_vars": thread_env(threads)},
        )
        for rec in ds.iter_rows():
            on_row(ResultRow.from_json(str(rec["row"])))
    finally:
        if started:
            ray.shutdown()
