"""Text lines of a video (speech sentences and captions), scored by the sentence scorer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.evidence.types import VideoEvidence
from service.scoring.clauses import cut_long_sentence
from service.scoring.subtitles import caption_blocks, read_subtitles


@dataclass(frozen=True)
class ScoredLine:
    """One sentence said or shown, with what the heads make of it."""

    text: str
    start_s: float
    end_s: float
    source: str  # "speech" or "caption"
    hook_strength: float  # P(strong hook), calibrated
    hook_type: str
    fabe_role: str
    fabe_confidence: float
    intent: str
    seed: float  # P(grass-planting)
    sell: float  # P(hard sell)
    cta: float  # P(call to action)
    heard: str | None = None  # what the speech stage heard, when ``text`` is the subtitle's

    @property
    def duration_s(self) -> float:
        """Length on screen or in speech (at least a tenth of a second)."""
        return max(0.1, self.end_s - self.start_s)


@dataclass(frozen=True)
class RawLine:
    """A line before scoring."""

    text: str
    start_s: float
    end_s: float
    source: str
    heard: str | None = None  # what the speech stage heard, when ``text`` is the subtitle's


def collect_lines(evidence: VideoEvidence) -> list[RawLine]:
    """Speech sentences and captions, in time order.

    Run-on sentences are cut into clauses (at a comma, else at the longest pause), the
    lines of a wrapped caption joined, and sentences that a caption subtitles read from
    the caption (``service.scoring.subtitles``).
    """
    language = evidence.transcript.language
    sentences = [c for s in evidence.transcript.segments for c in cut_long_sentence(s, language)]
    captions = caption_blocks(evidence.captions)
    lines = [
        RawLine(s.text, s.start_s, s.end_s, "speech", s.heard)
        for s in read_subtitles(sentences, captions, language)
    ]
    lines += [RawLine(c.text, c.start_s, c.end_s, "caption") for c in captions]
    return sorted((ln for ln in lines if ln.text.strip()), key=lambda ln: (ln.start_s, ln.source))


def score_lines(lines: list[RawLine], scorer: Any) -> list[ScoredLine]:
    """Run every head on every line (one forward pass per line).

    Args:
        lines: the lines to score.
        scorer: a ``models.heads.SentenceScorer``.
    """
    if not lines:
        return []
    out = []
    for ln, s in zip(lines, scorer.score([ln.text for ln in lines]), strict=True):
        role, role_p = s.top("fabe_role")
        intent, _ = s.top("intent")
        out.append(
            ScoredLine(
                text=ln.text,
                start_s=ln.start_s,
                end_s=ln.end_s,
                source=ln.source,
                hook_strength=s.probs["hook_strength"]["strong"],
                hook_type=s.top("hook_type")[0],
                fabe_role=role,
                fabe_confidence=role_p,
                intent=intent,
                seed=s.probs["intent"]["seed"],
                sell=s.probs["intent"]["sell"],
                cta=s.probs["cta"]["yes"],
                heard=ln.heard,
            )
        )
    return out
