"""``sellscope serve``: the HTTP service on this machine (``bentoml serve`` underneath)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

SERVICE = "service.http.app:Sellscope"
ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the ``service`` package


def serve_command(host: str, port: int) -> list[str]:
    """The ``bentoml serve`` command line for the sellscope service."""
    return [sys.executable, "-m", "bentoml", "serve", SERVICE, "--host", host,
            "--port", str(port), "--working-dir", str(ROOT)]  # fmt: skip


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _cmd_serve(args: argparse.Namespace) -> int:
    from service.http.auth import token_from_env
    from service.http.limits import Limits
    from service.http.loading import ModelRefs

    refs = ModelRefs.resolve()  # a missing model is one line here, not a worker traceback
    env = {**os.environ, "BENTOML_DO_NOT_TRACK": "True"}
    if args.workers:
        env["SELLSCOPE_WORKERS"] = str(args.workers)
    limits = Limits.from_env()
    base = f"http://{args.host}:{args.port}"
    print(f"sellscope: serving on {base} (web page {base}/ui, API docs {base}/)")
    print("  models: " + ", ".join(f"{k}={v}" for k, v in sorted(refs.tags.items())))
    up, dur = limits.max_upload_mb, limits.max_duration_s
    print(f"  limits: {up:g} MB per upload, {dur:g} s per video")
    if token_from_env() is None and not _is_loopback(args.host):
        print(
            "  warning: no SELLSCOPE_API_TOKEN is set; anyone who reaches this address can "
            "use the service",
            file=sys.stderr,
        )
    try:
        return subprocess.call(serve_command(args.host, args.port), env=env)
    except KeyboardInterrupt:
        return 130


def add_serve_command(subparsers) -> None:  # noqa: ANN001 - argparse's private subparsers type
    """Register ``serve`` on an argparse subparsers object (``sellscope serve ...``)."""
    p = subparsers.add_parser(
        "serve",
        help="serve the HTTP API and the web page (BentoML, models from the local store)",
        description="Start the BentoML service on this machine. Scoring endpoints need "
        "'Authorization: Bearer <token>' when SELLSCOPE_API_TOKEN is set.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    p.add_argument("--workers", type=int, help="worker processes (default 1; each loads models)")
    p.set_defaults(func=_cmd_serve)
