"""measure_region: a text region's size, letter-spacing, line height, colours,
alignment and case, from its glyph boxes, the picture and the matched font.

Size: every letter or digit gives one estimate, its measured ink height divided by the
same letter's height in the matched font (drawn at typography.reference.REF_PX); the
median wins. Heights are subpixel: the sum over the box's rows of each row's largest
ink coverage, on the picture and on the reference drawing alike, so anti-aliased edges
count for what they cover. Letter-spacing: within each word, the ink-box centres of the
picture minus the font's own centres at the measured size grow by the spacing per
character; one robust slope over all words. Without the font's files, sizes fall back
on typical proportions (cap height 0.70 em, x-height 0.50 em) and letter-spacing is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from glyphs.catalog import FamilyFiles
from glyphs.normalize import estimate_line_metrics
from typography.colour import coverage, hex_colour, region_colours
from typography.reference import ReferenceFont, reference_font, row_height
from typography.types import FontChoice, Measurement, TextGlyph

NOMINAL_EM = {"cap": 0.70, "x": 0.50}  # typical Latin cap height / x-height, in em
_X_LETTERS = set("acemnorsuvwxz")
SOLID_SPREAD = 12.0  # RGB median deviation under which the background is one colour


def measure_size(glyphs: Sequence[TextGlyph], heights: np.ndarray, ref: ReferenceFont | None) -> tuple[float | None, str]:
    """(size in px, 'font' | 'nominal') from measured ink ``heights`` (N,) of ``glyphs``."""
    if ref is not None:
        est = [h / e for g, h in zip(glyphs, heights, strict=True)
               if g.char.isalnum() and h > 0 and (e := ref.height_em(g.char))]
        if est:
            return float(np.median(est)), "font"
    # capitals and figures (not Q or J, whose tails reach below the baseline in many faces), or the
    # x-height letters when there are more of them: the larger sample's median
    caps = [h for g, h in zip(glyphs, heights, strict=True)
            if (g.char.isupper() or g.char.isdigit()) and g.char not in "QJ"]
    xs = [h for g, h in zip(glyphs, heights, strict=True) if g.char in _X_LETTERS]
    if caps and len(caps) >= len(xs):
        return float(np.median(caps)) / NOMINAL_EM["cap"], "nominal"
    if xs:
        return float(np.median(xs)) / NOMINAL_EM["x"], "nominal"
    return None, "nominal"


def ink_heights(glyphs: Sequence[TextGlyph], cov: np.ndarray | None, origin: tuple[int, int]) -> np.ndarray:
    """(N,) subpixel ink height of each glyph (box height when there is no coverage map)."""
    out = np.zeros(len(glyphs))
    ox, oy = origin
    for i, g in enumerate(glyphs):
        x0, y0, x1, y1 = g.box
        if cov is None:
            out[i] = y1 - y0
            continue
        patch = cov[max(0, y0 - oy - 1):max(0, y1 - oy + 1), max(0, x0 - ox):max(0, x1 - ox)]  # (h, w)
        if patch.size:
            out[i] = row_height(patch.max(axis=1))
    return out


def letter_spacing(glyphs: Sequence[TextGlyph], size: float, ref: ReferenceFont) -> float | None:
    """Space added after each character, in em, from words of two characters or more."""
    ys, ks, groups = [], [], []
    for w in sorted({g.word for g in glyphs}):
        word = [g for g in glyphs if g.word == w]
        if len(word) < 2:
            continue
        centres = ref.centres_em("".join(g.char for g in word))
        if centres is None:
            continue
        meas = np.array([(g.box[0] + g.box[2]) / 2.0 for g in word])
        y = meas - centres * size  # (n,) px: offset + spacing * k
        k = np.arange(len(word), dtype=np.float64)
        ys.append(y - y.mean())
        ks.append(k - k.mean())
        groups.append(len(word))
    if not ys:
        return None
    y, k = np.concatenate(ys), np.concatenate(ks)
    keep = np.ones(len(y), bool)
    for _ in range(3):  # trimmed least squares: misread or mis-cut glyphs drop out
        if (k[keep] ** 2).sum() == 0:
            return None
        slope = float((y[keep] * k[keep]).sum() / (k[keep] ** 2).sum())
        res = np.abs(y - slope * k)
        keep = res <= max(3.0 * float(np.median(res[keep])), 0.08 * size)
    return slope / size


def line_height(glyphs: Sequence[TextGlyph], size: float) -> float | None:
    """Median baseline-to-baseline distance / size (None for one line)."""
    lines = sorted({g.line for g in glyphs})
    if len(lines) < 2:
        return None
    base = []
    for ln in lines:
        gs = [g for g in glyphs if g.line == ln]
        base.append(estimate_line_metrics([g.box for g in gs], [g.char for g in gs]).baseline)
    return float(np.median(np.diff(base))) / size


def alignment(glyphs: Sequence[TextGlyph], size: float) -> str | None:
    """left | center | right | justify from the lines' ink edges (None for one line)."""
    lines = sorted({g.line for g in glyphs})
    if len(lines) < 2:
        return None
    edges = np.array([[min(g.box[0] for g in glyphs if g.line == ln), max(g.box[2] for g in glyphs if g.line == ln)]
                      for ln in lines], np.float64)  # (L, 2)
    tol = 0.3 * size
    spread = lambda v: float(v.max() - v.min())  # noqa: E731
    left, right, centre = spread(edges[:, 0]), spread(edges[:, 1]), spread(edges.mean(axis=1))
    if left <= tol and right <= tol:
        return "justify" if len(lines) >= 3 else "left"
    if left <= tol:
        return "left"
    if right <= tol:
        return "right"
    return "center" if centre <= tol else None


