"""Evidence extraction: one video in, one ``VideoEvidence`` out.

Speech recognition runs in a background thread while the frames are decoded and read,
and faces are counted in another while the captions are read, so the stages share the
machine's cores instead of waiting for each other.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.domain import language_code
from service.evidence.cuts import detect_cuts
from service.evidence.faces import detect_faces
from service.evidence.keyframes import pick_keyframes
from service.evidence.onscreen_text import changed_frames, read_captions
from service.evidence.pacing import measure_pacing
from service.evidence.speech import SpeechOptions, transcribe
from service.evidence.types import Transcript, VideoEvidence
from service.media import DecodeOptions, decode_audio, decode_frames, probe


@dataclass(frozen=True)
class ExtractOptions:
    """Options of the whole extraction."""

    decode: DecodeOptions = field(default_factory=DecodeOptions)
    speech: SpeechOptions = field(default_factory=SpeechOptions)
    ocr: bool = True
    faces: bool = True

    @classmethod
    def from_env(cls) -> ExtractOptions:
        """Defaults, with limits overridable by ``SELLSCOPE_*`` environment variables."""
        return cls(
            decode=DecodeOptions(
                sample_fps=float(os.environ.get("SELLSCOPE_SAMPLE_FPS", 2.0)),
                max_duration_s=float(os.environ.get("SELLSCOPE_MAX_DURATION_S", 300.0)),
            ),
            speech=SpeechOptions(beam_size=int(os.environ.get("SELLSCOPE_BEAM_SIZE", 5))),
        )


@dataclass(frozen=True)
class EvidenceModels:
    """The loaded models extraction needs, with their store tags."""

    asr: Any
    ocr: Any
    faces: Any
    langid: Any | None
    tags: dict[str, str]

    @classmethod
    def from_store(cls) -> EvidenceModels:
        """Load (once per process) every model from the BentoML model store."""
        from models import runtime

        w, o, f, lid = (
            runtime.whisper(),
            runtime.ocr(),
            runtime.face_detector(),
            runtime.language_identifier(),
        )
        tags = {"asr": w.tag, "ocr": o.tag, "faces": f.tag, "langid": lid.tag}
        return cls(asr=w.model, ocr=o.model, faces=f.model, langid=lid.model, tags=tags)


def extract_evidence(
    path: str | Path,
    language: str | None = None,
    models: EvidenceModels | None = None,
    options: ExtractOptions | None = None,
) -> VideoEvidence:
    """Extract everything the scorers look at from one video file.

    Args:
        path: the video file (any container PyAV reads).
        language: ISO 639-1 code of the speech when known (detected otherwise).
        models: loaded models; loaded from the store when omitted.
        options: decoding and transcription options; ``ExtractOptions.from_env()`` if omitted.

    Returns:
        The video's evidence, with per-stage seconds.

    Raises:
        SellscopeError subclasses for unreadable, empty, too long or too small videos.
    """
    options = options or ExtractOptions.from_env()
    language = language_code(language)  # before any work: "xx" is the caller's mistake
    path = Path(path)
    t0 = time.perf_counter()
    stage: dict[str, float] = {}

    def timed(name: str, fn: Any, *args: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        out = fn(*args, **kw)
        stage[name] = round(time.perf_counter() - t, 3)
        return out

    info = timed("probe", probe, path, options.decode.max_duration_s)  # fail fast on bad input
    models = models or EvidenceModels.from_store()
    audio = timed("audio", decode_audio, path) if info.has_audio else None
    # Speech and faces get their own threads (CTranslate2, OpenCV and onnxruntime release
    # the GIL): the visual chain decode -> cuts -> changes -> OCR is the longest, and faces
    # only need the frames and the changed indices.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sellscope-extract") as pool:
        speech = (
            pool.submit(
                timed,
                "speech",
                transcribe,
                audio,
                models.asr,
                language,
                models.langid,
                options.speech,
            )
            if audio is not None and audio.size
            else None
        )
        video = timed("frames", decode_frames, path, options.decode)
        cuts = timed("cuts", detect_cuts, video.thumbs, video.thumb_times)
        cut_times = tuple(c.time_s for c in cuts)
        changed = timed("changes", changed_frames, video.frames, video.frame_times, cut_times)
        faces_job = (
            pool.submit(
                timed, "faces", detect_faces, video.frames, video.frame_times, models.faces, changed
            )
            if options.faces
            else None
        )
        captions = (
            timed(
                "onscreen_text",
                read_captions,
                video.frames,
                video.frame_times,
                models.ocr,
                cut_times,
                video.info.duration_s,
                changed,
            )
            if options.ocr
            else ()
        )
        faces = faces_job.result() if faces_job is not None else ()
        keyframes = timed("keyframes", pick_keyframes, video.frames, video.frame_times)
        if speech is not None:
            transcript = speech.result()
        else:
            transcript = Transcript(
                language=language, language_probability=0.0, language_source="none"
            )
    pacing = measure_pacing(transcript, cuts, video.info.duration_s)
    stage["total"] = round(time.perf_counter() - t0, 3)
    return VideoEvidence(
        media=video.info,
        cuts=cuts,
        faces=faces,
        captions=captions,
        transcript=transcript,
        pacing=pacing,
        stage_seconds=stage,
        models=dict(models.tags),
        keyframes=keyframes,
    )
