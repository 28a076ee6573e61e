"""``sellscope batch``: a thin face over ``service.batch.run.run_batch``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.errors import SellscopeError


def _cmd_batch(args: argparse.Namespace) -> int:
    from service.batch.run import run_batch

    summary = run_batch(
        args.input,
        args.out,
        workers=args.workers,
        engine=args.engine,
        ray_address=args.ray_address,
        csv=args.csv,
        language=args.lang,
        html=args.html,
        cache=False if args.no_cache else (args.cache or True),
    )
    print(summary.summary())
    return 0


def add_batch_command(subparsers) -> None:  # noqa: ANN001 - argparse's private subparsers type
    """Register ``batch`` on an argparse subparsers object (``sellscope batch ...``)."""
    p = subparsers.add_parser(
        "batch",
        help="score a folder of videos or a manifest into a resumable results file",
        description="Score many videos. Rerun with the same --out to resume: videos already "
        "scored with the same content and models are skipped.",
    )
    p.add_argument(
        "input",
        metavar="INPUT",
        help="folder of videos, or a CSV / Parquet manifest (column video, plus optional "
        "creator_id, product_id, product_name, language, views, price, currency, category)",
    )
    p.add_argument("--out", required=True, metavar="RESULTS", help="results Parquet file")
    p.add_argument("--workers", type=int, default=1, help="processes or actors (default 1)")
    p.add_argument(
        "--engine",
        choices=("local", "ray", "inline"),
        default="local",
        help="local: worker processes (default); ray: Ray actors; inline: this process",
    )
    p.add_argument(
        "--ray-address", metavar="ADDR", help="Ray cluster address (default: a local Ray)"
    )
    p.add_argument("--csv", action="store_true", help="also write RESULTS as CSV next to it")
    p.add_argument("--lang", help="speech language of rows that do not say (ISO 639-1)")
    p.add_argument("--html", metavar="SUMMARY", help="write an HTML summary of the batch here")
    p.add_argument("--cache", type=Path, help="evidence cache folder (default: the user cache)")
    p.add_argument("--no-cache", action="store_true", help="extract every video again")
    p.set_defaults(func=_cmd_batch)


def main(argv: list[str] | None = None) -> int:
    """``python -m service.batch.run ...`` (the same as ``sellscope batch ...``)."""
    ap = argparse.ArgumentParser(prog="python -m service.batch.run")
    add_batch_command(ap.add_subparsers(dest="command"))
    args = ap.parse_args(["batch", *(argv if argv is not None else sys.argv[1:])])
    try:
        return args.func(args)
    except SellscopeError as e:
        print(f"sellscope: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sellscope: interrupted; run again with the same --out to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
