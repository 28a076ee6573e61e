"""Benchmark: the HTTP service under 20 concurrent uploads, against in-process scoring.

Starts a real ``bentoml serve`` (one worker) on 127.0.0.1 with a scratch model store (every
model of the default store linked; a conversion model fitted there if the default store
has none) and scores one 15 s synthetic product video: ``--repeat`` times in-process with
``score_video`` (models loaded once) alternated with single HTTP requests, so both see the
same machine load; then ``--n`` uploads of it at once. Prints throughput, p50 / p95 latency,
the server's peak RSS (all its processes) and the served-to-in-process ratios: per request
(single uploads) and per video under load (wall time / n). Target: overhead under 10%.

    python tests/benchmarks/bench_http.py [--n 20] [--seconds 15] [--size 540x960] [--fps 25]

All requests must succeed (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def prepare_store(default_home: Path, home: Path) -> str:
    """Link every model of ``default_home`` into ``home``; fit a conversion model if none.

    Runs after ``BENTOML_HOME`` points at ``home``: the default store is read from disk.
    """
    from models.conversion import CONVERSION_MODEL
    from tests.service.http.serving import fit_conversion
    from training.conversion_data import DEFAULT_TABLE

    (home / "models").mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in (default_home / "models").iterdir() if p.is_dir())
    for name in names:
        os.symlink(default_home / "models" / name, home / "models" / name)
    served = default_home / "sellscope-served.json"
    if served.is_file():
        (home / served.name).write_text(served.read_text())
    if CONVERSION_MODEL in names:
        return "models linked from the default store (conversion included)"
    tag = fit_conversion({**os.environ, "BENTOML_HOME": str(home)}, DEFAULT_TABLE)
    return f"models linked from the default store; conversion {tag} fitted on {DEFAULT_TABLE.name}"


class InProcess:
    """``score_video`` in this process, with the same models and settings as the server."""

    def __init__(self, video: Path) -> None:
        from service.http.loading import ModelRefs, load_engine

        self.video = video
        self.engine = load_engine(ModelRefs.resolve())
        self.run()  # warm-up

    def run(self) -> float:
        """Seconds of one ``score_video`` call (the report is built but not timed)."""
        from service.pipeline import score_video

        e = self.engine
        t = time.perf_counter()
        scored = score_video(self.video, "en", None, e.evidence, e.scorers, e.options)
        seconds = time.perf_counter() - t
        scored.report().model_dump_json()
        return seconds


class PeakRss:
    """Samples the server's RSS every 0.2 s in a thread."""

    def __init__(self, server) -> None:  # noqa: ANN001 - tests.service.http.serving.Server
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss_bytes())
            time.sleep(0.2)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def post(client, video: Path) -> tuple[float, int, str]:  # noqa: ANN001 - httpx.Client
    """One upload to /score: (seconds, status, error text)."""
    t = time.perf_counter()
    try:
        r = client.post(
            "/score", files={"video": (video.name, video.read_bytes(), "video/mp4")},
            data={"language": "en"},
        )  # fmt: skip
        status, text = r.status_code, "" if r.status_code == 200 else r.text[:300]
    except Exception as e:  # noqa: BLE001 - a failed request is a result here
        status, text = 0, f"{type(e).__name__}: {e}"
    return time.perf_counter() - t, status, text


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1), nearest rank."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when any request failed."""
    ap = argparse.ArgumentParser(prog="bench_http.py")
    ap.add_argument("--n", type=int, default=20, help="concurrent uploads (default 20)")
    ap.add_argument("--seconds", type=float, default=15.0, help="video length (default 15)")
    ap.add_argument("--size", default="540x960", help="video size WxH (default 540x960)")
    ap.add_argument("--fps", type=float, default=25.0)
    ap.add_argument("--repeat", type=int, default=5, help="single runs to take the median of")
    ap.add_argument("--threads", default="2", help="SELLSCOPE_THREADS (default 2)")
    ap.add_argument(
        "--omp", default="1", help="OMP_NUM_THREADS of both sides (default 1: on a busy "
        "machine OpenMP's spinning threads slow torch and sklearn several times)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    try:
        return run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the store holds links only


def run(args: argparse.Namespace, work: Path) -> int:
    """The benchmark in the scratch folder ``work``."""
    size = tuple(int(x) for x in args.size.split("x"))
    home = work / "bentoml"
    default_home = Path(os.environ.get("BENTOML_HOME", Path.home() / "bentoml"))
    # both sides use the same store and thread count; set before bentoml reads them
    os.environ.update(
        BENTOML_HOME=str(home), SELLSCOPE_THREADS=args.threads, OMP_NUM_THREADS=args.omp
    )
    import httpx

    from tests.benchmarks.bench_batch import make_videos
    from tests.service.http.serving import running_server

    print(prepare_store(default_home, home), flush=True)
    (video,) = make_videos(1, args.seconds, size, args.fps, seed=7)
    local = InProcess(video)

    env = {"SELLSCOPE_THREADS": args.threads, "SELLSCOPE_MAX_UPLOAD_MB": "200"}
    with running_server(home, work / "server", env) as server, httpx.Client(
        base_url=server.url, timeout=3600, limits=httpx.Limits(max_connections=args.n + 4)
    ) as client:  # fmt: skip
        post(client, video)  # warm-up (first request pays for lazy imports)
        # alternate the two so a change in the machine's load hits both alike
        singles, in_process = [], []
        for _ in range(args.repeat):
            in_process.append(local.run())
            singles.append(post(client, video))
        t_score = statistics.median(in_process)
        t_single = statistics.median(r[0] for r in singles)
        pairs = ", ".join(f"{a:.1f}/{b[0]:.1f}" for a, b in zip(in_process, singles, strict=True))
        print(f"in-process / served seconds, alternated: {pairs}", flush=True)
        with PeakRss(server) as rss:
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.n) as pool:
                results = list(pool.map(lambda _: post(client, video), range(args.n)))
            wall = time.perf_counter() - t0
        idle_rss = server.rss_bytes()

    failed = [r for r in singles + results if r[1] != 200]
    latencies = [r[0] for r in results]
    print(f"\n{args.n} concurrent uploads of a {args.seconds:g} s {args.size} video, 1 worker")
    print(f"  succeeded          {args.n - sum(r[1] != 200 for r in results)}/{args.n}")
    print(f"  wall               {wall:.1f} s, throughput {args.n / wall * 60:.1f} videos/min")
    print(f"  latency            p50 {pct(latencies, 0.5):.1f} s, p95 {pct(latencies, 0.95):.1f} s,"
          f" max {max(latencies):.1f} s")  # fmt: skip
    print(f"  server peak RSS    {rss.peak / 2**30:.2f} GiB (after: {idle_rss / 2**30:.2f} GiB)")
    print(f"  single request     {t_single:.2f} s served vs {t_score:.2f} s in-process: "
          f"ratio {t_single / t_score:.3f}")  # fmt: skip
    print(f"  per video, loaded  {wall / args.n:.2f} s served vs {t_score:.2f} s in-process: "
          f"ratio {wall / args.n / t_score:.3f} (target < 1.10)")  # fmt: skip
    for r in failed[:5]:
        print(f"  FAILED: status {r[1]}: {r[2]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