def letter_case(glyphs: Sequence[TextGlyph], heights: np.ndarray | None = None) -> str:
    """upper | lower | title | mixed from the letters read, corrected by their heights:
    the OCR often guesses the case of c/o/s/u/v/w/x/z, so text whose "x-height" letters are
    as tall as its capitals (or ascenders) is upper."""
    letters = "".join(g.char for g in glyphs if g.char.isalpha())
    if not letters:
        return "mixed"
    if heights is not None and _no_x_height(glyphs, heights):
        return "upper"
    if letters.isupper():
        return "upper"
    if letters.islower():
        return "lower"
    words: dict[int, str] = {}
    for g in glyphs:
        if g.char.isalpha():
            words[g.word] = words.get(g.word, "") + g.char
    if all(w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words.values()):
        return "title"
    return "mixed"


UPPER_RATIO = 0.92  # x-height letters this close to the capitals' height are capitals
_ASCENDING = set("bdfhklt")


def _no_x_height(glyphs: Sequence[TextGlyph], heights: np.ndarray) -> bool:
    """True when the letters read as lower-case x-height letters (a c e m n o r s u v w x z)
    stand as tall as the reference letters: those read as capitals, else the ascenders."""
    def med(keep) -> float:
        h = [hh for g, hh in zip(glyphs, heights, strict=True) if g.char.isalpha() and keep(g.char) and hh > 0]
        return float(np.median(h)) if h else 0.0

    xs = med(lambda c: c in _X_LETTERS)
    ref = med(lambda c: c.isupper() and c not in "QJ") or med(lambda c: c in _ASCENDING)
    return bool(xs > 0 and ref > 0 and xs >= UPPER_RATIO * ref)


def measure_region(glyphs: Sequence[TextGlyph], font: FontChoice, files: FamilyFiles | None,
                   rgb: np.ndarray | None = None, hollow: bool = False) -> Measurement:
    """What can be measured of one region. ``rgb``: the (H, W, 3) uint8 picture (None:
    sizes from box heights, no colours). ``hollow``: the letters are drawn as outlines (segmentation
    found them hollow): the outline's width is measured too (Measurement.outline_px)."""
    ref = reference_font(files, font.weight, font.italic, font.width) if files is not None and files.present else None
    boxes = [g.box for g in glyphs]
    cap = float(np.median([b[3] - b[1] for b in boxes]))
    colours = region_colours(rgb, boxes, max(3, int(cap * 0.6))) if rgb is not None else None
    cov, origin = None, (0, 0)
    if colours is not None:
        fg, bg, _ = colours
        b = np.asarray(boxes)
        x0, y0 = max(0, int(b[:, 0].min()) - 2), max(0, int(b[:, 1].min()) - 2)
        x1, y1 = int(b[:, 2].max()) + 2, int(b[:, 3].max()) + 2
        cov, origin = coverage(rgb[y0:y1, x0:x1], fg, bg), (x0, y0)
    heights = ink_heights(glyphs, cov, origin)
    if _no_x_height(glyphs, heights):  # all capitals: the OCR's lower-case guesses are capitals
        glyphs = [replace(g, char=g.char.upper()) for g in glyphs]
    size, metrics = measure_size(glyphs, heights, ref)
    return Measurement(
        size_px=round(size, 1) if size else None,
        letter_spacing_em=_round(letter_spacing(glyphs, size, ref), 3) if (ref and size) else None,
        line_height=_round(line_height(glyphs, size), 2) if size else None,
        color=hex_colour(colours[0]) if colours else None,
        background=hex_colour(colours[1]) if colours else None,
        solid_background=bool(colours and colours[2] <= SOLID_SPREAD),
        alignment=alignment(glyphs, size) if size else None,
        case=letter_case(glyphs, heights),
        metrics=metrics,
        outline_px=band_width(cov) if hollow and cov is not None else None,
    )


def band_width(cov: np.ndarray) -> float | None:
    """Mean width in px of the ink drawn as bands (an outline's line): twice its area over its
    edges' length (a band of width w and length L has area w L and edges 2 L). cov (h, w) float
    ink coverage in 0-1. None without ink."""
    import cv2

    ink = (cov > 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    edges = sum(cv2.arcLength(c, True) for c in contours)
    return round(2.0 * float(ink.sum()) / edges, 1) if edges > 0 else None


def _round(v: float | None, n: int) -> float | None:
    return None if v is None else round(v, n)
