"""Synthetic product videos whose content and shop outcome are known exactly.

Each video is planned first (hook strength, FABE selling points and which are shown as
captions, when the product appears, the seed/sell mix, the call to action, planted dead
air), then its script is assembled from seed-corpus lines of one language and one split
(never another split, so a test-split video holds no line a model trained on), spoken by
espeak-ng, drawn (backgrounds that change at cuts, a drawn product, captions) and encoded
as H.264 + AAC. Next to ``<name>.mp4`` goes ``<name>.json``, the ground truth, and the run
writes ``manifest.csv`` in the labelled-outcomes format (``training/outcomes.py``) with
views and orders drawn by the outcome model of ``training/synth_outcome.py``.

Definitions used in the ground truth:
    product_first_shown_s: the first frame the drawn product is on screen (a cut).
    product_first_named_s: the start of the first selling-point line (FABE role other than
        none), or null when the script has none: the corpus lines are generic, so the
        first selling point is where the script first talks about the product itself.
    seed_share / sell_share: shares of seed and sell lines (intent-task lines, CTA lines by
        their own intent) among seed + sell lines, by spoken duration; hook and selling
        point lines carry no intent label and are left out.
    dead_air: silences of 1.5 s or more between two lines (planted, so known exactly).

Same ``seed`` -> same plans, scripts, timings, pictures and outcomes: every random draw
comes from a numpy Generator seeded from ``(seed, index)``.

    python -m training.synth --n 6 --lang id --split test --out /tmp/synth_id
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from training.seed_corpus import SEED_DIR, SPLITS, TASKS, SeedItem, item_from_record
from training.synth_draw import (
    TEXTURES,
    CaptionLook,
    FrameRenderer,
    ShotLook,
    Storyboard,
    SynthError,
    clean_text,
    person_look,
    product_look,
    random_colour,
)
from training.synth_outcome import (
    FABE,
    ContentFeatures,
    Offer,
    Outcome,
    creator_record,
    draw_price,
    simulate_outcome,
)

__all__ = [
    "FLAWS",
    "GroundTruth",
    "SynthError",
    "SynthVideo",
    "add_synth_command",
    "plan_for",
    "synth_videos",
]

# espeak-ng 1.51's plain "cmn" voice reads the pinyin it makes of Chinese characters with
# English rules, tone digits included ("ni three men five ..."): Whisper hears numbers.
# "cmn-latn-pinyin" reads the same characters as Mandarin syllables.
VOICES = {
    "zh": "cmn-latn-pinyin",
    "en": "en-us",
    "id": "id",
    "fr": "fr-fr",
    "fi": "fi",
    "es": "es-419",
    "vi": "vi",
    "th": "th",
}
DEFAULT_SIZE = (720, 1280)
DEFAULT_FPS = 25.0
FLAWS = (
    "weak_hook",
    "product_too_late",
    "no_clear_selling_point",
    "selling_point_not_shown",
    "all_seed_no_cta",
    "hard_sell_too_early",
    "dead_air",
)
P_CLEAN = 0.15  # share of videos planned with no flaw at all
# Otherwise each flaw is planted independently with this probability. Two flaws can only be
# planted in some videos (selling_point_not_shown needs a selling point, hard_sell_too_early
# a sell line), so they are drawn more often: every flaw ends up in about 33-36% of videos.
P_FLAW: dict[str, float] = {
    "weak_hook": 0.42,
    "product_too_late": 0.42,
    "no_clear_selling_point": 0.42,
    "selling_point_not_shown": 0.6,
    "all_seed_no_cta": 0.42,
    "hard_sell_too_early": 0.6,
    "dead_air": 0.42,
}
PRODUCT_LATE_S = 6.0  # first shown after this: product_too_late
PRODUCT_LATE_RANGE_S = (6.5, 9.5)
PRODUCT_EARLY_MAX_S = 2.0
DEAD_AIR_MIN_S = 1.5
DEAD_AIR_RANGE_S = (1.5, 3.0)
GAP_S = (0.2, 0.6)
LEAD_S = (0.15, 0.4)
TAIL_S = (0.6, 1.2)
CUT_EVERY_S = (2.0, 5.0)
CAPTION_HOLD_S = 0.3  # a caption stays this long after its line (never into the next)
HOOK_WINDOW_MIN_S = 3.0
SPEED_WPM = (150, 175)
PITCH = (35, 65)
N_CREATORS = 8  # per language: creators repeat across videos
N_PRODUCTS = 4  # per category
SILENCE = 0.01  # amplitude below which espeak's leading and trailing samples are trimmed
MANIFEST_COLUMNS = (
    "video",
    "views",
    "orders",
    "gmv",
    "price",
    "currency",
    "category",
    "creator_id",
    "creator_followers",
    "creator_cvr",
    "product_id",
    "product_name",
    "language",
)


# ---------------------------------------------------------------- ground truth


@dataclass(frozen=True)
class ScriptLine:
    """One spoken line: what was said, from which corpus item, when, and if it was shown."""

    text: str  # the corpus text
    spoken_text: str  # what espeak-ng read and a caption shows (emoji and symbols removed)
    kind: str  # hook, selling_point, praise, seed, sell, cta, neutral
    task: str
    item_id: str
    labels: dict
    intent: str | None  # the intent label for intent-task lines, else None
    start_s: float
    end_s: float
    shown_on_screen: bool
    caption_start_s: float | None
    caption_end_s: float | None


@dataclass(frozen=True)
class HookTruth:
    """The opening line; ``window_s`` is [0, max(end of the line, 3.0)]."""

    text: str
    strength: str
    type: str
    window_s: tuple[float, float]
    item_id: str


@dataclass(frozen=True)
class SellingPointTruth:
    """A selling point said (FABE role other than none)."""

    text: str
    role: str
    start_s: float
    end_s: float
    shown: bool
    item_id: str


@dataclass(frozen=True)
class VideoFacts:
    """Facts about the file and the offer."""

    file: str
    duration_s: float
    width: int
    height: int
    fps: float
    lang: str
    split: str
    category: str
    price: float
    currency: str
    creator_id: str
    creator_followers: int  # the creator's public record (synth_outcome.creator_record)
    creator_cvr: float
    product_id: str
    product_label: str
    voice: str
    speed_wpm: int
    pitch: int
    seed: int
    index: int


@dataclass(frozen=True)
class Plan:
    """The content attributes a video was planned with (the script may fall short of a
    plan when the corpus split has no fitting item; the flaws are read from the result)."""

    hook_strength: str
    sp_roles: tuple[str, ...]
    sp_shown: tuple[bool, ...]
    hook_caption: bool
    product_first_shown_s: float
    n_seed: int
    n_sell: int
    hard_sell_early: bool
    cta: bool
    cta_at_end: bool
    neutral: bool
    praise: bool
    dead_air_s: float | None
    person: bool


@dataclass(frozen=True)
class GroundTruth:
    """Everything known about one synthetic video (``<name>.json``)."""

    video: VideoFacts
    lines: tuple[ScriptLine, ...]
    hook: HookTruth
    selling_points: tuple[SellingPointTruth, ...]
    intents: tuple[str | None, ...]
    seed_share: float | None
    sell_share: float | None
    cta_time_s: float | None
    product_first_shown_s: float
    product_first_named_s: float | None
    product_visible: tuple[tuple[float, float], ...]
    cuts: tuple[float, ...]
    dead_air: tuple[tuple[float, float], ...]
    planted_flaws: tuple[str, ...]
    outcome: Outcome
    plan: Plan

    def to_json(self) -> str:
        """The ground truth as JSON (UTF-8 text, not ASCII-escaped)."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)


