"""What the evidence stages find, as frozen values that serialise to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from service.media import MediaInfo
from service.serialize import from_dict

EVIDENCE_SCHEMA_VERSION = "1.2"  # 1.1: Word.joined; loops collapsed; VAD sentence breaks
# 1.2: speech regions inside the audio; segments Whisper calls silence (music) dropped


@dataclass(frozen=True)
class Cut:
    """A hard cut: the first frame of a new shot."""

    time_s: float
    strength: float


@dataclass(frozen=True)
class FaceFrame:
    """Faces found in one analysis frame."""

    time_s: float
    count: int
    largest_area: float  # share of the frame covered by the largest face, 0-1


@dataclass(frozen=True)
class Caption:
    """A line of on-screen text and how long it stays on screen."""

    text: str
    start_s: float
    end_s: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame
    confidence: float


@dataclass(frozen=True)
class Word:
    """A recognised word (a character for Chinese) with its time."""

    text: str
    start_s: float
    end_s: float
    probability: float
    joined: bool = False  # written onto the previous word with no space (j + 'espère)


@dataclass(frozen=True)
class Segment:
    """A transcript segment (roughly a sentence) with its words."""

    text: str
    start_s: float
    end_s: float
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeechRegion:
    """A stretch of audio where voice activity detection heard speech."""

    start_s: float
    end_s: float


@dataclass(frozen=True)
class Transcript:
    """What is said, in which language, and when."""

    language: str | None
    language_probability: float
    language_source: str  # "given", "detected", or "none" (no speech)
    segments: tuple[Segment, ...] = ()
    speech_regions: tuple[SpeechRegion, ...] = ()

    @property
    def text(self) -> str:
        """The whole transcript as one string."""
        sep = "" if self.language in ("zh", "ja", "th") else " "
        return sep.join(s.text for s in self.segments).strip()

    @property
    def words(self) -> tuple[Word, ...]:
        """Every word in order."""
        return tuple(w for s in self.segments for w in s.words)


@dataclass(frozen=True)
class Pacing:
    """How fast the video moves."""

    words_per_second: float  # while speaking; characters per second for zh / ja / th
    speech_share: float  # share of the video with speech
    dead_air_share: float  # share of the video with no speech at all
    longest_dead_air_s: float
    cuts_per_10s: float
    mean_shot_s: float


@dataclass(frozen=True)
class KeyFrame:
    """A small still of the video (JPEG, base64) at a time."""

    time_s: float
    jpeg_b64: str


@dataclass(frozen=True)
class VideoEvidence:
    """Everything the evidence stages found in one video."""

    media: MediaInfo
    cuts: tuple[Cut, ...]
    faces: tuple[FaceFrame, ...]
    captions: tuple[Caption, ...]
    transcript: Transcript
    pacing: Pacing
    stage_seconds: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # role -> store tag
    keyframes: tuple[KeyFrame, ...] = ()  # stills for the report, one a second
    schema_version: str = EVIDENCE_SCHEMA_VERSION

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        d = asdict(self)
        d["transcript"]["text"] = self.transcript.text
        return d

    def to_json(self, indent: int | None = 2) -> str:
        """The evidence as JSON text (UTF-8 characters kept as they are)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict) -> VideoEvidence:
        """Rebuild from :meth:`to_dict` output (derived keys are ignored)."""
        return from_dict(cls, data)
