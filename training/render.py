"""Write real video files (H.264 + AAC in MP4) from drawn frames and audio samples.

Used by the synthetic video generator, the tests and the benchmarks: PyAV's wheels carry
FFmpeg with libx264 and AAC, so nothing else is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

FrameFn = Callable[[int, float], np.ndarray]


def write_video(
    path: str | Path,
    frame_fn: FrameFn,
    duration_s: float,
    size: tuple[int, int] = (720, 1280),
    fps: float = 30.0,
    audio: np.ndarray | None = None,
    audio_rate: int = 16000,
    rotation: int = 0,
    frame_times: Sequence[float] | None = None,
    crf: int = 28,
    pix_fmt: str = "yuv420p",
    audio_channels: np.ndarray | None = None,
) -> Path:
    """Encode a video.

    Args:
        path: output file (``.mp4``, ``.mov``, ``.mkv`` ...).
        frame_fn: ``(index, seconds) -> (H, W, 3) uint8 BGR`` image of the coded size.
        duration_s: length of the picture track.
        size: coded ``(width, height)``.
        fps: frame rate (ignored when ``frame_times`` gives a variable rate).
        audio: mono float32 samples in [-1, 1], or None for a file without audio.
        audio_rate: sample rate of ``audio``.
        rotation: display rotation in degrees counter-clockwise (phone portrait videos).
        frame_times: explicit presentation times in seconds (variable frame rate).
        crf: x264 quality (lower is better and bigger).
        pix_fmt: ``yuv444p`` allows odd picture sizes (4:2:0 needs even ones).
        audio_channels: ``(channels, samples)`` float32 instead of ``audio`` for a
            multi-channel track.

    Returns:
        The path written.
    """
    import av

    path = Path(path)
    w, h = size
    times = (
        list(frame_times)
        if frame_times is not None
        else [i / fps for i in range(int(round(duration_s * fps)))]
    )
    time_base = Fraction(1, 1000) if frame_times is not None else Fraction(1, int(round(fps)))
    with av.open(str(path), "w") as c:
        vs = c.add_stream("libx264", rate=int(round(fps)))
        vs.width, vs.height, vs.pix_fmt = w, h, pix_fmt
        vs.time_base = time_base
        vs.codec_context.time_base = time_base
        vs.options = {"crf": str(crf), "preset": "veryfast"}
        if rotation:
            vs.set_display_rotation(rotation)
        aus = None
        if audio_channels is not None:
            audio = audio_channels
        if audio is not None:
            audio = np.atleast_2d(audio)
            aus = c.add_stream("aac", rate=44100)
            aus.layout = "mono" if audio.shape[0] == 1 else "stereo"
        for i, t in enumerate(times):
            img = frame_fn(i, t)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
            frame.pts = int(round(t / time_base))
            frame.time_base = time_base
            for p in vs.encode(frame):
                c.mux(p)
        for p in vs.encode():
            c.mux(p)
        if aus is not None and audio is not None:
            _encode_audio(c, aus, audio.astype(np.float32), audio_rate)
    return path


def _encode_audio(c, stream, audio: np.ndarray, rate: int) -> None:  # noqa: ANN001
    import av

    layout = "mono" if audio.shape[0] == 1 else "stereo"
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=stream.rate)
    chunk = rate  # one second at a time keeps frames small
    for start in range(0, max(audio.shape[1], 1), chunk):
        part = audio[:, start : start + chunk]
        if part.size == 0:
            break
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(part), format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = None
        for f in resampler.resample(frame):
            for p in stream.encode(f):
                c.mux(p)
    for f in resampler.resample(None):
        for p in stream.encode(f):
            c.mux(p)
    for p in stream.encode(None):
        c.mux(p)


def solid(color: tuple[int, int, int], size: tuple[int, int]) -> np.ndarray:
    """A plain BGR image of the coded ``(width, height)``."""
    w, h = size
    img = np.empty((h, w, 3), np.uint8)
    img[:] = color
    return img


def draw_caption(
    img: np.ndarray, text: str, y_frac: float = 0.72, scale: float = 1.6
) -> np.ndarray:
    """Draw a white caption with a dark outline, centred, at ``y_frac`` of the height."""
    import cv2

    h, w = img.shape[:2]
    font = cv2.FONT_HERSHEY_DUPLEX
    thick = max(2, int(scale * 2))
    (tw, th), _ = cv2.getTextSize(text, font, scale, thick)
    while tw > 0.92 * w and scale > 0.4:
        scale *= 0.9
        (tw, th), _ = cv2.getTextSize(text, font, scale, thick)
    org = (max(4, (w - tw) // 2), int(h * y_frac))
    cv2.putText(img, text, org, font, scale, (0, 0, 0), thick + 4, cv2.LINE_AA)
    cv2.putText(img, text, org, font, scale, (255, 255, 255), thick, cv2.LINE_AA)
    return img


def load_audio(path: str | Path) -> np.ndarray:
    """Decode any audio file PyAV reads to 16 kHz mono float32."""
    from service.media import decode_audio

    return decode_audio(path)


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """float32 mono samples at ``rate`` -> 16 kHz float32, resampled as the media stage does."""
    import av

    frame = av.AudioFrame.from_ndarray(
        (np.clip(samples, -1, 1) * 32767).astype(np.int16)[None, :], format="s16", layout="mono"
    )
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=16000)
    out = resampler.resample(frame) + resampler.resample(None)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in out]).astype(np.float32)