@dataclass(frozen=True)
class SynthVideo:
    """One rendered video and its ground truth."""

    name: str
    video_path: Path
    truth_path: Path
    truth: GroundTruth
    seconds: float = field(default=0.0, compare=False)  # time taken to make it


# ---------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Corpus:
    """The seed items of one language and one split, by task."""

    lang: str
    split: str
    items: dict[str, tuple[SeedItem, ...]]

    @classmethod
    def load(cls, root: Path, lang: str, split: str) -> Corpus:
        """Read ``<root>/<task>/<lang>.jsonl`` for every task, keeping only ``split``.

        Only this language's files are read, so files of other languages that are being
        written meanwhile do not matter.

        Raises:
            SynthError: a task has no usable item of this language and split.
        """
        items: dict[str, tuple[SeedItem, ...]] = {}
        for task in TASKS:
            path = Path(root) / task / f"{lang}.jsonl"
            found = [
                it
                for it in _read_items(path, task)
                if it.lang == lang
                and it.split == split
                and any(ch.isalnum() for ch in clean_text(it.text))
            ]
            if not found:
                raise SynthError(
                    f"no '{task}' items of language '{lang}' in split '{split}' under {root} "
                    f"(looked in {path}); write them or choose another language or split"
                )
            items[task] = tuple(found)
        return cls(lang, split, items)


def _read_items(path: Path, task: str) -> list[SeedItem]:
    if not path.is_file():
        return []
    out: list[SeedItem] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise SynthError(f"{path}, line {n}: not valid JSON ({e})") from e
        out.append(item_from_record(d, task))
    return out


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class Slot:
    """A line chosen for the script, before it is spoken."""

    item: SeedItem
    kind: str
    shown: bool


