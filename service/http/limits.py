"""Limits that protect the service: request size, content type and video duration.

The size of a request is checked before its body is read (``Content-Length``) and while it
streams in (chunked uploads), so an oversized upload never reaches the disk. The type of
an upload is decided by its bytes (container signatures, then a PyAV probe), never by its
file name: a text file named ``.mp4`` is refused as text, and only the demuxers of common
video containers ever see untrusted bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.errors import NotAVideoError
from service.http.errors import ErrorReply, UnsupportedMediaError, UploadTooLargeError
from service.media import MediaInfo, probe

MB = 1024 * 1024
FORM_ALLOWANCE = 64 * 1024  # multipart boundaries and the metadata fields
DRAIN_CAP = 32 * MB  # read and drop this much of an oversized body so the client sees 413


@dataclass(frozen=True)
class Limits:
    """The configured limits (environment variables, read at start-up)."""

    max_upload_mb: float = 100.0
    max_batch_mb: float = 400.0
    max_batch_files: int = 20
    max_duration_s: float = 300.0

    @classmethod
    def from_env(cls) -> Limits:
        """From ``SELLSCOPE_MAX_UPLOAD_MB``, ``_MAX_BATCH_MB``, ``_MAX_BATCH_FILES``.

        The duration limit is the extraction's (``SELLSCOPE_MAX_DURATION_S``).
        """
        from service.extract import ExtractOptions

        upload = float(os.environ.get("SELLSCOPE_MAX_UPLOAD_MB", cls.max_upload_mb))
        return cls(
            max_upload_mb=upload,
            max_batch_mb=float(os.environ.get("SELLSCOPE_MAX_BATCH_MB", 4 * upload)),
            max_batch_files=int(os.environ.get("SELLSCOPE_MAX_BATCH_FILES", cls.max_batch_files)),
            max_duration_s=ExtractOptions.from_env().decode.max_duration_s,
        )

    @property
    def max_upload_bytes(self) -> int:
        """The largest single video file."""
        return int(self.max_upload_mb * MB)

    def body_limit(self, batch: bool) -> int:
        """The largest request body of a single-video (or a batch) endpoint."""
        return int((self.max_batch_mb if batch else self.max_upload_mb) * MB) + FORM_ALLOWANCE


# ---------------------------------------------------------------- content type


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say it is."""

    family: str  # video, audio, image, document, text, empty or unknown
    name: str  # e.g. MP4, WebM/Matroska, WAV, PNG


_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ")
_IMAGE_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis")
_QT_ATOMS = (b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot")

# (offset, signature, family, name); checked in order, after the ISO-BMFF box test
_SIGNATURES: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x1a\x45\xdf\xa3", "video", "WebM/Matroska"),
    (0, b"FLV\x01", "video", "FLV"),
    (0, b"\x00\x00\x01\xba", "video", "MPEG-PS"),
    (0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "video", "ASF/WMV"),
    (0, b"OggS", "video", "Ogg"),  # may hold only audio: the probe tells
    (0, b"fLaC", "audio", "FLAC"),
    (0, b"ID3", "audio", "MP3"),
    (0, b"#!AMR", "audio", "AMR"),
    (0, b"\x89PNG", "image", "PNG"),
    (0, b"\xff\xd8\xff", "image", "JPEG"),
    (0, b"GIF8", "image", "GIF"),
    (0, b"%PDF", "document", "PDF"),
    (0, b"PK\x03\x04", "document", "ZIP"),
)


def sniff(head: bytes) -> Sniffed:
    """Recognise a file from its first bytes (512 are plenty)."""
    if not head:
        return Sniffed("empty", "empty")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return Sniffed("audio", "M4A")
        if brand in _IMAGE_BRANDS:
            return Sniffed("image", "HEIF/AVIF")
        return Sniffed("video", "MOV" if brand == b"qt  " else "MP4")
    if len(head) >= 8 and head[4:8] in _QT_ATOMS:
        return Sniffed("video", "MOV")
    if head[:4] == b"RIFF" and len(head) >= 12:
        kind = head[8:12]
        if kind == b"AVI ":
            return Sniffed("video", "AVI")
        if kind == b"WAVE":
            return Sniffed("audio", "WAV")
        return Sniffed("unknown", f"RIFF {kind.decode('latin-1').strip()}")
    if head[0] == 0x47 and len(head) >= 377 and head[188] == head[376] == 0x47:
        return Sniffed("video", "MPEG-TS")
    for offset, sig, family, name in _SIGNATURES:
        if head[offset : offset + len(sig)] == sig:
            return Sniffed(family, name)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0:
        return Sniffed("audio", "MP3/AAC")
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:
            if e.start < len(head) - 3:  # a multi-byte character cut at the end is still text
                return Sniffed("unknown", "unknown")
        return Sniffed("text", "text")
    return Sniffed("unknown", "unknown")


