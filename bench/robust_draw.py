"""Test pictures of one kind each, as people take them: turned, tilted, stacked, on an arc,
hollow, underlined, struck through, shadowed, letter-spaced, gradient-filled; each kind
is drawn from the same (style, text) as its plain straight control.

Every function takes (style, text, size, rng) and returns an (H, W, 3) uint8 picture,
dark ink on a light background. Drawing uses bench.fonts (PIL), not the training renderer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from bench.draw import ink_mask
from bench.fonts import Style, open_font

INK, PAPER = 25.0, 248.0
Draw = Callable[[Style, str, int, np.random.Generator], np.ndarray]


def _paper(alpha: np.ndarray, pad: int, colour: np.ndarray | None = None) -> np.ndarray:
    """Ink coverage (H, W) 0..1 -> picture with ``pad`` px of paper around it."""
    a = np.pad(alpha, pad)[..., None]
    ink = np.full(3, INK, np.float32) if colour is None else np.pad(colour, ((pad, pad), (pad, pad), (0, 0)))
    return np.clip(PAPER * (1 - a) + ink * a, 0, 255).astype(np.uint8)


def plain(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    return _paper(ink_mask(style, text, size), size // 2)


def turned(k: int) -> Draw:
    """The plain picture turned k quarter turns counterclockwise."""
    def draw(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
        return np.ascontiguousarray(np.rot90(plain(style, text, size, rng), k))
    return draw


def tilted(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """The line at a small angle: 8-25 degrees either way."""
    angle = float(rng.uniform(8, 25) * rng.choice([-1, 1]))
    img = Image.fromarray(plain(style, text, size, rng))
    return np.asarray(img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(int(PAPER),) * 3))


def stacked(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Letters one per row, centred (a shop sign's vertical lettering): the first word."""
    word = max(text.split(), key=len)[:7]
    rows = [ink_mask(style, c, size) for c in word if not c.isspace()]
    w = max(r.shape[1] for r in rows)
    gap = size // 6
    out = np.zeros((sum(r.shape[0] for r in rows) + gap * (len(rows) - 1), w), np.float32)
    y = 0
    for r in rows:
        x = (w - r.shape[1]) // 2
        out[y:y + r.shape[0], x:x + r.shape[1]] = r
        y += r.shape[0] + gap
    return _paper(out, size // 2)


def arc(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Letters along a circular arc (a badge), upright at its top; bending 60-120 degrees."""
    font = open_font(style, size)
    total = font.getlength(text)
    sweep = np.radians(rng.uniform(60, 120))
    radius = total / sweep
    canvas = int(2 * radius + 4 * size)
    img = Image.new("L", (canvas, canvas), 0)
    cx = cy = canvas / 2
    pos = -total / 2
    for ch in text:
        adv = font.getlength(ch)
        if not ch.isspace():
            theta = (pos + adv / 2) / radius  # angle from the top, clockwise
            glyph = Image.new("L", (int(adv + size), int(2 * size)), 0)
            ImageDraw.Draw(glyph).text((size / 2, 1.4 * size), ch, font=font, fill=255, anchor="ls")
            glyph = glyph.rotate(-np.degrees(theta), resample=Image.BICUBIC, expand=True)
            # baseline point on the circle; the glyph box centre sits 0.4 size above it
            bx, by = cx + radius * np.sin(theta), cy - radius * np.cos(theta)
            ox, oy = bx - 0.4 * size * np.sin(theta), by + 0.4 * size * np.cos(theta) - 0.4 * size * 2 * np.cos(theta)
            img.paste(255, (int(ox - glyph.width / 2), int(oy - glyph.height / 2)), glyph)
        pos += adv
    a = np.asarray(img, np.float32) / 255.0
    ys, xs = np.nonzero(a > 0.05)
    a = a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    return _paper(a, size // 2)


def _line(style: Style, text: str, size: int, stroke: int = 0, outline_only: bool = False) -> tuple[np.ndarray, int]:
    """Ink coverage of the line drawn with PIL (optionally an outline only) and its baseline row."""
    font = open_font(style, size)
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls", stroke_width=stroke)
    pad = size // 4
    img = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 0)
    kw = {"fill": 0, "stroke_width": stroke, "stroke_fill": 255} if outline_only else {"fill": 255}
    ImageDraw.Draw(img).text((pad - x0, pad - y0), text, font=font, anchor="ls", **kw)
    return np.asarray(img, np.float32) / 255.0, pad - y0


def outlined(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Hollow letters: an outline 3-5 % of the size thick, no fill."""
    stroke = max(1, int(round(size * rng.uniform(0.03, 0.05))))
    return _paper(_line(style, text, size, stroke, outline_only=True)[0], size // 2)


def outlined_centred(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Hollow letters as CSS text-stroke and drawing programs draw them: an outline 3-5 % of
    the size thick centred on the letters' edge (``outlined``'s lies outside it), drawn 4x
    larger and reduced so that it is anti-aliased."""
    import cv2

    stroke, k = size * rng.uniform(0.03, 0.05), 4
    solid = (np.pad(ink_mask(style, text, size * k), size * k // 2) >= 0.5).astype(np.uint8)  # paper around
    r = max(1, int(round(stroke * k / 2)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    ring = (cv2.dilate(solid, disc) & (1 - cv2.erode(solid, disc))).astype(np.float32)
    small = cv2.resize(ring, (ring.shape[1] // k, ring.shape[0] // k), interpolation=cv2.INTER_AREA)  # coverage
    return _paper(small, 0)


def ruled(where: float) -> Draw:
    """A line across the whole text, ``where`` x the size above the baseline (negative: below)."""
    def draw(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
        a, base = _line(style, text, size)
        t = max(2, int(round(size * rng.uniform(0.05, 0.08))))
        y = int(base - where * size)
        a = np.pad(a, ((size // 2, size // 2), (0, 0)))
        y += size // 2
        a[y - t // 2:y - t // 2 + t, size // 8:a.shape[1] - size // 8] = 1.0
        return _paper(a, size // 2)
    return draw


def shadowed(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A grey drop shadow offset down-right by 6-10 % of the size under dark letters."""
    a, _ = _line(style, text, size)
    d = max(2, int(round(size * rng.uniform(0.06, 0.1))))
    h, w = a.shape
    shadow = np.zeros((h + d, w + d), np.float32)
    shadow[d:, d:] = a
    front = np.zeros_like(shadow)
    front[:h, :w] = a
    tone = PAPER * (1 - shadow) + 150.0 * shadow  # grey shadow first
    out = tone * (1 - front) + INK * front
    pad = size // 2
    return np.repeat(np.pad(out, pad, constant_values=PAPER)[..., None], 3, axis=2).astype(np.uint8)


def spaced(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Wide letter-spacing: 0.25-0.6 em added after every letter."""
    font = open_font(style, size)
    extra = size * rng.uniform(0.25, 0.6)
    width = int(font.getlength(text) + extra * len(text) + size)
    img = Image.new("L", (width, int(2 * size)), 0)
    x = size / 2
    for ch in text:
        ImageDraw.Draw(img).text((x, 1.4 * size), ch, font=font, fill=255, anchor="ls")
        x += font.getlength(ch) + extra
    a = np.asarray(img, np.float32) / 255.0
    ys, xs = np.nonzero(a > 0.05)
    return _paper(a[ys.min():ys.max() + 1, xs.min():xs.max() + 1], size // 2)


def gradient(style: Style, text: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Letters filled with a left-to-right colour gradient between two dark-ish colours."""
    a = ink_mask(style, text, size)
    c0, c1 = rng.uniform(0, 110, 3), rng.uniform(60, 170, 3)
    t = np.linspace(0, 1, a.shape[1], dtype=np.float32)[None, :, None]
    colour = (c0 * (1 - t) + c1 * t) * np.ones((a.shape[0], 1, 1), np.float32)
    return _paper(a, size // 2, colour)


KINDS: dict[str, Draw] = {
    "control": plain, "rotate-90": turned(1), "rotate-180": turned(2), "rotate-270": turned(3),
    "tilt": tilted, "vertical-stack": stacked, "arc": arc, "outline": outlined,
    "underline": ruled(-0.12), "strike-through": ruled(0.3), "shadow": shadowed,
    "letter-spacing": spaced, "gradient": gradient,
    "outline-centred": outlined_centred,  # last: the other kinds keep their place (their draws' seeds) in a full run
}
