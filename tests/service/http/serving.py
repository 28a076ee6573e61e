"""Helpers for tests and benchmarks that talk to a real ``bentoml serve`` subprocess.

A scratch model store (base models linked from the default store, a quickly trained heads
model and a fitted conversion model registered in it), a free port on 127.0.0.1, and the
server started in a process group of its own so it and its workers stop together.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[3]
SERVICE = "service.http.app:Sellscope"

FIT_CONVERSION = """
import sys
from pathlib import Path
from training.default_conversion import train_default_conversion
print(train_default_conversion(Path(sys.argv[1])).tag)
"""


def free_port() -> int:
    """A TCP port nobody listens on now (127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def link_models(home: Path, names: list[str] | None = None) -> Path:
    """Make ``home`` a BENTOML_HOME whose store links models of the default store.

    Args:
        home: the new BENTOML_HOME (created).
        names: model names to link (default: the base models).
    """
    from models.base_import import BASE_MODELS
    from models.store import store_home

    (home / "models").mkdir(parents=True, exist_ok=True)
    for name in names or [s.name for s in BASE_MODELS]:
        link = home / "models" / name
        if not link.exists():
            os.symlink(store_home() / name, link)
    return home


def _run(code: str, env: dict, *args: str, timeout: int = 900) -> str:
    # One OpenMP thread: on a busy machine OpenMP's spinning threads make sklearn's and
    # torch's fits 8-20x slower (measured: 25 s instead of 9 min for the conversion fit).
    env = {"OMP_NUM_THREADS": "1", **env}
    r = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True,
        text=True, timeout=timeout,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return r.stdout.split()[-1]


def register_smoke_heads(env: dict) -> str:
    """Train the smoke heads (seconds) in the store of ``env``; their tag."""
    from tests.training.test_retrain_e2e import REGISTER_SMOKE_HEADS

    return _run(REGISTER_SMOKE_HEADS, env)


def fit_conversion(env: dict, table: Path) -> str:
    """Fit, register and serve the default conversion model from ``table``; its tag."""
    return _run(FIT_CONVERSION, env, str(table))


@dataclass
class Server:
    """A running ``bentoml serve`` of the sellscope service."""

    url: str
    proc: subprocess.Popen
    log: Path
    tmpdir: Path

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output (for assertion messages)."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def rss_bytes(self) -> int:
        """Resident memory of the server and all its worker processes."""
        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for p in procs:
            with suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total


@contextmanager
def running_server(
    home: Path, work: Path, env: dict[str, str] | None = None, timeout_s: float = 420
) -> Iterator[Server]:
    """Start the service on a free port with ``home`` as BENTOML_HOME; stop it on exit.

    Args:
        home: the model store's BENTOML_HOME.
        work: a folder for the server's log and its TMPDIR (``work/tmp``).
        env: extra environment (limits, token ...).
        timeout_s: how long to wait for ``/readyz``.
    """
    port = free_port()
    tmpdir = work / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    log = work / "server.log"
    full_env = {
        **os.environ, "BENTOML_HOME": str(home), "TMPDIR": str(tmpdir),
        "BENTOML_DO_NOT_TRACK": "True", "SELLSCOPE_THREADS": "2", **(env or {}),
    }  # fmt: skip
    cmd = [sys.executable, "-m", "bentoml", "serve", SERVICE, "--host", "127.0.0.1",
           "--port", str(port), "--working-dir", str(ROOT)]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", proc, log, tmpdir)
    try:
        _wait_ready(server, timeout_s)
        yield server
    finally:
        _stop(proc)


def _wait_ready(server: Server, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"the server exited ({server.proc.returncode}):\n{server.log_tail()}"
            )
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the server was not ready in {timeout_s:.0f} s:\n{server.log_tail()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # the group this helper started
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