def plan_video(rng: np.random.Generator) -> Plan:
    """Draw the content attributes; each flaw is planted in about a third of the videos,
    and about 15% of the videos are planned without any flaw."""
    clean = rng.random() < P_CLEAN
    want = {code: (not clean) and bool(rng.random() < P_FLAW[code]) for code in FLAWS}
    n_sp = 0 if want["no_clear_selling_point"] else int(rng.integers(1, 5))
    roles = tuple(str(r) for r in rng.choice(FABE, size=n_sp, p=(0.3, 0.25, 0.25, 0.2)))
    if want["selling_point_not_shown"]:
        shown = (False,) * n_sp
    else:
        shown = tuple(bool(rng.random() < 0.6) for _ in range(n_sp))
        if n_sp and not any(shown):
            shown = (True,) + shown[1:]
    if want["product_too_late"]:
        first_shown = float(rng.uniform(*PRODUCT_LATE_RANGE_S))
    else:
        first_shown = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.4, PRODUCT_EARLY_MAX_S))
    if want["all_seed_no_cta"]:
        n_sell, cta = 0, False
    else:
        n_sell, cta = int(rng.integers(0, 3)), bool(rng.random() < 0.75)
        cta = cta or n_sell == 0
    hard_early = want["hard_sell_too_early"] and not want["all_seed_no_cta"]
    if hard_early:
        n_sell = max(1, n_sell)
    return Plan(
        hook_strength="weak" if want["weak_hook"] else "strong",
        sp_roles=roles,
        sp_shown=shown,
        hook_caption=bool(rng.random() < 0.5),
        product_first_shown_s=round(first_shown, 3),
        n_seed=int(rng.integers(1, 4)),
        n_sell=n_sell,
        hard_sell_early=hard_early,
        cta=cta,
        cta_at_end=bool(rng.random() < 0.7),
        neutral=bool(rng.random() < 0.4),
        praise=bool(rng.random() < 0.25),
        dead_air_s=round(float(rng.uniform(*DEAD_AIR_RANGE_S)), 3) if want["dead_air"] else None,
        person=bool(rng.random() < 0.6),
    )


def video_rngs(
    seed: int, index: int
) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator]:
    """The generators of video ``index`` of a run: plan and script, layout, outcome."""
    plan_rng, layout_rng, outcome_rng = np.random.SeedSequence([seed, index]).spawn(3)
    return (
        np.random.default_rng(plan_rng),
        np.random.default_rng(layout_rng),
        np.random.default_rng(outcome_rng),
    )


def plan_for(seed: int, index: int) -> Plan:
    """The plan video ``index`` of a run with ``seed`` gets (without rendering it)."""
    return plan_video(video_rngs(seed, index)[0])


def _pick(
    rng: np.random.Generator,
    items: tuple[SeedItem, ...],
    used: set[str],
    want: Callable[[SeedItem], bool],
    category: str,
) -> SeedItem | None:
    """An unused item that ``want`` accepts, preferring the category and spoken lines."""
    cands = [it for it in items if it.id not in used and want(it)]
    tiers = (
        [c for c in cands if c.category == category and c.source == "speech"],
        [c for c in cands if c.category == category],
        [c for c in cands if c.source == "speech"],
        cands,
    )
    tier = next((t for t in tiers if t), None)
    if tier is None:
        return None
    item = tier[int(rng.integers(len(tier)))]
    used.add(item.id)
    return item


def _intent_is(intent: str, cta: bool) -> Callable[[SeedItem], bool]:
    return lambda it: it.labels.get("intent") == intent and bool(it.labels.get("cta")) == cta


def _is_praise(it: SeedItem) -> bool:
    return (
        it.labels.get("role") == "none"
        and it.labels.get("intent") in ("seed", "neutral")
        and not it.labels.get("cta")
    )


def assemble_script(
    plan: Plan, corpus: Corpus, category: str, rng: np.random.Generator
) -> list[Slot]:
    """Choose and order the lines: hook first; selling points, seed lines and fillers mixed;
    sell lines and the call to action toward the end (a hard sell right after the hook when
    planted). Each corpus item is used at most once."""
    used: set[str] = set()
    hooks, sps, intents = (corpus.items[t] for t in ("hook", "selling_point", "intent"))
    hook = _pick(
        rng, hooks, used, lambda it: it.labels.get("strength") == plan.hook_strength, category
    ) or _pick(rng, hooks, used, lambda it: True, category)
    if hook is None:  # Corpus.load guarantees at least one hook
        raise SynthError(f"no hook line for {corpus.lang}/{corpus.split}")
    body: list[Slot] = []
    for role, shown in zip(plan.sp_roles, plan.sp_shown, strict=True):
        it = _pick(rng, sps, used, lambda x, r=role: x.labels.get("role") == r, category)
        it = it or _pick(rng, sps, used, lambda x: x.labels.get("role") in FABE, category)
        if it is not None:
            body.append(Slot(it, "selling_point", shown))
    extras = [("seed", _intent_is("seed", False), intents)] * plan.n_seed
    if plan.praise:
        # filler with no FABE role that neither sells nor asks to act: a price or CTA
        # line here would be a sell or a CTA the truth does not plan
        extras.append(("praise", _is_praise, sps))
    if plan.neutral:
        extras.append(("neutral", _intent_is("neutral", False), intents))
    for kind, want, pool in extras:
        it = _pick(rng, pool, used, want, category)
        if it is not None:
            body.append(Slot(it, kind, False))
    body = [body[int(i)] for i in rng.permutation(len(body))]
    tail: list[Slot] = []
    for _ in range(plan.n_sell):
        it = _pick(rng, intents, used, _intent_is("sell", False), category)
        if it is not None:
            tail.append(Slot(it, "sell", False))
    if plan.hard_sell_early and tail:
        body.insert(0, tail.pop(0))
    if plan.cta:
        it = _pick(rng, intents, used, lambda x: bool(x.labels.get("cta")), category)
        if it is not None:
            cta = Slot(it, "cta", False)
            if plan.cta_at_end or len(body) < 2:
                tail.append(cta)
            else:
                body.insert(int(rng.integers(1, len(body))), cta)
    return [Slot(hook, "hook", plan.hook_caption), *body, *tail]


