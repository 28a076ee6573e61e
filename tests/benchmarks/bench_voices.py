"""Benchmark: is the synthetic speech heard as what it says? (espeak-ng -> Whisper base)

The synthetic videos (``training.synth``) speak their scripts with espeak-ng. Everything the
benchmarks measure from speech (hook, selling points, seed / sell, CTA) depends on Whisper
hearing those lines; where it cannot, a benchmark measures the voice, not sellscope. For
each language this speaks test-split seed-corpus lines with the generator's voice,
transcribes them as the pipeline does, and prints the mean character similarity of
transcript and line (normalised text; 1.0 = every character heard).

    python tests/benchmarks/bench_voices.py [--n 8] [--langs zh en th]
"""

from __future__ import annotations

import argparse
import sys
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    import opencc

    from service.evidence.onscreen_text import normalise_text
    from service.evidence.speech import transcribe
    from service.extract import EvidenceModels
    from training.render import to_16k
    from training.seed_corpus import load_items
    from training.synth import VOICES, espeak_executable, speak

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--langs", nargs="+", default=list(VOICES))
    ap.add_argument("--n", type=int, default=8, help="lines per language")
    args = ap.parse_args(argv)

    models = EvidenceModels.from_store()
    exe = espeak_executable()
    t2s = opencc.OpenCC("t2s")
    items = [it for it in load_items() if it.split == "test" and it.source == "speech"]
    print(f"{'lang':>5} {'voice':>16} {'lines':>6} {'similarity':>11} {'worst':>6}")
    for lang in args.langs:
        lines = [it.text for it in items if it.lang == lang][: args.n]
        sims = []
        for line in lines:
            samples, rate = speak(line, VOICES[lang], 160, 50, exe)
            heard = transcribe(to_16k(samples, rate), models.asr, language=lang)
            text = "".join(s.text for s in heard.segments)
            text = t2s.convert(text) if lang == "zh" else text
            a, b = normalise_text(line), normalise_text(text)
            sims.append(SequenceMatcher(None, a, b).ratio())
        print(f"{lang:>5} {VOICES[lang]:>16} {len(sims):6d} {np.mean(sims):11.2f} "
              f"{min(sims):6.2f}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
