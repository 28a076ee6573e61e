"""Hook score: how strongly the opening 2-3 s stops a scrolling viewer."""

from __future__ import annotations

from dataclasses import dataclass

from service.evidence.types import VideoEvidence
from service.scoring.lines import RawLine, ScoredLine
from service.scoring.subtitles import join_lines

HOOK_WINDOW_S = 3.0
# Weights of the hook score's parts (sum 1). What is said carries most; what is shown
# (text on screen, a change of picture, a person) makes the rest.
W_SAID, W_CAPTION, W_MOTION, W_FACE = 0.6, 0.15, 0.15, 0.1


@dataclass(frozen=True)
class HookScore:
    """The hook, 0-100, with its evidence."""

    score: float
    hook_type: str | None
    quote: str | None  # what is said (or, with no speech, shown) in the window
    window_s: tuple[float, float]
    said_strength: float  # P(strong) of the opening line, 0-1
    caption_in_window: str | None
    cut_or_motion_early: bool
    face_early: bool


def _opening(lines: list[ScoredLine], source: str, window: float) -> ScoredLine | None:
    return next((ln for ln in lines if ln.source == source and ln.start_s < window), None)


def opening_speech(lines: list[RawLine], window: float = HOOK_WINDOW_S) -> RawLine | None:
    """Everything said in the opening: the speech sentences that start inside the window,
    as one line, when there are several ("Hey guys! Quick one. Look at this." is one
    hook, and the hook head was trained on whole openers like it). None for one or none.
    """
    said = [ln for ln in lines if ln.source == "speech" and ln.start_s < window]
    if len(said) < 2:
        return None
    heard = (
        join_lines([ln.heard or ln.text for ln in said]) if any(ln.heard for ln in said) else None
    )
    return RawLine(join_lines([ln.text for ln in said]), said[0].start_s, said[-1].end_s,
                   "opening", heard)  # fmt: skip


def score_hook(
    lines: list[ScoredLine],
    evidence: VideoEvidence,
    window: float = HOOK_WINDOW_S,
    opening: ScoredLine | None = None,
) -> HookScore:
    """Score the opening: the hook head on what is said first, plus what is shown.

    The hook head reads what is said inside the window: ``opening`` (the sentences that
    start there, scored as one line; ``opening_speech``) or else the first sentence that
    starts there; with no speech there, the first caption stands in (a silent opener
    with a strong caption still hooks). Shown parts: a caption on screen, a cut or
    motion within 2 s (the feed punishes a static first frame), a face within the window.
    """
    said = opening or _opening(lines, "speech", window)
    caption = _opening(lines, "caption", window)
    opener = said or caption
    strength = opener.hook_strength if opener else 0.0
    early_cut = any(c.time_s <= 2.0 for c in evidence.cuts)
    moving = _moves_early(evidence)
    face = any(f.count > 0 for f in evidence.faces if f.time_s < window)
    score = 100.0 * (
        W_SAID * strength
        + W_CAPTION * (caption is not None)
        + W_MOTION * (early_cut or moving)
        + W_FACE * face
    )
    return HookScore(
        score=round(score, 1),
        hook_type=opener.hook_type if opener else None,
        quote=opener.text if opener else None,
        window_s=(0.0, window),
        said_strength=round(strength, 3),
        caption_in_window=caption.text if caption else None,
        cut_or_motion_early=early_cut or moving,
        face_early=face,
    )


def _moves_early(evidence: VideoEvidence) -> bool:
    # Captions or faces changing, or a new caption, in the first 2 s count as motion on top
    # of cuts; frame-level motion itself is not kept in the evidence.
    return any(c.start_s > 0.0 and c.start_s <= 2.0 for c in evidence.captions)