# ---------------------------------------------------------------- speech


def espeak_executable() -> str:
    """The espeak-ng program.

    Raises:
        SynthError: it is not installed.
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SynthError("espeak-ng is not installed; run make setup")
    return exe


def speak(text: str, voice: str, speed: int, pitch: int, exe: str) -> tuple[np.ndarray, int]:
    """Speak a line with espeak-ng; return float32 samples (silence trimmed) and the rate."""
    with tempfile.TemporaryDirectory(prefix="synth-tts-") as d:
        out = Path(d) / "line.wav"
        cmd = [
            exe,
            "-v",
            voice,
            "-s",
            str(speed),
            "-p",
            str(pitch),
            "-z",
            "--stdin",
            "-w",
            str(out),
        ]
        try:
            subprocess.run(
                cmd, input=text.encode("utf-8"), capture_output=True, check=True, timeout=120
            )
        except subprocess.CalledProcessError as e:
            msg = e.stderr.decode("utf-8", "replace").strip()
            raise SynthError(f"espeak-ng failed on {text[:40]!r} (voice {voice}): {msg}") from e
        with wave.open(str(out), "rb") as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(w.getnframes())
    if width != 2:
        raise SynthError(f"espeak-ng wrote {8 * width}-bit audio; 16-bit expected")
    x = np.frombuffer(raw, np.int16).reshape(-1, channels).mean(axis=1) / 32768.0
    return trim_silence(x.astype(np.float32), rate), rate


def trim_silence(x: np.ndarray, rate: int) -> np.ndarray:
    """Drop leading and trailing silence, keeping 10 ms before and 30 ms after the speech."""
    loud = np.flatnonzero(np.abs(x) > SILENCE)
    if loud.size == 0:
        return x[:0]
    a = max(0, int(loud[0]) - rate // 100)
    b = min(x.size, int(loud[-1]) + 3 * rate // 100)
    return x[a:b]


@dataclass(frozen=True)
class Timeline:
    """Sample-exact placement of the spoken lines."""

    audio: np.ndarray
    rate: int
    spans: tuple[tuple[float, float], ...]
    dead_air: tuple[tuple[float, float], ...]


def lay_out(
    clips: list[np.ndarray], rate: int, plan: Plan, min_end_s: float, rng: np.random.Generator
) -> Timeline:
    """Place lines one after another with 0.2-0.6 s gaps and the planted dead air.

    Args:
        clips: each line's samples.
        rate: sample rate.
        plan: where the dead air goes comes from it (after a middle line).
        min_end_s: the audio lasts at least this long (silence at the end).
        rng: the video's generator.
    """
    n = len(clips)
    dead_after = None
    if plan.dead_air_s is not None and n >= 2:
        dead_after = int(rng.integers(1, n - 1)) if n >= 3 else 0
    pos = int(rng.uniform(*LEAD_S) * rate)
    spans: list[tuple[int, int]] = []
    dead: list[tuple[int, int]] = []
    for k, clip in enumerate(clips):
        spans.append((pos, pos + clip.size))
        pos += clip.size
        if k == n - 1:
            break
        if k == dead_after:
            gap = int(plan.dead_air_s * rate)  # type: ignore[operator]
            dead.append((pos, pos + gap))
        else:
            gap = int(rng.uniform(*GAP_S) * rate)
        pos += gap
    end = max(pos + int(rng.uniform(*TAIL_S) * rate), int(min_end_s * rate))
    audio = np.zeros(end, np.float32)
    for (a, b), clip in zip(spans, clips, strict=True):
        audio[a:b] = clip
    return Timeline(
        audio=audio,
        rate=rate,
        spans=tuple((a / rate, b / rate) for a, b in spans),
        dead_air=tuple((a / rate, b / rate) for a, b in dead),
    )


def aac_safe_length(n: int, rate: int) -> int:
    """``n`` rounded up so the audio fills whole 1024-sample AAC frames at 44.1 kHz.

    ``training.render.write_video`` leaves the encoder to make up audio timestamps; when the
    last AAC frame is partial, the mp4 muxer sometimes gets a repeated timestamp and fails
    ("non monotonically increasing dts", about 1 length in 40). Whole frames avoid it; the
    audio then outlasts the pictures by less than 1024 / 44100 s (23 ms).
    """
    block = 1024 * rate / 44100
    if block != int(block):
        return n
    return math.ceil(n / int(block)) * int(block)


# ---------------------------------------------------------------- pictures


def plan_cuts(
    duration: float, product_s: float, fps: float, rng: np.random.Generator
) -> list[float]:
    """Cut times every 2-5 s, one of them where the product first appears (frame times)."""
    cuts: list[float] = []
    t = 0.0
    while True:
        t += float(rng.uniform(*CUT_EVERY_S))
        if t > duration - 1.0:
            break
        cuts.append(t)
    if product_s > 0:
        near = [c for c in cuts if abs(c - product_s) < CUT_EVERY_S[0]]
        if near:
            cuts.remove(min(near, key=lambda c: abs(c - product_s)))
        cuts = [c for c in cuts if abs(c - product_s) >= 0.8] + [product_s]
    frames = sorted({int(round(c * fps)) for c in cuts if 0 < c < duration})
    return [f / fps for f in frames]


def plan_shots(
    cuts: list[float], product_s: float, plan: Plan, rng: np.random.Generator
) -> tuple[ShotLook, ...]:
    """One look per shot; the product is in the shot that starts at its first appearance and
    in most later shots."""
    shots: list[ShotLook] = []
    product_seen = False
    for start in [0.0, *cuts]:
        on = start >= product_s - 1e-9 and (not product_seen or rng.random() < 0.8)
        product_seen = product_seen or start >= product_s - 1e-9
        shots.append(
            ShotLook(
                start_s=start,
                top=random_colour(rng, (0.15, 0.6), (0.6, 0.95)),
                bottom=random_colour(rng, (0.2, 0.7), (0.3, 0.8)),
                texture=str(rng.choice(TEXTURES)),
                texture_seed=int(rng.integers(1 << 30)),
                product=bool(on),
                product_xy=(float(rng.uniform(0.4, 0.6)), float(rng.uniform(0.38, 0.48))),
                product_scale=float(rng.uniform(0.85, 1.2)),
                person=plan.person and bool(rng.random() < 0.6),
                person_left=bool(rng.random() < 0.5),
            )
        )
    return tuple(shots)


def product_spans(shots: tuple[ShotLook, ...], duration: float) -> tuple[tuple[float, float], ...]:
    """Time spans with the product on screen (consecutive product shots merged)."""
    spans: list[tuple[float, float]] = []
    for k, s in enumerate(shots):
        end = shots[k + 1].start_s if k + 1 < len(shots) else duration
        if not s.product:
            continue
        if spans and abs(spans[-1][1] - s.start_s) < 1e-9:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((s.start_s, end))
    return tuple(spans)


def caption_frames(spans: tuple[tuple[float, float], ...], k: int, fps: float) -> tuple[int, int]:
    """Frames ``[first, end)`` of line ``k``'s caption: from its start to CAPTION_HOLD_S after
    its end, never into the next line."""
    start, end = spans[k]
    hold = end + CAPTION_HOLD_S
    if k + 1 < len(spans):
        hold = min(hold, spans[k + 1][0])
    first = math.ceil(start * fps - 1e-6)
    last = max(first + 1, math.ceil(hold * fps - 1e-6))
    return first, last


# ---------------------------------------------------------------- truth


def _r(x: float) -> float:
    return round(float(x), 3)


def planted_flaws(
    lines: tuple[ScriptLine, ...],
    sps: tuple[SellingPointTruth, ...],
    product_s: float,
    dead_air: tuple[tuple[float, float], ...],
) -> tuple[str, ...]:
    """The flaw codes the finished video has (read from the result, not the plan)."""
    has = {
        "weak_hook": lines[0].labels.get("strength") == "weak",
        "product_too_late": product_s > PRODUCT_LATE_S,
        "no_clear_selling_point": not sps,
        "selling_point_not_shown": bool(sps) and not any(s.shown for s in sps),
        "all_seed_no_cta": not any(ln.intent == "sell" or ln.kind == "cta" for ln in lines),
        "hard_sell_too_early": len(lines) > 1 and lines[1].intent == "sell",
        "dead_air": any(b - a >= DEAD_AIR_MIN_S for a, b in dead_air),
    }
    return tuple(code for code in FLAWS if has[code])


def intent_shares(lines: tuple[ScriptLine, ...]) -> tuple[float | None, float | None]:
    """``(seed share, sell share)`` by duration among seed and sell lines."""
    seed = sum(ln.end_s - ln.start_s for ln in lines if ln.intent == "seed")
    sell = sum(ln.end_s - ln.start_s for ln in lines if ln.intent == "sell")
    if seed + sell <= 0:
        return None, None
    return _r(seed / (seed + sell)), _r(sell / (seed + sell))


def content_features(
    truth_lines: tuple[ScriptLine, ...],
    sps: tuple[SellingPointTruth, ...],
    product_s: float,
    dead_air: tuple[tuple[float, float], ...],
    sell_share: float | None,
) -> ContentFeatures:
    """The outcome model's inputs, read from the ground truth."""
    return ContentFeatures(
        hook_strong=truth_lines[0].labels.get("strength") == "strong",
        roles=frozenset(s.role for s in sps),
        shown_share=(sum(s.shown for s in sps) / len(sps)) if sps else 0.0,
        product_first_shown_s=product_s,
        cta=any(ln.kind == "cta" for ln in truth_lines),
        sell_share=sell_share,
        hard_sell_too_early=len(truth_lines) > 1 and truth_lines[1].intent == "sell",
        dead_air_spans=sum(b - a >= DEAD_AIR_MIN_S for a, b in dead_air),
    )


