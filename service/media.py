"""Media stage: probe a video file and decode what the later stages look at.

PyAV (FFmpeg inside the wheel) reads any common container. Frames are decoded once,
sequentially (seeking per sample is several times slower), and only the sampled frames are
converted: analysis frames at ``sample_fps`` and small thumbnails at ``cut_fps`` for
scene-cut detection. Audio becomes 16 kHz mono float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from service.errors import (
    InputError,
    NoFramesError,
    NotAVideoError,
    VideoTooLongError,
    VideoTooShortError,
    VideoTooSmallError,
)

AUDIO_RATE = 16000
MIN_SIDE = 16
MIN_DURATION_S = 1.0  # shorter is no product video: a still, a GIF, the wrong file
THUMB_SIZE = 64


@dataclass(frozen=True)
class DecodeOptions:
    """What to decode and the limits that protect the service."""

    sample_fps: float = 2.0
    cut_fps: float = 8.0
    max_side: int = 960
    max_duration_s: float = 300.0
    min_coverage: float = 0.8  # decoded share of the declared duration below which it is truncated


@dataclass(frozen=True)
class MediaInfo:
    """Facts about the file, as a viewer would see it (after rotation)."""

    path: str
    container: str
    size_bytes: int
    duration_s: float
    width: int
    height: int
    rotation: int
    fps: float
    video_codec: str
    has_audio: bool
    audio_codec: str | None
    audio_channels: int
    variable_frame_rate: bool = False
    decoded_frames: int = 0


@dataclass(frozen=True, eq=False)
class DecodedVideo:
    """The decoded samples of one video.

    Attributes:
        info: file facts (``variable_frame_rate`` and ``decoded_frames`` filled in by decoding).
        frame_times: seconds of each analysis frame.
        frames: analysis frames, ``(N, H, W, 3)`` uint8 BGR, upright, long side <= max_side.
        thumb_times: seconds of each thumbnail.
        thumbs: ``(M, 64, 64, 3)`` uint8 BGR thumbnails for cut detection.
        audio: 16 kHz mono float32 samples (empty when the file has no audio track).
    """

    info: MediaInfo
    frame_times: np.ndarray
    frames: np.ndarray
    thumb_times: np.ndarray
    thumbs: np.ndarray
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))


def _open(path: Path):  # noqa: ANN202 - av.container.InputContainer
    import av

    if not path.exists():
        raise InputError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a video file.")
    if path.stat().st_size == 0:
        raise NotAVideoError(f"{path.name} is empty (0 bytes). Upload the video file again.")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as e:
        # FFmpeg's own words, without its errno and the full path the user did not type
        why = getattr(e, "strerror", None) or type(e).__name__
        raise NotAVideoError(
            f"{path.name} is not a readable video ({why}). "
            "It may be truncated or another kind of file; export it again as MP4 (H.264)."
        ) from e


def _first_frame_rotation(c, stream) -> int:  # noqa: ANN001
    """Display rotation (degrees counter-clockwise, multiple of 90) from the first frame."""
    import av

    try:
        for frame in c.decode(stream):
            return int(round(frame.rotation / 90.0)) * 90 % 360
    except av.error.FFmpegError:
        return 0
    return 0


def probe(path: str | Path, max_duration_s: float = math.inf) -> MediaInfo:
    """Read the container header and check that it is a video we can analyse.

    Args:
        path: the video file.
        max_duration_s: longer videos are refused.

    Raises:
        InputError: missing file or a folder.
        NotAVideoError: empty, unreadable, or without a video track.
        VideoTooLongError: longer than ``max_duration_s``.
        VideoTooSmallError: a picture side below 16 pixels.
        VideoTooShortError: shorter than :data:`MIN_DURATION_S`.
    """
    path = Path(path)
    with _open(path) as c:
        info = _probe_container(c, path, max_duration_s)
    # a duration the header does not give (0) is left to decoding to find
    if 0 < info.duration_s < MIN_DURATION_S:
        raise VideoTooShortError(
            # rounded down: a 0.96 s clip must not read "1.0 s long; at least 1 s"
            f"{path.name} is {math.floor(info.duration_s * 100) / 100:g} s long; sellscope "
            "scores videos of at least "
            f"{MIN_DURATION_S:.0f} s (product videos run 5-60 s). Check that it is the right file."
        )
    return info


def _probe_container(
    c,
    path: Path,
    max_duration_s: float,
    rotation: int | None = None,  # noqa: ANN001
) -> MediaInfo:
    if not c.streams.video:
        kind = "an audio file" if c.streams.audio else "a file without a video track"
        raise NotAVideoError(f"{path.name} is {kind}; sellscope needs a video with pictures.")
    vs = c.streams.video[0]
    aus = c.streams.audio[0] if c.streams.audio else None
    w, h = vs.codec_context.width, vs.codec_context.height
    if not w or not h:
        raise NotAVideoError(f"{path.name}: the video track has no picture size; it is damaged.")
    duration = 0.0
    if c.duration:
        duration = c.duration / 1_000_000
    elif vs.duration and vs.time_base:
        duration = float(vs.duration * vs.time_base)
    fps = float(vs.average_rate or vs.guessed_rate or 0.0)
    if rotation is None:
        rotation = _first_frame_rotation(c, vs)
    if rotation in (90, 270):
        w, h = h, w
    if duration > max_duration_s:
        raise VideoTooLongError(
            f"{path.name} is {duration:.1f} s long; the limit is {max_duration_s:.0f} s. "
            "Trim it or raise the limit (SELLSCOPE_MAX_DURATION_S)."
        )
    if min(w, h) < MIN_SIDE:
        raise VideoTooSmallError(
            f"{path.name} is {w}x{h} pixels; at least {MIN_SIDE}x{MIN_SIDE} is needed."
        )
    return MediaInfo(
        path=str(path),
        container=c.format.name,
        size_bytes=path.stat().st_size,
        duration_s=duration,
        width=w,
        height=h,
        rotation=rotation,
        fps=fps,
        video_codec=vs.codec_context.name,
        has_audio=aus is not None,
        audio_codec=aus.codec_context.name if aus is not None else None,
        audio_channels=aus.codec_context.channels if aus is not None else 0,
    )


def _target_size(w: int, h: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(w, h))
    # even sizes keep swscale and the encoders happy
    return max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)


def _upright(img: np.ndarray, rotation: int) -> np.ndarray:
    k = rotation // 90
    return np.ascontiguousarray(np.rot90(img, k=k)) if k else img


def decode(path: str | Path, options: DecodeOptions = DecodeOptions()) -> DecodedVideo:
    """Probe and decode a video: sampled frames, thumbnails and 16 kHz mono audio.

    Raises:
        The errors of :func:`decode_frames`.
    """
    from dataclasses import replace

    video = decode_frames(path, options)
    if not video.info.has_audio:
        return video
    return replace(video, audio=decode_audio(path))


def decode_frames(path: str | Path, options: DecodeOptions = DecodeOptions()) -> DecodedVideo:
    """Probe and decode the pictures of a video (``audio`` is left empty).

    Frames are taken by presentation time, so variable frame rate files sample evenly.

    Raises:
        The errors of :func:`probe`, and NoFramesError when no frame decodes or
        NotAVideoError when the stream breaks off well before its declared end.
    """
    import av

    path = Path(path)
    with _open(path) as c:
        # rotation comes with the first decoded frame; it is fixed up below
        info = _probe_container(c, path, options.max_duration_s, rotation=0)
        vs = c.streams.video[0]
        vs.thread_type = "AUTO"
        # Non-reference frames are never needed at a few samples a second; skipping them
        # halves decoding of typical H.264 / HEVC with B-frames and changes nothing else.
        vs.codec_context.skip_frame = "NONREF"
        rot = 0
        fw, fh = _target_size(info.width, info.height, options.max_side)
        # analysis frames go straight into one array (np.stack of a list would copy them
        # all once more and double the peak memory); sized from the declared duration
        frames = _FrameBuffer(int(info.duration_s * options.sample_fps) + 4)
        frame_times: list[float] = []
        thumbs: list[np.ndarray] = []
        thumb_times: list[float] = []
        next_frame_t = 0.0
        next_thumb_t = 0.0
        n = 0
        intervals: list[float] = []
        last_t: float | None = None
        first_t: float | None = None
        try:
            for frame in c.decode(vs):
                if frame.time is None:
                    continue
                t = float(frame.time)
                if first_t is None:
                    first_t = t
                    rot = int(round(frame.rotation / 90.0)) * 90 % 360
                t -= first_t  # some files start at a non-zero pts
                if t > options.max_duration_s + 1:
                    raise VideoTooLongError(
                        f"{path.name} runs past {options.max_duration_s:.0f} s; "
                        "trim it or raise the limit (SELLSCOPE_MAX_DURATION_S)."
                    )
                n += 1
                if last_t is not None:
                    intervals.append(t - last_t)
                last_t = t
                if t + 1e-6 >= next_thumb_t:
                    # area averaging: the right filter for a big downscale, and twice as
                    # fast as swscale's default bicubic
                    th = frame.to_ndarray(
                        format="bgr24", width=THUMB_SIZE, height=THUMB_SIZE, interpolation="AREA"
                    )
                    thumbs.append(_upright(th, rot))
                    thumb_times.append(t)
                    next_thumb_t = _advance(next_thumb_t, t, options.cut_fps)
                if t + 1e-6 >= next_frame_t:
                    img = frame.to_ndarray(format="bgr24", width=fw, height=fh)
                    frames.append(_upright(img, rot))
                    frame_times.append(t)
                    next_frame_t = _advance(next_frame_t, t, options.sample_fps)
        except av.error.FFmpegError as e:
            if not frames:
                raise NotAVideoError(
                    f"{path.name}: the video data cannot be decoded ({e}). "
                    "The file is damaged or truncated; export it again."
                ) from e
    if not frames:
        raise NoFramesError(f"{path.name} has a video track but no decodable frames.")
    decoded_span = (last_t or 0.0) + (1.0 / info.fps if info.fps else 0.0)
    if info.duration_s > 2.0 and decoded_span < options.min_coverage * info.duration_s:
        raise NotAVideoError(
            f"{path.name} declares {info.duration_s:.1f} s but only {decoded_span:.1f} s of "
            "pictures decode: the file is truncated. Upload the complete file."
        )
    vfr = bool(intervals) and bool(np.std(intervals) > 0.1 * max(np.mean(intervals), 1e-6))
    duration = max(info.duration_s, decoded_span) if info.duration_s else decoded_span
    w, h = (info.height, info.width) if rot in (90, 270) else (info.width, info.height)
    info = _replace(
        info,
        width=w,
        height=h,
        rotation=rot,
        duration_s=duration,
        variable_frame_rate=vfr,
        decoded_frames=n,
    )
    return DecodedVideo(
        info=info,
        frame_times=np.asarray(frame_times, np.float64),
        frames=frames.array(),
        thumb_times=np.asarray(thumb_times, np.float64),
        thumbs=np.stack(thumbs),
    )


class _FrameBuffer:
    """A growable ``(N, H, W, 3)`` uint8 array filled one decoded frame at a time.

    Rotation is only known from the first decoded frame, so the buffer takes the shape of
    the first frame appended.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = max(1, capacity)
        self._buf: np.ndarray | None = None
        self._n = 0

    def __len__(self) -> int:  # also its truth: empty until the first frame
        return self._n

    def append(self, img: np.ndarray) -> None:
        if self._buf is None:
            self._buf = np.empty((self._capacity, *img.shape), np.uint8)
        elif self._n == len(self._buf):  # the declared duration was short: grow by half
            grown = np.empty((len(self._buf) * 3 // 2 + 1, *img.shape), np.uint8)
            grown[: self._n] = self._buf
            self._buf = grown
        self._buf[self._n] = img
        self._n += 1

    def array(self) -> np.ndarray:
        assert self._buf is not None
        # a declared duration far too long leaves most of the buffer unused: don't keep it
        used = self._buf[: self._n]
        return used if self._n >= 0.8 * len(self._buf) else used.copy()


def _advance(next_t: float, t: float, fps: float) -> float:
    step = 1.0 / fps
    next_t += step
    if next_t <= t:  # a gap in a VFR stream: don't emit a burst of catch-up samples
        next_t = t + step
    return next_t


def _replace(info: MediaInfo, **kw: object) -> MediaInfo:
    from dataclasses import replace

    return replace(info, **kw)


def decode_audio(path: str | Path) -> np.ndarray:
    """Decode the first audio track to 16 kHz mono float32 (channels averaged).

    Channels are averaged after resampling rather than downmixed by the resampler's
    matrix, so a speaker alone on one channel is kept.
    """
    import av

    path = Path(path)
    chunks: list[np.ndarray] = []
    with _open(path) as c:
        if not c.streams.audio:
            return np.zeros(0, np.float32)
        stream = c.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", rate=AUDIO_RATE)
        try:
            for frame in c.decode(stream):
                frame.pts = None
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().mean(axis=0))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().mean(axis=0))
        except av.error.FFmpegError:
            pass  # a damaged audio tail: keep what decoded (the video check catches truncation)
    if not chunks:
        return np.zeros(0, np.float32)
    return np.concatenate(chunks).astype(np.float32, copy=False)
