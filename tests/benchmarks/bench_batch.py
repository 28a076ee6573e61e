"""Benchmark: batch scoring throughput, scaling and memory on synthetic 30 s videos.

Renders ``--n`` synthetic product videos (``training.synth``, 540x960, speech, captions),
cut to ``--seconds`` each, and scores them with ``run_batch``: the local engine with 1 and
2 workers and the Ray engine, each with an empty evidence cache (so every video is really
extracted). Prints, per run: videos per minute (wall, model loading included, and steady:
first to last finished row), peak RSS of the whole process tree (the batch process, its
workers, Ray's processes; shared pages counted in each process), and the cost of a video
relative to scoring one in-process with ``score_video`` (models loaded once, not counted).
Scaling efficiency is the 2-worker rate over twice the 1-worker rate.

    python tests/benchmarks/bench_batch.py [--n 20] [--seconds 30] [--runs local1 local2 ray]

Videos are kept in ``out/bench_batch/`` (same seed, same videos).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RUNS = {"local1": ("local", 1), "local2": ("local", 2), "ray": ("ray", 2)}


def trim(src: Path, dst: Path, seconds: float) -> None:
    """Copy the first ``seconds`` of a video without re-encoding (packets before the cut)."""
    import av

    tmp = dst.with_name(f".{dst.name}.tmp")  # hidden: a killed run leaves no half video
    with av.open(str(src)) as inp, av.open(str(tmp), "w", format="mp4") as out:
        streams = {
            s.index: out.add_stream_from_template(s)
            for s in inp.streams
            if s.type in ("video", "audio")
        }
        for pkt in inp.demux(*[inp.streams[i] for i in streams]):
            if pkt.dts is None or pkt.pts is None or float(pkt.pts * pkt.time_base) >= seconds:
                continue
            pkt.stream = streams[pkt.stream.index]
            out.mux(pkt)
    tmp.replace(dst)


def make_videos(n: int, seconds: float, size: tuple[int, int], fps: float, seed: int) -> list[Path]:
    """``n`` synth videos of at least ``seconds``, cut to ``seconds`` (cached on disk)."""
    from service.media import probe
    from training.synth import synth_videos

    folder = ROOT / "out" / "bench_batch" / f"{size[0]}x{size[1]}-{fps:g}fps-{seconds:g}s-s{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    have = sorted(folder.glob("*.mp4"))
    batch, round_ = max(4, n // 2), 0
    while len(have) < n:
        raw = folder / "raw" / f"r{round_}"
        made = synth_videos(batch, "en", "test", raw, seed=seed * 100 + round_, size=size, fps=fps)
        for v in made:
            if len(have) < n and v.truth.video.duration_s >= seconds:
                trim(v.video_path, folder / v.video_path.name, seconds)
                have.append(folder / v.video_path.name)
        round_ += 1
        print(f"  {len(have)}/{n} videos of {seconds:g} s", flush=True)
    shutil.rmtree(folder / "raw", ignore_errors=True)
    have = sorted(have)[:n]
    durations = [probe(p).duration_s for p in have]
    print(
        f"{n} videos, {size[0]}x{size[1]} {fps:g} fps, {min(durations):.1f}-{max(durations):.1f} s"
    )
    return have


class TreeRss:
    """Samples the RSS of this process and all its descendants; keeps the peak."""

    def __init__(self, every_s: float = 0.25) -> None:
        import psutil

        self.me, self.every, self.peak = psutil.Process(), every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        import psutil

        total = 0
        for p in [self.me, *self.me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # it ended between the listing and now
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.every)

    def __enter__(self) -> TreeRss:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class Figures:
    name: str
    videos: int
    scored: int
    wall_s: float
    steady_rate: float  # videos/min between the first and the last finished row
    peak_gb: float

    @property
    def rate(self) -> float:
        return self.videos / self.wall_s * 60


def baseline(videos: list[Path], k: int) -> tuple[float, float]:
    """Seconds per video of ``score_video`` in this process, models loaded once: as it is,
    and with the conversion model on one OpenMP thread as the batch workers have it."""
    from dataclasses import replace

    from service.batch.work import SerialConversion
    from service.extract import EvidenceModels
    from service.pipeline import Scorers, score_video

    models, plain = EvidenceModels.from_store(), Scorers.from_store()
    serial = replace(plain, conversion=SerialConversion(plain.conversion))
    score_video(videos[0], "en", models=models, scorers=plain)  # warm-up: first-call costs
    took = {"plain": 0.0, "serial": 0.0}
    for v in videos[1 : 1 + k]:
        for name, scorers in (("plain", plain), ("serial", serial)):
            t = time.perf_counter()
            score_video(v, "en", models=models, scorers=scorers)
            took[name] += time.perf_counter() - t
    return took["plain"] / k, took["serial"] / k


def run(name: str, videos: list[Path], folder: Path) -> Figures:
    from service.batch.run import run_batch

    engine, workers = RUNS[name]
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, TreeRss() as rss:
        t0 = time.perf_counter()
        s = run_batch(
            folder, Path(tmp) / "results.parquet", workers=workers, engine=engine,
            language="en", cache=Path(tmp) / "cache",
            progress=lambda p: times.append(time.perf_counter()),
        )  # fmt: skip
        wall = time.perf_counter() - t0
    steady = (len(times) - 1) / (times[-1] - times[0]) * 60 if len(times) > 1 else 0.0
    fig = Figures(name, len(videos), s.scored, wall, steady, rss.peak / 2**30)
    load = os.getloadavg()[1]  # other work on the machine makes every figure slower
    print(
        f"{name:7s} {engine:5s} x{workers}: {fig.scored}/{fig.videos} scored in {wall:6.1f} s = "
        f"{fig.rate:5.2f} videos/min (steady {steady:5.2f}), peak RSS {fig.peak_gb:5.2f} GB, "
        f"load average {load:.1f}",
        flush=True,
    )
    return fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--size", default="540x960")
    ap.add_argument("--fps", type=float, default=15.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", type=int, default=3, help="videos scored in-process")
    ap.add_argument("--runs", nargs="+", default=list(RUNS), choices=list(RUNS))
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))

    t = time.perf_counter()
    videos = make_videos(args.n, args.seconds, (w, h), args.fps, args.seed)
    print(f"videos ready in {time.perf_counter() - t:.0f} s; {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "videos"
        folder.mkdir()
        for v in videos:
            (folder / v.name).symlink_to(v)
        figs = {name: run(name, videos, folder) for name in args.runs}
    # last: the models it loads here would count in the process tree of the runs
    per_video, per_video_serial = baseline(videos, args.baseline)
    print(f"in-process score_video: {per_video:.2f} s/video ({60 / per_video:.2f} videos/min); "
          f"conversion on one OpenMP thread: {per_video_serial:.2f} s/video")  # fmt: skip
    print("\nrun      videos/min  steady  s/video  vs in-process  (vs serial)  peak RSS GB")
    for f in figs.values():
        cost = f.wall_s / f.videos
        rel, rel_serial = cost / per_video, cost / per_video_serial
        print(f"{f.name:8s} {f.rate:10.2f} {f.steady_rate:7.2f} {cost:8.2f} "
              f"{rel:14.2f} {rel_serial:12.2f} {f.peak_gb:12.2f}")  # fmt: skip
    if "local1" in figs and "local2" in figs:
        eff = figs["local2"].rate / (2 * figs["local1"].rate)
        steady = figs["local2"].steady_rate / (2 * figs["local1"].steady_rate)
        print(f"scaling efficiency 1 -> 2 workers: {eff:.0%} (steady {steady:.0%})")


if __name__ == "__main__":
    main()
