"""PIL line drawing for the benchmark: an ink mask of one line of text, sized
to fit, and compositing of that mask onto a background in a colour."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from bench.fonts import Style, open_font

MAX_W, MAX_H = 1000, 200  # largest test image


class DrawError(ValueError):
    """Text that draws no ink in a font (e.g. characters it lacks)."""


def text_width(style: Style, text: str, size: int) -> int:
    box = open_font(style, size).getbbox(text, anchor="ls")
    return int(box[2] - box[0])


def fit_size(style: Style, text: str, size: int, max_width: int, min_size: int = 8) -> int:
    """``size``, reduced until the ink of ``text`` is at most ``max_width`` wide."""
    while size > min_size and text_width(style, text, size) > max_width:
        size = max(min_size, int(size * 0.92))
    return size


def ink_mask(style: Style, text: str, size: int, pad: tuple[int, int] = (0, 0)) -> np.ndarray:
    """(H, W) float32 ink coverage 0..1 of ``text`` at ``size`` px, tight to the ink
    plus ``pad`` = (x, y) pixels of paper on each side."""
    font = open_font(style, size)
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls")
    if x1 <= x0 or y1 <= y0:
        raise DrawError(f"{text!r} draws no ink in {style.path.name}")
    px, py = pad
    img = Image.new("L", (x1 - x0 + 2 * px, y1 - y0 + 2 * py), 0)
    ImageDraw.Draw(img).text((px - x0, py - y0), text, font=font, fill=255, anchor="ls")
    return np.asarray(img, dtype=np.float32) / 255.0


def composite(background: np.ndarray, alpha: np.ndarray, colour: tuple[float, float, float],
              at: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Paint ``colour`` through ``alpha`` (H, W, 0..1) onto an (H, W, 3) float image at (x, y)."""
    out = background.astype(np.float32).copy()
    x, y = at
    h, w = alpha.shape
    region = out[y:y + h, x:x + w]
    a = alpha[: region.shape[0], : region.shape[1], None]
    region[...] = region * (1.0 - a) + np.asarray(colour, np.float32) * a
    return out


def to_image(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8))


def fit_within(img: Image.Image, max_w: int = MAX_W, max_h: int = MAX_H) -> Image.Image:
    """Shrink (never enlarge) to fit ``max_w`` x ``max_h``."""
    scale = min(1.0, max_w / img.width, max_h / img.height)
    if scale >= 1.0:
        return img
    size = (max(1, int(img.width * scale)), max(1, int(img.height * scale)))
    return img.resize(size, Image.LANCZOS)


def solid(h: int, w: int, colour: tuple[float, float, float]) -> np.ndarray:
    return np.broadcast_to(np.asarray(colour, np.float32), (h, w, 3)).copy()
