"""Text and background colours of a region, and the ink coverage map they give.

Robust to anti-aliasing and JPEG: the background is the median of the pixels around
the region that no glyph box covers; the text colour is the median of the pixels
inside glyph boxes that lie farthest from the background (the solid cores of the
strokes, never the blended edges, and of those the ones inside a 3x3 block of ink). Coverage (0 = paper, 1 = solid ink) is each
pixel's projection on the background -> text line, which is what subpixel glyph
heights are measured on.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from typography.types import Box

CORE_SHARE = 0.80  # pixels at least this share of the far ink distance are stroke cores
FAR_QUANTILE = 0.98  # the "far" distance, robust to a few JPEG overshoots
MIN_CONTRAST = 24.0
MIN_INNER = 12  # RGB distance below which text and background are not told apart


def hex_colour(rgb: Sequence[float]) -> str:
    r, g, b = (int(np.clip(round(float(v)), 0, 255)) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def parse_hex(colour: str) -> np.ndarray:
    """'#rrggbb' -> (3,) float RGB 0..255."""
    c = colour.lstrip("#")
    return np.array([int(c[i:i + 2], 16) for i in (0, 2, 4)], np.float64)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0..255 (..., 3) -> CIELAB (..., 3), D65."""
    c = np.asarray(rgb, np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def delta_e(a: Sequence[float] | str, b: Sequence[float] | str) -> float:
    """CIE76 ΔE between two sRGB colours ('#rrggbb' or 0..255 triples)."""
    la, lb = (to_lab(parse_hex(x) if isinstance(x, str) else np.asarray(x, np.float64)) for x in (a, b))
    return float(np.linalg.norm(la - lb))


def glyph_mask(shape: tuple[int, int], boxes: Sequence[Box], origin: tuple[int, int], grow: int) -> np.ndarray:
    """(h, w) bool: pixels of a crop at ``origin`` inside any box grown by ``grow`` px."""
    mask = np.zeros(shape, bool)
    ox, oy = origin
    for x0, y0, x1, y1 in boxes:
        mask[max(0, y0 - oy - grow):max(0, y1 - oy + grow), max(0, x0 - ox - grow):max(0, x1 - ox + grow)] = True
    return mask


def region_colours(rgb: np.ndarray, boxes: Sequence[Box], margin: int) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(text RGB, background RGB, background spread) of the glyph ``boxes`` in ``rgb``
    ((H, W, 3) uint8), looking ``margin`` px around them for paper; None when the
    text does not stand out from its surroundings."""
    b = np.asarray(boxes)
    h, w = rgb.shape[:2]
    x0, y0 = max(0, int(b[:, 0].min()) - margin), max(0, int(b[:, 1].min()) - margin)
    x1, y1 = min(w, int(b[:, 2].max()) + margin), min(h, int(b[:, 3].max()) + margin)
    crop = rgb[y0:y1, x0:x1].astype(np.float64)  # (h, w, 3)
    inside = glyph_mask(crop.shape[:2], boxes, (x0, y0), 0)
    paper = ~glyph_mask(crop.shape[:2], boxes, (x0, y0), 2)
    if paper.sum() < 8 or inside.sum() < 4:
        return None
    bg = np.median(crop[paper], axis=0)
    spread = float(np.median(np.linalg.norm(crop[paper] - bg, axis=1)))
    dist = np.linalg.norm(crop - bg, axis=2)  # (h, w)
    far = float(np.quantile(dist[inside], FAR_QUANTILE))
    if far < MIN_CONTRAST:
        return None
    core = inside & (dist >= CORE_SHARE * far)
    # Pixels whose 8 neighbours are ink too: JPEG's halved colour resolution and the
    # anti-aliased edges leave them alone (thin strokes have none: then every core pixel).
    inner = cv2.erode(core.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    fg = np.median(crop[inner if inner.sum() >= MIN_INNER else core], axis=0)
    return fg, bg, spread


def coverage(crop: np.ndarray, fg: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """(h, w) float 0..1: how much of each pixel of ``crop`` (h, w, 3) is text colour."""
    d = fg - bg
    t = (crop.astype(np.float64) - bg) @ d / float(d @ d)
    return np.clip(t, 0.0, 1.0)
