"""A synthetic video's evidence with the speech stage replaced by its script.

The recovery and conversion benchmarks score synthetic videos whose voices are espeak-ng's.
Whisper base hears espeak-ng English almost word for word but mishears its other voices
badly (``tests/benchmarks/bench_recovery.py --transcript both`` prints the character
error rate per language). To tell what the speech stage loses from what the scoring stages
lose, the benchmarks can also score each video as a perfect speech stage would hear it:
every scripted line's words as written, spread evenly over the time the line is spoken,
then cut into sentences by the pipeline's own :func:`split_sentences` (so two lines with no
full stop and no pause between them run together, as they would from a perfect recogniser).
Everything else in the evidence (frames, captions, cuts, faces, voice activity) is the
pipeline's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from service.evidence.onscreen_text import normalise_text
from service.evidence.sentences import NO_SPACE_LANGS, split_sentences
from service.evidence.types import VideoEvidence, Word


def line_words(text: str, start_s: float, end_s: float, lang: str) -> list[Word]:
    """One spoken line as timed words, evenly spread over ``[start_s, end_s]``.

    Words are the space-separated pieces; in Chinese, Japanese and Thai every character
    but a space is one (the pipeline counts pacing in characters there).
    """
    pieces = [c for c in text if not c.isspace()] if lang in NO_SPACE_LANGS else text.split()
    if not pieces:
        return []
    step = max(0.0, end_s - start_s) / len(pieces)
    return [
        Word(p, round(start_s + i * step, 3), round(start_s + (i + 1) * step, 3), 1.0)
        for i, p in enumerate(pieces)
    ]


def scripted_evidence(
    evidence: VideoEvidence, lines: Sequence[Mapping[str, Any]], lang: str
) -> VideoEvidence:
    """``evidence`` with its transcript made from the script instead of Whisper.

    Args:
        evidence: the pipeline's evidence of a synthetic video.
        lines: the truth's ``lines`` (``spoken_text``, ``start_s``, ``end_s``), in time order.
        lang: the script's language.
    """
    words: list[Word] = []
    for ln in lines:
        words += line_words(ln["spoken_text"], float(ln["start_s"]), float(ln["end_s"]), lang)
    transcript = replace(
        evidence.transcript,
        language=lang,
        language_probability=1.0,
        language_source="given",
        segments=split_sentences(words, lang, evidence.transcript.speech_regions),
    )
    return replace(evidence, transcript=transcript)


def character_error_rate(reference: str, heard: str) -> float:
    """Edit distance between the two texts as ``normalise_text`` leaves them (case, spacing
    and punctuation ignored), over the reference's length."""
    a, b = normalise_text(reference), normalise_text(heard)
    if not a:
        return float(bool(b))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / len(a)
