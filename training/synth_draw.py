"""Pictures of the synthetic videos: backgrounds, a drawn product, a person, captions.

A video is a storyboard of shots (a background look that changes at each cut, the product
and a person-like figure placed in it) and timed captions. Every distinct layout (shot x
captions on screen) is drawn once and reused for all its frames, so drawing costs little
next to encoding. Text is drawn with PIL (libraqm shapes Thai) in Noto fonts; a Thai line
switches to the Latin font for digits and Latin words, which Noto Sans Thai lacks.
"""

from __future__ import annotations

import colorsys
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from service.errors import InputError

RGB = tuple[int, int, int]


class SynthError(InputError):
    """The synthetic video generator cannot run (missing tool, font or corpus items)."""

    code = "synth_error"


FONT_DIRS = Path("/usr/share/fonts")
# (file, face index): the .ttc collections hold JP, KR, SC, TC, HK faces; index 2 is SC
# (`fc-list -f '%{file}|%{index}|%{family[0]}\n' | grep NotoSansCJK`).
LATIN_FONTS = (
    (FONT_DIRS / "truetype/noto/NotoSans-Bold.ttf", 0),
    (FONT_DIRS / "truetype/dejavu/DejaVuSans-Bold.ttf", 0),
)
CJK_FONTS = (
    (FONT_DIRS / "opentype/noto/NotoSansCJK-Bold.ttc", 2),
    (FONT_DIRS / "opentype/noto/NotoSansCJK-Regular.ttc", 2),
)
THAI_FONTS = (
    (FONT_DIRS / "truetype/noto/NotoSansThai-Bold.ttf", 0),
    (FONT_DIRS / "truetype/noto/NotoSansThai-Regular.ttf", 0),
)
CAPTION_MAX_LINES = 4
CAPTION_WIDTH = 0.88  # share of the frame width a caption line may use
TEXTURES = ("plain", "stripes", "dots", "noise")
CATEGORY_SHAPES: dict[str, tuple[str, ...]] = {
    "beauty": ("tube", "bottle"),
    "skincare": ("bottle", "jar", "tube"),
    "health": ("bottle", "jar"),
    "food": ("box", "jar"),
    "baby": ("bottle", "box"),
    "kitchen": ("box", "jar"),
    "auto": ("bottle", "box"),
    "fitness": ("bottle", "box"),
    "home": ("box", "bottle"),
}
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
NO_LINE_START = frozenset("，。！？、；：）」』》”’,.!?;:)%")
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


# ---------------------------------------------------------------- text


def clean_text(text: str) -> str:
    """Text a font and a speech engine can render: emoji and other symbols removed."""
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cs", "Co", "Cn", "Cf") or ch in "\ufe0f\ufe0e#":
            kept.append(" ")
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


def _first_font(candidates: tuple[tuple[Path, int], ...], what: str) -> tuple[Path, int]:
    for path, index in candidates:
        if path.is_file():
            return path, index
    names = ", ".join(str(p) for p, _ in candidates)
    raise SynthError(f"no font for {what} captions (looked for {names}); run make setup")


@lru_cache(maxsize=64)
def load_font(kind: str, size: int):  # noqa: ANN201 - PIL.ImageFont.FreeTypeFont
    """A PIL font: ``kind`` is ``latin``, ``cjk`` or ``thai``.

    Raises:
        SynthError: no candidate font file is installed.
    """
    from PIL import ImageFont

    table = {"latin": LATIN_FONTS, "cjk": CJK_FONTS, "thai": THAI_FONTS}
    path, index = _first_font(table[kind], kind)
    return ImageFont.truetype(str(path), size=size, index=index)


def script_kind(lang: str) -> str:
    """The font family a language's captions are drawn in."""
    return {"zh": "cjk", "th": "thai"}.get(lang, "latin")


def text_runs(text: str, lang: str, size: int) -> list[tuple[str, object]]:
    """``(run, font)`` pieces: Thai script in the Thai font and the rest in the Latin font."""
    kind = script_kind(lang)
    if kind != "thai":
        return [(text, load_font(kind, size))] if text else []
    runs: list[tuple[str, object]] = []
    cur, cur_thai = "", None
    for ch in text:
        if cur_thai is not None and (not ch.strip() or unicodedata.category(ch) == "Mn"):
            is_thai = cur_thai  # spaces and combining marks stay with the run they are in
        else:
            is_thai = bool(_THAI.match(ch))
        if cur and is_thai != cur_thai:
            runs.append((cur, load_font("thai" if cur_thai else "latin", size)))
            cur = ""
        cur += ch
        cur_thai = is_thai
    if cur:
        runs.append((cur, load_font("thai" if cur_thai else "latin", size)))
    return runs


def text_width(text: str, lang: str, size: int) -> float:
    """Width in pixels of one line of text."""
    return sum(font.getlength(run) for run, font in text_runs(text, lang, size))  # type: ignore[attr-defined]


