"""Benchmark: evidence extraction on a 60 s 720x1280 H.264 video with speech and captions.

Prints per-stage seconds, total seconds, real-time factor, peak RSS, and the ratio of the
whole extraction to Whisper transcription alone on the same audio, measured in this run.

    python tests/benchmarks/bench_extract.py [--duration 60] [--speech tests/data/speech/jfk.flac]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from training.render import draw_caption, load_audio, write_video  # noqa: E402

CAPTIONS = [
    "STOP SCROLLING",
    "1200 W MOTOR",
    "ONLY 9.90 TODAY",
    "CRUSHES ICE IN 10 S",
    "DISHWASHER SAFE",
    "2 YEAR WARRANTY",
    "50K SOLD",
    "TAP THE CART",
]
COLOURS = [(40, 60, 90), (90, 40, 40), (40, 90, 50), (80, 80, 20), (60, 20, 80), (20, 70, 90)]


def make_video(path: Path, duration: float, speech: Path) -> Path:
    clip = load_audio(speech)
    gap = np.zeros(8000, np.float32)
    reps = int(np.ceil(duration * 16000 / (len(clip) + len(gap))))
    audio = np.concatenate([np.concatenate([clip, gap]) for _ in range(reps)])[
        : int(duration * 16000)
    ]
    shot_len, cap_len = 4.0, 3.0
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 30, (1280, 720, 3), dtype=np.uint8)

    def frame(i: int, t: float) -> np.ndarray:
        shot = int(t // shot_len)
        img = np.empty((1280, 720, 3), np.uint8)
        img[:] = COLOURS[shot % len(COLOURS)]
        img += noise
        x = int(100 + 300 * ((t % shot_len) / shot_len))  # something moves inside each shot
        img[400:700, x : x + 200] = (200, 200, 200)
        draw_caption(img, CAPTIONS[int(t // cap_len) % len(CAPTIONS)])
        return img

    return write_video(path, frame, duration, size=(720, 1280), fps=30, audio=audio)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--speech", type=Path, default=ROOT / "tests/data/speech/jfk.flac")
    ap.add_argument("--beam-size", type=int, default=5)
    args = ap.parse_args()

    from service.evidence.speech import SpeechOptions, transcribe
    from service.extract import EvidenceModels, ExtractOptions, extract_evidence
    from service.media import decode_audio

    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "bench.mp4"
        t = time.perf_counter()
        make_video(video, args.duration, args.speech)
        took = time.perf_counter() - t
        print(f"generated {args.duration:.0f} s 720x1280 H.264 video in {took:.1f} s")
        t = time.perf_counter()
        models = EvidenceModels.from_store()
        print(f"models loaded in {time.perf_counter() - t:.2f} s (not counted below)")
        options = ExtractOptions(speech=SpeechOptions(beam_size=args.beam_size))
        extract_evidence(video, models=models, options=options)  # warm-up: first-call costs
        t, c = time.perf_counter(), _cpu()
        ev = extract_evidence(video, models=models, options=options)
        total, total_cpu = time.perf_counter() - t, _cpu() - c
        audio = decode_audio(video)
        t, c = time.perf_counter(), _cpu()
        transcribe(audio, models.asr, None, None, options.speech)
        asr_alone, asr_cpu = time.perf_counter() - t, _cpu() - c
        ocr_int8, ocr_fp32, same_reads = _ocr_int8_vs_fp32(video, models.ocr)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print("per-stage seconds (speech runs in parallel with the visual stages):")
    for k, v in ev.stage_seconds.items():
        print(f"  {k:14s} {v:7.2f}")
    print(f"captions {len(ev.captions)}, cuts {len(ev.cuts)}, words {len(ev.transcript.words)}")
    print(f"total extraction      {total:7.2f} s")
    speedup = args.duration / total
    rtf = total / args.duration
    print(f"real-time factor      {rtf:7.3f}  ({speedup:.1f}x faster than real time)")
    print(f"whisper alone         {asr_alone:7.2f} s")
    print(f"ratio total / whisper {total / asr_alone:7.2f}")
    print(f"peak RSS              {peak_gb:7.2f} GB")
    cores = os.cpu_count() or 1
    print(f"CPU seconds: extraction {total_cpu:.2f}, whisper alone {asr_cpu:.2f}; on {cores} "
          f"cores the extraction needs at least {total_cpu / cores:.2f} s, "
          f"{total_cpu / cores / asr_alone:.2f}x whisper alone")  # fmt: skip
    print(f"on-screen text alone, int8 detector    {ocr_int8:6.2f} s")
    print(f"on-screen text alone, float32 detector {ocr_fp32:6.2f} s  "
          f"(int8 {ocr_fp32 / ocr_int8:.2f}x faster; same captions: {same_reads})")  # fmt: skip


def _cpu() -> float:
    """CPU seconds of this process so far, all threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _ocr_int8_vs_fp32(video: Path, int8_engine: object) -> tuple[float, float, bool]:
    """The on-screen text stage alone with the int8 and the float32 detector, same frames."""
    from models import runtime
    from service.evidence.cuts import detect_cuts
    from service.evidence.onscreen_text import changed_frames, read_captions
    from service.media import decode_frames

    v = decode_frames(video)
    cut_times = tuple(c.time_s for c in detect_cuts(v.thumbs, v.thumb_times))
    changed = changed_frames(v.frames, v.frame_times, cut_times)
    os.environ["SELLSCOPE_OCR_INT8"] = "0"
    runtime.ocr.cache_clear()
    fp32_engine = runtime.ocr().model
    del os.environ["SELLSCOPE_OCR_INT8"]
    seconds, reads = [], []
    for engine in (int8_engine, fp32_engine):
        read_captions(v.frames[:4], v.frame_times[:4], engine)  # warm-up
        t = time.perf_counter()
        caps = read_captions(v.frames, v.frame_times, engine, cut_times, v.info.duration_s,
                             changed)  # fmt: skip
        seconds.append(time.perf_counter() - t)
        reads.append([(c.text, c.start_s, c.end_s) for c in caps])
    return seconds[0], seconds[1], reads[0] == reads[1]


if __name__ == "__main__":
    main()