# ---------------------------------------------------------------- one video


@dataclass(frozen=True)
class RenderSettings:
    """How the videos are rendered."""

    size: tuple[int, int] = DEFAULT_SIZE
    fps: float = DEFAULT_FPS
    workers: int = 4  # espeak-ng processes at once


def _offer(lang: str, corpus: Corpus, rng: np.random.Generator, seed: int) -> tuple[Offer, str]:
    cats = sorted({it.category for it in corpus.items["selling_point"] if it.category})
    category = str(rng.choice(cats)) if cats else "home"
    creator = f"{lang}-creator-{int(rng.integers(N_CREATORS)):02d}"
    product = f"{lang}-{category}-{int(rng.integers(N_PRODUCTS)):02d}"
    prng = np.random.default_rng([seed, zlib.crc32(product.encode()), 11])
    price, currency = draw_price(category, lang, prng)
    return Offer(category, price, currency, creator), product


def _label(product_id: str, seed: int) -> str:
    rng = np.random.default_rng([seed, zlib.crc32(product_id.encode()), 13])
    syllables = ("lu", "ma", "ki", "vo", "ne", "ra", "so", "ti", "ze", "pa", "mo", "ly")
    return "".join(str(rng.choice(syllables)) for _ in range(2)).upper()


def _creator_voice(creator_id: str, seed: int) -> int:
    rng = np.random.default_rng([seed, zlib.crc32(creator_id.encode()), 17])
    return int(rng.integers(PITCH[0], PITCH[1] + 1))


