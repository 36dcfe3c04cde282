"""The one glyph normalisation shared by training and identification.

A glyph crop becomes a ``size x size`` uint8 array, ink high (255) on 0, placed
relative to its *line*: the baseline sits on a fixed row and the line's cap
height maps to a fixed number of rows, so x-height, ascenders, descenders and
relative widths survive (strong font cues) instead of every glyph being
stretched to fill the frame.

Rendered words (``glyphs.render``) and words cut from photos
(``segmentation``) both call :func:`estimate_line_metrics` on their character
boxes and then :func:`normalize_glyph` on each box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from glyphs.labels import NormSettings

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (pixels, x1/y1 exclusive)

# Character classes by vertical extent (Latin, lining figures).
_CAP_TOP = set("ABCDEFGHIJKLMNOPRSTUVWXYZ0123456789bdfhkl")
_X_TOP = set("acemnorsuvwxz")
_DESCENDERS = set("gjpqyQJ,;")
X_TO_CAP = 0.70  # typical x-height / cap-height, used only when a word has no capitals


@dataclass(frozen=True)
class LineMetrics:
    baseline: float  # y of the baseline in source pixels
    cap_height: float  # cap height in source pixels (> 0)


def estimate_line_metrics(boxes: Sequence[Box], chars: Sequence[str]) -> LineMetrics:
    """Baseline and cap height of a word/line from its character ink boxes.

    Uses the letters the OCR read: bottoms of non-descending letters give the
    baseline, tops of capitals/ascenders (or x-height letters / 0.70) give the
    cap height. Works the same on rendered and on segmented words.
    """
    if not boxes:
        raise ValueError("estimate_line_metrics needs at least one box")
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    on_base = [i for i, c in enumerate(chars) if c not in _DESCENDERS]
    baseline = float(np.median(b[on_base, 3])) if on_base else float(
        np.median(b[:, 3] - 0.22 * (b[:, 3] - b[:, 1]))
    )
    caps = [i for i, c in enumerate(chars) if c in _CAP_TOP]
    xs = [i for i, c in enumerate(chars) if c in _X_TOP or c in "gpqy"]
    if caps:
        cap = baseline - float(np.median(b[caps, 1]))
    elif xs:
        cap = (baseline - float(np.median(b[xs, 1]))) / X_TO_CAP
    else:
        cap = float(np.max(b[:, 3] - b[:, 1]))
    return LineMetrics(baseline=baseline, cap_height=max(cap, 1.0))


def to_dark_on_light(gray: np.ndarray) -> np.ndarray:
    """Invert a word image whose text is light on dark; leave dark-on-light as is.

    The border pixels are taken as background: if they are darker than the
    image's middle intensity, the text is light.
    """
    g = np.asarray(gray)
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]]).astype(np.float32)
    mid = (float(g.min()) + float(g.max())) / 2.0
    return (255 - g).astype(np.uint8) if float(np.median(border)) < mid else g


def normalize_glyph(
    gray: np.ndarray, box: Box, line: LineMetrics, norm: NormSettings = NormSettings()
) -> np.ndarray:
    """Crop ``box`` from a dark-on-light uint8 image -> (size, size) uint8, ink = 255."""
    size = norm.size
    h_img, w_img = gray.shape
    pad = norm.margin * line.cap_height
    x0 = int(max(0, np.floor(box[0] - pad)))
    x1 = int(min(w_img, np.ceil(box[2] + pad)))
    y0 = int(max(0, np.floor(box[1] - pad)))
    y1 = int(min(h_img, np.ceil(box[3] + pad)))
    out = np.zeros((size, size), dtype=np.uint8)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return out
    crop = 255.0 - gray[y0:y1, x0:x1].astype(np.float32)  # ink high
    lo, hi = float(crop.min()), float(crop.max())
    if hi - lo < 8:  # no contrast: nothing to see
        return out
    crop = (crop - lo) * (255.0 / (hi - lo))

    scale = norm.cap_height * size / line.cap_height
    scale = min(scale, size / (x1 - x0), size / (y1 - y0))  # never clip a whole glyph
    w = max(1, int(round((x1 - x0) * scale)))
    h = max(1, int(round((y1 - y0) * scale)))
    img = Image.fromarray(crop.astype(np.uint8)).resize((w, h), Image.BILINEAR)
    arr = np.asarray(img)
    # Place: baseline of the line on the baseline row, glyph centred in x.
    top = int(round(norm.baseline * size - (line.baseline - y0) * scale))
    left = (size - w) // 2
    _paste(out, arr, top, left)
    return out


def _paste(dst: np.ndarray, src: np.ndarray, top: int, left: int) -> None:
    """Copy ``src`` into ``dst`` at (top, left), clipping at the edges."""
    h, w = src.shape
    dy0, dx0 = max(0, top), max(0, left)
    dy1, dx1 = min(dst.shape[0], top + h), min(dst.shape[1], left + w)
    if dy1 > dy0 and dx1 > dx0:
        dst[dy0:dy1, dx0:dx1] = src[dy0 - top : dy1 - top, dx0 - left : dx1 - left]
