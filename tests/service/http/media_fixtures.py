"""Bad (and good) uploads for the HTTP tests, written with PyAV and the standard library."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def tiny_video(folder: Path, seconds: float = 2.0, name: str = "tiny.mp4") -> Path:
    """A small real video (one grey shot, no audio)."""
    from training.render import write_video

    frame = np.full((320, 180, 3), 110, np.uint8)
    return write_video(folder / name, lambda i, t: frame, seconds, size=(180, 320), fps=10)


def text_named_mp4(folder: Path) -> Path:
    """A text file with a video's name."""
    path = folder / "notes.mp4"
    path.write_text("This is not a video, only some notes about one.\n" * 20)
    return path


def empty_file(folder: Path) -> Path:
    """Zero bytes."""
    path = folder / "empty.mp4"
    path.write_bytes(b"")
    return path


def truncated(video: Path, folder: Path, keep: float = 0.4) -> Path:
    """The first ``keep`` of a real video file."""
    data = video.read_bytes()
    path = folder / f"truncated-{video.name}"
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def wav_file(folder: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    """A mono 16-bit WAV of a quiet tone."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.2 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    path = folder / "tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return path


def audio_only_mp4(folder: Path, seconds: float = 1.0, name: str = "voice.m4a") -> Path:
    """An MP4 container (``.m4a``) with an AAC track and no video track."""
    import av

    rate = 16000
    path = folder / name
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=rate, layout="mono")
        t = np.arange(int(seconds * rate)) / rate
        samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for i in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[None, i : i + 1024], format="flt", layout="mono"
            )
            frame.rate = rate
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode(None):
            c.mux(packet)
    return path