def speak_script(
    slots: list[Slot], voice: str, speed: int, pitch: int, exe: str, pool: ThreadPoolExecutor
) -> tuple[list[Slot], list[str], list[np.ndarray], int]:
    """Speak every line (in parallel); lines espeak-ng makes no sound for are left out.

    Returns:
        The slots kept, their spoken texts, their samples and the sample rate.
    """
    spoken = [clean_text(s.item.text) for s in slots]
    results = list(pool.map(lambda t: speak(t, voice, speed, pitch, exe), spoken))
    if results[0][0].size == 0:
        raise SynthError(f"espeak-ng ({voice}) made no sound for the hook {spoken[0]!r}")
    keep = [k for k, (clip, _) in enumerate(results) if clip.size > 0]
    return (
        [slots[k] for k in keep],
        [spoken[k] for k in keep],
        [results[k][0] for k in keep],
        results[0][1],
    )


def script_lines(
    slots: list[Slot], spoken: list[str], spans: tuple[tuple[float, float], ...], fps: float
) -> tuple[tuple[ScriptLine, ...], tuple[CaptionLook, ...]]:
    """The ground-truth lines and the captions of the lines shown on screen."""
    lines: list[ScriptLine] = []
    captions: list[CaptionLook] = []
    for k, (slot, text) in enumerate(zip(slots, spoken, strict=True)):
        start, end = spans[k]
        cap: tuple[float, float] | None = None
        if slot.shown:
            first, last = caption_frames(spans, k, fps)
            captions.append(CaptionLook(text, first, last, top=slot.kind == "hook"))
            cap = (first / fps, last / fps)
        lines.append(
            ScriptLine(
                text=slot.item.text,
                spoken_text=text,
                kind=slot.kind,
                task=slot.item.task,
                item_id=slot.item.id,
                labels=dict(slot.item.labels),
                intent=slot.item.labels.get("intent"),
                start_s=_r(start),
                end_s=_r(end),
                shown_on_screen=slot.shown,
                caption_start_s=_r(cap[0]) if cap else None,
                caption_end_s=_r(cap[1]) if cap else None,
            )
        )
    return tuple(lines), tuple(captions)