def check_video(path: Path, limits: Limits) -> MediaInfo:
    """Refuse what is not a video we can analyse, from its content; return its facts.

    Raises:
        NotAVideoError: empty, an audio file, unreadable, or without a video track (422).
        UnsupportedMediaError: the bytes are no video container (415).
        UploadTooLargeError: the file is over the upload limit (413).
        VideoTooLongError: over the duration limit (422; the message says the limit).
        VideoTooSmallError: a picture side under 16 pixels (422).
        VideoTooShortError: under 1 s (422).
    """
    size = path.stat().st_size
    name = path.name
    if size == 0:
        raise NotAVideoError(f"{name} is empty (0 bytes). Upload the video file again.")
    if size > limits.max_upload_bytes:
        raise UploadTooLargeError(
            f"{name} is {size / MB:.1f} MB; the limit is {limits.max_upload_mb:g} MB per "
            "video (SELLSCOPE_MAX_UPLOAD_MB)."
        )
    with path.open("rb") as f:
        kind = sniff(f.read(512))
    if kind.family == "audio":
        raise NotAVideoError(
            f"{name} is an audio file ({kind.name}); sellscope needs a video with pictures."
        )
    if kind.family != "video":
        what = "text" if kind.family == "text" else f"{kind.name} ({kind.family})"
        raise UnsupportedMediaError(
            f"{name} is not a video: its content is {what}, whatever its name says. "
            "Upload an MP4, MOV, WebM, MKV or AVI video."
        )
    return probe(path, limits.max_duration_s)


# ---------------------------------------------------------------- request size


def _too_large(limit: int, size: int | None) -> ErrorReply:
    said = f"{size / MB:.1f} MB" if size is not None else "larger"
    return ErrorReply(
        413,
        UploadTooLargeError.code,
        f"the upload is {said}; the limit is {limit / MB:.0f} MB per request "
        "(SELLSCOPE_MAX_UPLOAD_MB, SELLSCOPE_MAX_BATCH_MB for batches).",
    )


class BodySizeMiddleware:
    """ASGI middleware: 413 for request bodies over the limit, declared or streamed.

    Args:
        app: the wrapped ASGI app.
        limits: the limits (``Limits.from_env()`` when omitted).
        batch_prefixes: paths whose requests carry many videos (the batch limit applies).
    """

    def __init__(
        self,
        app: Any,
        limits: Limits | None = None,
        batch_prefixes: tuple[str, ...] = ("/score_batch",),
    ) -> None:
        self.app = app
        self.limits = limits or Limits.from_env()
        self.batch_prefixes = batch_prefixes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limits.body_limit(scope["path"].startswith(self.batch_prefixes))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            if declared <= limit + DRAIN_CAP:
                await _drain(receive)  # a client still sending would not read our reply
            await _respond(send, _too_large(limit, declared))
            return
        seen = 0
        over = False
        started = False

        async def _receive() -> dict:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    # the app sees a disconnect and stops reading; we answer instead
                    return {"type": "http.disconnect"}
            return message

        async def _send(message: dict) -> None:
            nonlocal started
            if over:
                return  # swallow whatever the app says about the cut-off body
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _receive, _send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _respond(send, _too_large(limit, None))


def _content_length(scope: dict) -> int | None:
    for k, v in scope.get("headers", []):
        if k == b"content-length":
            try:
                return int(v)
            except ValueError:
                return None
    return None


async def _drain(receive: Callable) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _respond(send: Callable, reply: ErrorReply) -> None:
    response = reply.response()
    response.headers["connection"] = "close"
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> dict:
    return {"type": "http.disconnect"}
