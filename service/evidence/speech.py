"""Speech stage: voice activity, language, and a timed Whisper transcript.

Whisper base writes Mandarin in Traditional characters; sellers on Douyin read Simplified,
so Chinese output is converted (OpenCC t2s). When the language is not given, Whisper's
guess is checked against a text language identifier on the transcript and the audio is
decoded again when the two disagree with confidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from service.evidence.sentences import NO_SPACE_LANGS, collapse_loops, split_sentences
from service.evidence.types import Segment, SpeechRegion, Transcript, Word

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class SpeechOptions:
    """How to transcribe."""

    beam_size: int = 5
    min_silence_ms: int = 300
    vad_threshold: float = 0.5
    recheck_below: float = 0.7  # Whisper language probability below which the text is checked
    hotwords: str | None = None  # brand and product names, to spell them right


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _fix_script(text: str, language: str | None) -> str:
    return _t2s().convert(text) if language == "zh" else text


def voice_activity(
    audio: np.ndarray, options: SpeechOptions = SpeechOptions()
) -> tuple[SpeechRegion, ...]:
    """Stretches of speech found by Silero VAD (shipped with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if audio.size < SAMPLE_RATE // 10:
        return ()
    stamps = get_speech_timestamps(
        audio,
        VadOptions(
            threshold=options.vad_threshold,
            min_silence_duration_ms=options.min_silence_ms,
            speech_pad_ms=100,
            max_speech_duration_s=CLIP_MAX_S,
        ),
    )
    # VAD pads its regions, past the end of the audio when speech runs up to it, and a time
    # rounded to the nearest millisecond can land a few samples past it too: faster-whisper
    # then counts more speech than audio and fails on a negative timestamp. So the end is
    # clamped to the audio and rounded down, the start rounded up.
    end = audio.size
    return tuple(
        SpeechRegion(
            math.ceil(s["start"] * 1000 / SAMPLE_RATE) / 1000,
            math.floor(min(s["end"], end) * 1000 / SAMPLE_RATE) / 1000,
        )
        for s in stamps
        if s["start"] < end
    )


CLIP_MAX_S = 30.0  # Whisper's window


def merge_clips(
    regions: tuple[SpeechRegion, ...], max_s: float = CLIP_MAX_S
) -> list[dict[str, float]]:
    """Group consecutive speech regions into clips of at most ``max_s`` for batched decoding.

    Whisper pads every input to a 30 s window, so one window per short sentence would cost
    many times more than packing neighbouring sentences together.
    """
    clips: list[dict[str, float]] = []
    for r in regions:
        start, end = r.start_s, r.end_s
        while end - start > max_s:  # a single very long region: split it hard
            clips.append({"start": start, "end": start + max_s})
            start += max_s
        if clips and end - clips[-1]["start"] <= max_s and start >= clips[-1]["end"]:
            clips[-1]["end"] = end
        else:
            clips.append({"start": start, "end": end})
    return clips


def _run_whisper(
    audio: np.ndarray,
    asr: Any,
    language: str | None,
    regions: tuple[SpeechRegion, ...],
    options: SpeechOptions,
) -> tuple[tuple[Segment, ...], str, float]:
    from faster_whisper import BatchedInferencePipeline

    # Batched decoding of VAD clips: about 5x faster on 2 CPU cores than sequential
    # 30 s windows with word timestamps (tests/benchmarks/bench_extract.py).
    pipeline = BatchedInferencePipeline(asr)
    segments, info = pipeline.transcribe(
        audio,
        language=language,
        beam_size=options.beam_size,
        word_timestamps=True,
        clip_timestamps=merge_clips(regions),
        hotwords=options.hotwords,
        batch_size=8,
    )
    lang = info.language
    return (
        split_sentences(whisper_words(segments, lang), lang, regions),
        lang,
        float(info.language_probability),
    )


# Whisper's own rule for a segment that is not speech (openai/whisper transcribe.py):
# likely silence and decoded with little confidence. Batched decoding does not apply it,
# so music under a product shot came back as speech ("you.": no-speech 0.82, mean log-prob
# -1.83); real speech and the synthetic voices sit far from it (no-speech <= 0.08 on the
# test clips; no segment of 32 dev-split synthetic videos in 8 languages met it).
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0


def is_hallucination(segment: Any) -> bool:
    """Whether Whisper's segment is more likely silence or music than speech."""
    return segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOW_LOGPROB


def whisper_words(segments: Any, lang: str | None) -> list[Word]:
    """faster-whisper's segments as our timed words, decoding loops collapsed per segment,
    segments that are not speech (:func:`is_hallucination`) left out."""
    spaced = lang not in NO_SPACE_LANGS
    words: list[Word] = []
    for s in segments:
        if is_hallucination(s):
            continue
        seg_words = []
        for w in s.words or []:
            text = _fix_script(w.word.strip(), lang)
            if text:
                seg_words.append(
                    Word(
                        text=text,
                        start_s=round(float(w.start), 3),
                        end_s=round(float(w.end), 3),
                        probability=round(float(w.probability), 3),
                        # Whisper starts a new word with a space; a piece without one
                        # belongs to the word before it (in zh / ja / th every piece
                        # counts: pacing is characters there)
                        joined=spaced and bool(seg_words) and not w.word.startswith(" "),
                    )
                )
        words += collapse_loops(seg_words)
    return words


def _text_language(text: str, langid: Any) -> tuple[str | None, float]:
    labels, probs = langid.predict(text.replace("\n", " "), k=1)
    if not labels:
        return None, 0.0
    return labels[0].removeprefix("__label__"), float(probs[0])


def transcribe(
    audio: np.ndarray,
    asr: Any,
    language: str | None = None,
    langid: Any | None = None,
    options: SpeechOptions = SpeechOptions(),
) -> Transcript:
    """Transcribe 16 kHz mono audio with word timestamps.

    Args:
        audio: float32 samples at 16 kHz (may be empty: a silent video).
        asr: a faster-whisper ``WhisperModel`` (``models.runtime.whisper``).
        language: ISO 639-1 code when the caller knows it; otherwise detected.
        langid: a fastText language identifier to check Whisper's guess (optional).
        options: decoding options.

    Returns:
        The transcript; with no speech, no segments and ``language_source == "none"``.
    """
    regions = voice_activity(audio, options)
    if not regions:
        return Transcript(language=language, language_probability=0.0, language_source="none")
    segments, lang, prob = _run_whisper(audio, asr, language, regions, options)
    if not segments:  # voice activity fired on music or noise: Whisper heard no speech
        return Transcript(language=language, language_probability=0.0, language_source="none")
    source = "given" if language else "detected"
    if language is None and langid is not None and prob < options.recheck_below:
        text = " ".join(s.text for s in segments)
        text_lang, text_prob = _text_language(text, langid)
        if text_lang and text_lang != lang and text_prob >= 0.8:
            segments, lang, _ = _run_whisper(audio, asr, text_lang, regions, options)
            prob, source = text_prob, "detected (text check)"
    return Transcript(
        language=lang,
        language_probability=round(prob, 3),
        language_source=source,
        segments=segments,
        speech_regions=regions,
    )