def build_truth(
    facts: VideoFacts,
    lines: tuple[ScriptLine, ...],
    plan: Plan,
    offer: Offer,
    shots: tuple[ShotLook, ...],
    dead_air_spans: tuple[tuple[float, float], ...],
    product_s: float,
    outcome_rng: np.random.Generator,
) -> GroundTruth:
    """Derive the ground truth (flaws, shares, outcome) from what was made."""
    sps = tuple(
        SellingPointTruth(
            ln.text, ln.labels["role"], ln.start_s, ln.end_s, ln.shown_on_screen, ln.item_id
        )
        for ln in lines
        if ln.kind == "selling_point"
    )
    dead_air = tuple((_r(a), _r(b)) for a, b in dead_air_spans)
    seed_share, sell_share = intent_shares(lines)
    features = content_features(lines, sps, product_s, dead_air, sell_share)
    hook = lines[0]
    return GroundTruth(
        video=facts,
        lines=lines,
        hook=HookTruth(
            text=hook.text,
            strength=str(hook.labels.get("strength")),
            type=str(hook.labels.get("type")),
            window_s=(0.0, _r(max(hook.end_s, HOOK_WINDOW_MIN_S))),
            item_id=hook.item_id,
        ),
        selling_points=sps,
        intents=tuple(ln.intent for ln in lines),
        seed_share=seed_share,
        sell_share=sell_share,
        cta_time_s=next((ln.start_s for ln in lines if ln.kind == "cta"), None),
        product_first_shown_s=_r(product_s),
        product_first_named_s=sps[0].start_s if sps else None,
        product_visible=tuple((_r(a), _r(b)) for a, b in product_spans(shots, facts.duration_s)),
        cuts=tuple(_r(s.start_s) for s in shots[1:]),
        dead_air=dead_air,
        planted_flaws=planted_flaws(lines, sps, product_s, dead_air),
        outcome=simulate_outcome(features, offer, outcome_rng, facts.seed),
        plan=plan,
    )


def make_video(
    index: int,
    corpus: Corpus,
    out_dir: Path,
    seed: int,
    settings: RenderSettings,
    pool: ThreadPoolExecutor,
    exe: str,
) -> SynthVideo:
    """Plan, speak, draw, encode and describe one video."""
    from training.render import write_video

    t0 = time.perf_counter()
    lang, fps = corpus.lang, settings.fps
    plan_rng, layout_rng, outcome_rng = video_rngs(seed, index)
    plan = plan_video(plan_rng)
    offer, product_id = _offer(lang, corpus, plan_rng, seed)
    slots = assemble_script(plan, corpus, offer.category, plan_rng)
    speed = int(plan_rng.integers(SPEED_WPM[0], SPEED_WPM[1] + 1))
    pitch = _creator_voice(offer.creator_id, seed)
    slots, spoken, clips, rate = speak_script(slots, VOICES[lang], speed, pitch, exe, pool)
    timeline = lay_out(clips, rate, plan, plan.product_first_shown_s + 2.0, layout_rng)
    duration = math.ceil(timeline.audio.size / rate * fps) / fps
    audio = np.zeros(aac_safe_length(int(round(duration * rate)), rate), np.float32)
    audio[: timeline.audio.size] = timeline.audio[: audio.size]
    product_s = round(plan.product_first_shown_s * fps) / fps
    shots = plan_shots(plan_cuts(duration, product_s, fps, layout_rng), product_s, plan, layout_rng)
    lines, captions = script_lines(slots, spoken, timeline.spans, fps)
    name = f"{lang}-{corpus.split}-s{seed}-{index:04d}"
    label = _label(product_id, seed)
    record = creator_record(offer.creator_id, seed)
    facts = VideoFacts(
        file=f"{name}.mp4",
        duration_s=_r(duration),
        width=settings.size[0],
        height=settings.size[1],
        fps=fps,
        lang=lang,
        split=corpus.split,
        category=offer.category,
        price=offer.price,
        currency=offer.currency,
        creator_id=offer.creator_id,
        creator_followers=record.followers,
        creator_cvr=round(record.cvr, 6),
        product_id=product_id,
        product_label=label,
        voice=VOICES[lang],
        speed_wpm=speed,
        pitch=pitch,
        seed=seed,
        index=index,
    )
    truth = build_truth(facts, lines, plan, offer, shots, timeline.dead_air, product_s, outcome_rng)
    look_rng = np.random.default_rng([seed, zlib.crc32(product_id.encode()), 19])
    board = Storyboard(
        size=settings.size,
        fps=fps,
        lang=lang,
        shots=shots,
        captions=captions,
        product=product_look(offer.category, label, look_rng),
        person=person_look(layout_rng) if plan.person else None,
    )
    video_path = out_dir / facts.file
    write_video(
        video_path, FrameRenderer(board), duration, size=settings.size, fps=fps,
        audio=audio, audio_rate=rate,
    )  # fmt: skip
    truth_path = out_dir / f"{name}.json"
    truth_path.write_text(truth.to_json(), encoding="utf-8")
    return SynthVideo(name, video_path, truth_path, truth, time.perf_counter() - t0)


# ---------------------------------------------------------------- public API


def write_manifest(videos: list[SynthVideo], out_dir: Path) -> Path:
    """``out_dir/manifest.csv`` in the labelled-outcomes format (``training/outcomes.py``)."""
    path = out_dir / "manifest.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS)
        w.writeheader()
        for v in videos:
            t, o = v.truth.video, v.truth.outcome
            w.writerow(
                {
                    "video": v.video_path.name,
                    "views": o.views,
                    "orders": o.orders,
                    "gmv": f"{o.gmv:.2f}",
                    "price": f"{t.price:g}",
                    "currency": t.currency,
                    "category": t.category,
                    "creator_id": t.creator_id,
                    "creator_followers": t.creator_followers,
                    "creator_cvr": f"{t.creator_cvr:.6g}",
                    "product_id": t.product_id,
                    "product_name": t.product_label,
                    "language": t.lang,
                }
            )
    return path


