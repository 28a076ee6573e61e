"""The synthetic-outcomes features table the default conversion model is fitted on.

Real shop outcomes are not available to the project, so the default conversion model is
fitted on synthetic videos (``training.synth``) whose outcomes come from the documented
outcome model (datasets/SYNTH.md). The table holds what the *real pipeline* saw in each
video (features from the real extraction and the fine-tuned heads), its simulated outcome,
and the oracle's true conversion rate, so fitting the model at set-up takes seconds
instead of re-rendering and re-extracting hundreds of videos.

The videos' lines come from the seed corpus's **dev** split: the heads were not trained on
them (dev only fitted their temperatures), so the scores in the table are as noisy as on
new videos. The benchmark evaluates on **test**-split videos. Each seed renders other
videos (scripts, offers, creators) from the same lines; the shipped table has two:

    python -m training.conversion_data --split dev --n 25 --seed 21 22 \\
        --out datasets/conversion/synth_dev.csv.gz
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TABLE = ROOT / "datasets" / "conversion" / "synth_dev.csv.gz"
RENDER_SIZE = (360, 640)
RENDER_FPS = 10.0
OUTCOME_COLUMNS = (
    "video", "lang", "split", "creator_id", "product_id", "product_name", "category", "price",
    "currency", "views", "orders", "gmv", "true_cvr", "planted_flaws", "heads",
)  # fmt: skip


def render(split: str, langs: list[str], n: int, seed: int, root: Path) -> list[tuple[Path, Path]]:
    """Render (or reuse) ``n`` videos per language; return (manifest, folder) per language."""
    from training.synth import synth_videos

    out = []
    for lang in langs:
        folder = root / f"{split}-{lang}-s{seed}"
        manifest = folder / "manifest.csv"
        have = len(list(folder.glob("*.json"))) if folder.is_dir() else 0
        if have < n or not manifest.is_file():
            synth_videos(n, lang, split, folder, seed=seed, size=RENDER_SIZE, fps=RENDER_FPS)
        out.append((manifest, folder))
    return out


def build_table(
    split: str,
    langs: list[str],
    n: int,
    seeds: list[int],
    video_root: Path,
    out: Path,
    workers: int = 2,
    progress=print,  # noqa: ANN001 - Callable[[str], None]
) -> Path:
    """Render, extract, score and write the features table (CSV, gzip): ``n`` videos per
    language and seed."""
    import pandas as pd

    from service.features import FEATURE_NAMES
    from service.pipeline import Scorers
    from training.outcomes import load_manifest
    from training.train_conversion import label_videos

    t0 = time.perf_counter()
    rows, truths = [], {}
    manifests = [m for seed in seeds for m, _ in render(split, langs, n, seed, video_root)]
    for manifest in manifests:
        for r in load_manifest(manifest):
            rows.append(r)
            truths[r.video.name] = json.loads(r.video.with_suffix(".json").read_text("utf-8"))
    progress(f"{len(rows)} videos rendered in {time.perf_counter() - t0:.0f} s")
    scorers = Scorers.from_store()
    videos, failures = label_videos(rows, scorers, workers, progress=progress)
    for v, why in failures:
        progress(f"skipped {v}: {why}")
    records = []
    for v in videos:
        t = truths[v.row.video.name]
        records.append(
            {
                "video": v.row.video.name, "lang": t["video"]["lang"], "split": split,
                "creator_id": v.row.creator_id, "product_id": v.row.product_id,
                "product_name": v.row.product_name, "category": v.row.category,
                "price": v.row.price, "currency": v.row.currency, "views": v.row.views,
                "orders": v.row.orders, "gmv": v.row.gmv,
                "true_cvr": t["outcome"]["true_cvr"],
                "planted_flaws": ",".join(t["planted_flaws"]), "heads": scorers.heads.tag,
                **{f"f_{k}": v.features[k] for k in FEATURE_NAMES},
            }
        )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame.from_records(records).to_csv(out, index=False, float_format="%.6g")
    progress(f"{len(records)} rows -> {out} in {time.perf_counter() - t0:.0f} s")
    return out


def read_table(path: Path):  # noqa: ANN201 - (TrainingRows, pandas.DataFrame)
    """The table as training rows (features, outcomes, creator groups) and its frame."""
    import numpy as np
    import pandas as pd

    from models.conversion import TrainingRows
    from service.errors import InputError
    from service.features import FEATURE_NAMES
    from service.meta import PER_USD

    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot read the features table ({e})") from e
    missing = [f"f_{n}" for n in FEATURE_NAMES if f"f_{n}" not in df.columns]
    if missing:
        raise InputError(
            f"{path}: the table lacks features {missing[:5]}; rebuild it with "
            "`python -m training.conversion_data`"
        )
    rates = df["currency"].map(lambda c: PER_USD.get(str(c).upper(), np.nan))
    rows = TrainingRows(
        x=df[[f"f_{n}" for n in FEATURE_NAMES]].to_numpy(float),
        views=df["views"].to_numpy(float),
        orders=df["orders"].to_numpy(float),
        gmv_usd=(df["gmv"] / rates).to_numpy(float),
        groups=df["creator_id"].astype(str).to_numpy(),
    )
    return rows, df


def main(argv: list[str] | None = None) -> int:
    """Build a features table (see the module docstring)."""
    from service.domain import LANGUAGES

    ap = argparse.ArgumentParser(prog="python -m training.conversion_data")
    ap.add_argument("--split", default="dev", choices=("train", "dev", "test"))
    ap.add_argument("--langs", nargs="+", default=list(LANGUAGES))
    ap.add_argument("--n", type=int, default=30, help="videos per language")
    ap.add_argument("--seed", type=int, nargs="+", default=[21, 22], help="one or more seeds")
    ap.add_argument("--videos", type=Path, default=ROOT / "out" / "synth")
    ap.add_argument("--out", type=Path, default=DEFAULT_TABLE)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    build_table(args.split, args.langs, args.n, args.seed, args.videos, args.out, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