def _graphemes(word: str) -> list[str]:
    out: list[str] = []
    for ch in word:
        if out and unicodedata.category(ch) in ("Mn", "Mc"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap_text(text: str, lang: str, size: int, max_width: float) -> list[str]:
    """Greedy line wrap: at spaces, between CJK characters, and inside over-long words."""
    units: list[str] = []
    for tok in _TOKEN.findall(text):
        if not tok.strip():
            units.append(" ")
        elif tok in NO_LINE_START and units and units[-1] != " ":
            units[-1] += tok  # closing punctuation never starts a line
        elif text_width(tok, lang, size) > max_width:
            units.extend(_graphemes(tok))
        else:
            units.append(tok)
    lines: list[str] = []
    cur = ""
    for u in units:
        trial = cur + u
        if cur.strip() and text_width(trial.strip(), lang, size) > max_width:
            lines.append(cur.strip())
            cur = u.lstrip()
        else:
            cur = trial
    if cur.strip():
        lines.append(cur.strip())
    return lines


def caption_sprite(text: str, lang: str, frame_width: int) -> np.ndarray:
    """A caption as an RGBA image: white text, dark outline, on a translucent dark box."""
    from PIL import Image, ImageDraw

    max_w = CAPTION_WIDTH * frame_width - frame_width * 0.04
    size = max(10, int(frame_width / (16 if script_kind(lang) == "latin" else 15)))
    lines = wrap_text(text, lang, size, max_w)
    while len(lines) > CAPTION_MAX_LINES and size > frame_width / 32:
        size = int(size * 0.9)
        lines = wrap_text(text, lang, size, max_w)
    pad = max(4, size // 3)
    line_h = int(size * 1.45)
    widths = [text_width(line, lang, size) for line in lines] or [0.0]
    w = int(max(widths)) + 2 * pad
    h = line_h * len(lines) + 2 * pad
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=pad, fill=(0, 0, 0, 150))
    stroke = max(1, size // 14)
    for k, line in enumerate(lines):
        x = (w - widths[k]) / 2
        baseline = pad + k * line_h + int(size * 1.1)
        for run, font in text_runs(line, lang, size):
            draw.text(
                (x, baseline),
                run,
                font=font,
                fill=(255, 255, 255, 255),
                stroke_width=stroke,
                stroke_fill=(0, 0, 0, 255),
                anchor="ls",
            )
            x += font.getlength(run)  # type: ignore[attr-defined]
    return np.asarray(img)


# ---------------------------------------------------------------- looks


@dataclass(frozen=True)
class ProductLook:
    """The drawn product: a shape, its colours and the short label on it."""

    shape: str
    body: RGB
    cap: RGB
    label: str


@dataclass(frozen=True)
class PersonLook:
    """A simple person-like figure (head, hair, shoulders)."""

    skin: RGB
    hair: RGB
    shirt: RGB


@dataclass(frozen=True)
class ShotLook:
    """One shot: from ``start_s`` to the next cut.

    Attributes:
        start_s: first frame time of the shot (a multiple of 1/fps).
        top, bottom: gradient colours (RGB).
        texture: one of ``TEXTURES``.
        texture_seed: fixes the texture's pattern.
        product: whether the product is in the shot.
        product_xy: product centre as shares of width and height.
        product_scale: size relative to the default.
        person: whether the person-like figure is in the shot.
        person_left: figure on the left (else right) side.
    """

    start_s: float
    top: RGB
    bottom: RGB
    texture: str
    texture_seed: int
    product: bool
    product_xy: tuple[float, float]
    product_scale: float
    person: bool
    person_left: bool


@dataclass(frozen=True)
class CaptionLook:
    """A caption on screen on frames ``first_frame <= i < end_frame``."""

    text: str
    first_frame: int
    end_frame: int
    top: bool  # near the top (a hook title) instead of the lower third


@dataclass(frozen=True)
class Storyboard:
    """Everything the frames show."""

    size: tuple[int, int]
    fps: float
    lang: str
    shots: tuple[ShotLook, ...]
    captions: tuple[CaptionLook, ...]
    product: ProductLook
    person: PersonLook | None


def random_colour(
    rng: np.random.Generator, sat: tuple[float, float], val: tuple[float, float]
) -> RGB:
    """A colour of random hue with saturation and value in the given ranges."""
    r, g, b = colorsys.hsv_to_rgb(rng.random(), rng.uniform(*sat), rng.uniform(*val))
    return int(r * 255), int(g * 255), int(b * 255)


def product_look(category: str, label: str, rng: np.random.Generator) -> ProductLook:
    """A product look for a category (bottles for skincare, boxes for electronics ...)."""
    shapes = CATEGORY_SHAPES.get(category, ("box",))
    return ProductLook(
        shape=str(rng.choice(shapes)),
        body=random_colour(rng, (0.2, 0.8), (0.55, 0.95)),
        cap=random_colour(rng, (0.0, 0.5), (0.1, 0.5)),
        label=label,
    )


def person_look(rng: np.random.Generator) -> PersonLook:
    """A person-like figure with random skin, hair and shirt colours."""
    skins = ((241, 194, 167), (224, 172, 105), (198, 134, 66), (141, 85, 36), (255, 219, 172))
    return PersonLook(
        skin=skins[int(rng.integers(len(skins)))],
        hair=random_colour(rng, (0.2, 0.6), (0.05, 0.35)),
        shirt=random_colour(rng, (0.3, 0.9), (0.3, 0.9)),
    )


# ---------------------------------------------------------------- drawing


def background(shot: ShotLook, size: tuple[int, int]) -> np.ndarray:
    """The shot's background (RGB): a vertical gradient with a light texture and a table."""
    w, h = size
    ramp = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    top = np.asarray(shot.top, np.float32)
    bottom = np.asarray(shot.bottom, np.float32)
    img = np.broadcast_to(top * (1 - ramp) + bottom * ramp, (h, w, 3)).copy()
    yy, xx = np.mgrid[0:h, 0:w]
    if shot.texture == "stripes":
        period = max(8, w // 12)
        img += np.where(((xx + yy) // period) % 2 == 0, 12.0, -12.0)[..., None]
    elif shot.texture == "dots":
        period = max(8, w // 14)
        r2 = (xx % period - period / 2) ** 2 + (yy % period - period / 2) ** 2
        img += np.where(r2 < (period / 5) ** 2, 22.0, 0.0)[..., None]
    elif shot.texture == "noise":
        rng = np.random.default_rng(shot.texture_seed)
        small = rng.normal(0.0, 14.0, (h // 16 + 1, w // 16 + 1)).astype(np.float32)
        img += np.kron(small, np.ones((16, 16), np.float32))[:h, :w, None]
    table = int(h * 0.62)
    img[table:] *= 0.72  # a surface the product stands on
    return np.clip(img, 0, 255).astype(np.uint8)


def product_sprite(look: ProductLook, width: int) -> np.ndarray:
    """The product as an RGBA image about ``width`` pixels wide."""
    from PIL import Image, ImageDraw

    w = width
    h = int(width * (1.7 if look.shape in ("bottle", "tube") else 1.15))
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    body, cap = (*look.body, 255), (*look.cap, 255)
    dark = tuple(int(c * 0.7) for c in look.body) + (255,)
    if look.shape == "bottle":
        d.rectangle((w * 0.38, h * 0.02, w * 0.62, h * 0.14), fill=cap)
        d.rectangle((w * 0.42, h * 0.13, w * 0.58, h * 0.22), fill=body)
        d.rounded_rectangle((w * 0.12, h * 0.2, w * 0.88, h * 0.99), radius=w * 0.16, fill=body)
        label_box = (w * 0.18, h * 0.45, w * 0.82, h * 0.72)
    elif look.shape == "tube":
        d.rectangle((w * 0.36, h * 0.84, w * 0.64, h * 0.99), fill=cap)
        d.polygon(
            [(w * 0.14, h * 0.03), (w * 0.86, h * 0.03), (w * 0.7, h * 0.85), (w * 0.3, h * 0.85)],
            fill=body,
        )
        d.rectangle((w * 0.14, h * 0.03, w * 0.86, h * 0.08), fill=dark)
        label_box = (w * 0.24, h * 0.3, w * 0.76, h * 0.55)
    elif look.shape == "jar":
        d.rounded_rectangle((w * 0.1, h * 0.05, w * 0.9, h * 0.3), radius=w * 0.05, fill=cap)
        d.rounded_rectangle((w * 0.06, h * 0.26, w * 0.94, h * 0.99), radius=w * 0.12, fill=body)
        label_box = (w * 0.14, h * 0.45, w * 0.86, h * 0.8)
    else:  # box: front, top and side faces
        d.polygon(
            [(w * 0.04, h * 0.2), (w * 0.22, h * 0.02), (w * 0.98, h * 0.02), (w * 0.8, h * 0.2)],
            fill=cap,
        )
        d.polygon(
            [(w * 0.8, h * 0.2), (w * 0.98, h * 0.02), (w * 0.98, h * 0.82), (w * 0.8, h * 0.99)],
            fill=dark,
        )
        d.rectangle((w * 0.04, h * 0.2, w * 0.8, h * 0.99), fill=body)
        label_box = (w * 0.1, h * 0.45, w * 0.74, h * 0.72)
    d.rounded_rectangle(label_box, radius=w * 0.03, fill=(250, 250, 245, 255))
    _fit_label(d, look.label, label_box)
    return np.asarray(img)


def _fit_label(draw, text: str, box: tuple[float, float, float, float]) -> None:  # noqa: ANN001
    x0, y0, x1, y1 = box
    size = max(8, int((y1 - y0) * 0.6))
    while size > 8 and load_font("latin", size).getlength(text) > (x1 - x0) * 0.9:
        size -= 1
    font = load_font("latin", size)
    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), text, font=font, fill=(30, 30, 40, 255), anchor="mm")


def person_sprite(look: PersonLook, width: int) -> np.ndarray:
    """A head-and-shoulders figure as an RGBA image ``width`` pixels wide."""
    from PIL import Image, ImageDraw

    w, h = width, int(width * 1.5)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, h * 0.55, w - 1, h - 1), radius=w * 0.3, fill=(*look.shirt, 255))
    d.rectangle((w * 0.4, h * 0.42, w * 0.6, h * 0.6), fill=(*look.skin, 255))
    d.ellipse((w * 0.22, h * 0.04, w * 0.78, h * 0.5), fill=(*look.hair, 255))
    d.ellipse((w * 0.27, h * 0.1, w * 0.73, h * 0.5), fill=(*look.skin, 255))
    eye = (40, 30, 30, 255)
    d.ellipse((w * 0.37, h * 0.26, w * 0.43, h * 0.3), fill=eye)
    d.ellipse((w * 0.57, h * 0.26, w * 0.63, h * 0.3), fill=eye)
    d.arc((w * 0.42, h * 0.32, w * 0.58, h * 0.42), 20, 160, fill=(150, 60, 60, 255), width=3)
    return np.asarray(img)


def paste(img: np.ndarray, sprite: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend an RGBA sprite onto an RGB image in place, top-left at ``(x, y)``."""
    h, w = img.shape[:2]
    sh, sw = sprite.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(w, x + sw), min(h, y + sh)
    if x0 >= x1 or y0 >= y1:
        return
    part = sprite[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
    alpha = part[..., 3:4] / 255.0
    region = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (part[..., :3] * alpha + region * (1 - alpha)).astype(np.uint8)


class FrameRenderer:
    """Draws the frames of a storyboard, each distinct layout once.

    Call it as ``renderer(index, seconds)`` (``training.render.FrameFn``): it returns a BGR
    image of the storyboard's size.
    """

    def __init__(self, board: Storyboard) -> None:
        self.board = board
        w, _ = board.size
        self._product = product_sprite(board.product, int(w * 0.36))
        self._person = person_sprite(board.person, int(w * 0.42)) if board.person else None
        self._captions = [caption_sprite(c.text, board.lang, w) for c in board.captions]
        self._shot_frames = [int(round(s.start_s * board.fps)) for s in board.shots]
        self._bases: dict[int, np.ndarray] = {}
        self._layouts: dict[tuple[int, tuple[int, ...]], np.ndarray] = {}

    @property
    def layouts_drawn(self) -> int:
        """How many distinct frames were drawn so far."""
        return len(self._layouts)

    def shot_index(self, frame: int) -> int:
        """The shot a frame belongs to."""
        k = 0
        for j, first in enumerate(self._shot_frames):
            if first <= frame:
                k = j
        return k

    def _base(self, k: int) -> np.ndarray:
        if k not in self._bases:
            shot = self.board.shots[k]
            w, h = self.board.size
            img = background(shot, self.board.size)
            if self._person is not None and shot.person:
                ph, pw = self._person.shape[:2]
                x = int(w * 0.02) if shot.person_left else w - pw - int(w * 0.02)
                paste(img, self._person, x, int(h * 0.62) - ph)
            if shot.product:
                sprite = _scaled(self._product, shot.product_scale)
                sh, sw = sprite.shape[:2]
                cx, cy = shot.product_xy
                paste(img, sprite, int(cx * w - sw / 2), int(cy * h - sh / 2))
            self._bases[k] = img
        return self._bases[k]

    def __call__(self, index: int, t: float) -> np.ndarray:
        k = self.shot_index(index)
        active = tuple(
            j for j, c in enumerate(self.board.captions) if c.first_frame <= index < c.end_frame
        )
        key = (k, active)
        if key not in self._layouts:
            img = self._base(k).copy()
            w, h = self.board.size
            for j in active:
                sprite = self._captions[j]
                sh, sw = sprite.shape[:2]
                y = int(h * 0.1) if self.board.captions[j].top else int(h * 0.7)
                paste(img, sprite, (w - sw) // 2, min(y, h - sh - 2))
            self._layouts[key] = np.ascontiguousarray(img[..., ::-1])
        return self._layouts[key]


def _scaled(sprite: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-3:
        return sprite
    import cv2

    h, w = sprite.shape[:2]
    return cv2.resize(sprite, (max(1, int(w * scale)), max(1, int(h * scale))))