def synth_videos(
    n: int,
    lang: str,
    split: str,
    out_dir: Path,
    seed: int = 0,
    corpus_root: Path = SEED_DIR,
    size: tuple[int, int] = DEFAULT_SIZE,
    fps: float = DEFAULT_FPS,
    progress: Callable[[int, SynthVideo], None] | None = None,
) -> list[SynthVideo]:
    """Render ``n`` synthetic videos with their ground truth and a manifest.

    Args:
        n: how many videos.
        lang: language of the speech and captions (a key of ``VOICES``).
        split: corpus split the script lines come from (``train``, ``dev`` or ``test``).
        out_dir: where ``<name>.mp4``, ``<name>.json`` and ``manifest.csv`` go.
        seed: same seed, same videos.
        corpus_root: the seed corpus folder (``<task>/<lang>.jsonl``).
        size: ``(width, height)``, even numbers.
        fps: frame rate.
        progress: called with ``(index, video)`` after each video.

    Returns:
        The videos, in index order.

    Raises:
        SynthError: bad arguments, espeak-ng or a font missing, or no corpus items.
    """
    if n < 1:
        raise SynthError(f"--n must be at least 1 (got {n})")
    if lang not in VOICES:
        raise SynthError(f"no voice for language '{lang}'; choose one of {', '.join(VOICES)}")
    if split not in SPLITS:
        raise SynthError(f"split must be one of {', '.join(SPLITS)} (got '{split}')")
    w, h = size
    if w < 64 or h < 64 or w % 2 or h % 2:
        raise SynthError(f"size {w}x{h}: both sides must be even and at least 64")
    exe = espeak_executable()
    corpus = Corpus.load(Path(corpus_root), lang, split)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = RenderSettings(size=(w, h), fps=fps)
    videos: list[SynthVideo] = []
    workers = max(1, min(settings.workers, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for i in range(n):
            video = make_video(i, corpus, out_dir, seed, settings, pool, exe)
            videos.append(video)
            if progress is not None:
                progress(i, video)
    write_manifest(videos, out_dir)
    return videos


# ---------------------------------------------------------------- command line


def parse_size(text: str) -> tuple[int, int]:
    """``"720x1280"`` -> ``(720, 1280)``."""
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 720x1280, not '{text}'") from None
    return w, h


def _cmd_synth(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()

    def report(i: int, v: SynthVideo) -> None:
        t, o = v.truth.video, v.truth.outcome
        flaws = ",".join(v.truth.planted_flaws) or "none"
        print(
            f"[{i + 1}/{args.n}] {v.video_path.name} {t.duration_s:.1f} s, "
            f"{len(v.truth.lines)} lines, {t.category}, flaws: {flaws}, "
            f"views {o.views} orders {o.orders} (cvr {o.true_cvr:.4f}) in {v.seconds:.1f} s",
            flush=True,
        )

    videos = synth_videos(
        args.n, args.lang, args.split, Path(args.out), seed=args.seed,
        corpus_root=args.corpus, size=args.size, fps=args.fps, progress=report,
    )  # fmt: skip
    took = time.perf_counter() - t0
    print(
        f"{len(videos)} videos in {took:.1f} s: {len(videos) / took * 60:.1f} videos/min; "
        f"manifest: {Path(args.out) / 'manifest.csv'}"
    )
    return 0


def add_synth_command(subparsers) -> None:  # noqa: ANN001 - argparse's private subparsers type
    """Register ``synth`` on an argparse subparsers object (``sellscope synth ...``)."""
    p = subparsers.add_parser(
        "synth", help="render synthetic product videos with ground truth and simulated outcomes"
    )
    p.add_argument("--n", type=int, default=10, help="how many videos (default 10)")
    p.add_argument("--lang", required=True, choices=sorted(VOICES), help="language")
    p.add_argument("--split", default="train", choices=SPLITS, help="corpus split of the lines")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="same seed, same videos (default 0)")
    p.add_argument("--size", type=parse_size, default=DEFAULT_SIZE, help="WxH (default 720x1280)")
    p.add_argument("--fps", type=float, default=DEFAULT_FPS, help="frame rate (default 25)")
    p.add_argument(
        "--corpus", type=Path, default=SEED_DIR, help="seed corpus folder (default datasets/seed)"
    )
    p.set_defaults(func=_cmd_synth)


def main(argv: list[str] | None = None) -> int:
    """``python -m training.synth ...`` (the same as ``sellscope synth``)."""
    from service.errors import SellscopeError

    ap = argparse.ArgumentParser(prog="python -m training.synth")
    add_synth_command(ap.add_subparsers(dest="command"))
    args = ap.parse_args(["synth", *(argv if argv is not None else sys.argv[1:])])
    try:
        return args.func(args)
    except SellscopeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
