"""Lines of text on an arc or a wave (a badge, a logo), laid straight before they are read.

The recogniser is trained on straight lines: a word bent along a badge's arc is read
as garbage ('4' for 'Hamburgers', 'M' for 'Menu'), often with confidence. A crop whose
ink follows one smooth line that turns at least BENT end to end and bulges from its
chord by SAGITTA of the text's height is also read laid straight:

1. centre_line: along the ink's main direction, each 2 px slice of ink gives its centre
   of mass; a quadratic through them is the line's centre (a circle's arc of up to
   ~150 degrees fits it within a few pixels; straight words turn under 14 degrees on it).
2. unbend: every column of the straight crop samples the normal to that line at one
   pixel step of its length, so every letter stands upright on a level line. Letters
   come out squeezed on the bend's outer side and widened on its inner side (by their
   height over the bend's radius). Cutting each letter again as a rigid whole was tried
   and measured no better (48 drawn arcs: top-5 equal, top-1 4-8 points lower: letters
   touching on the inner side were split wrongly), so glyphs are cut from this crop.

Text is taken to read left to right along the line, upright at the bend's middle (the
top and the bottom of a badge alike).
"""

from __future__ import annotations

import numpy as np

from segmentation.orient import View, grid_map, theil_sen

BENT = np.radians(25.0)  # the centre line turns at least this much end to end (straight words: under 14) ...
SAGITTA = 0.25  # ... and bulges from its chord by this x the text's height: the line is bent
BEND_FIT = 0.2  # slice centres off the fitted line by more than this x the text's height (median): not one line
BAND_MARGIN = 0.15  # rows kept above and below the ink's band, x its height
LETTER = 0.3  # ink components at least this x the band's height across the line are letters (not dots, marks)


def centre_line(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float] | None:
    """(coef, d, n, a0, a1) of one bent line of text: the centre line is
    {a d + np.polyval(coef, a) n : a0 <= a <= a1} in crop pixels (xy), d the ink's main
    direction (pointing right), n its normal (pointing down). None when the ink does not
    follow one smooth line, or when that line is not bent (BENT, SAGITTA).

    ink: (h, w) bool."""
    ys, xs = np.nonzero(ink)
    if len(xs) < 50:
        return None
    xy = np.stack([xs, ys], axis=1).astype(np.float64)  # (m, 2)
    d = np.linalg.svd((xy - xy.mean(axis=0))[:: max(1, len(xy) // 4000)], full_matrices=False)[2][0]
    d = d if d[0] >= 0 else -d
    n = np.array([-d[1], d[0]])
    a, b = xy @ d, xy @ n
    bins = np.floor((a - a.min()) / 2.0).astype(np.int64)
    count = np.bincount(bins).astype(np.float64)
    used = count > 0
    ac, bc = np.bincount(bins, a)[used] / count[used], np.bincount(bins, b)[used] / count[used]  # (k,)
    if len(ac) < 8:
        return None
    coef = np.polyfit(ac, bc, 2, w=np.sqrt(count[used]))
    lo, hi = np.percentile(_across(coef, a, b), [2, 98])  # the text's band
    if np.median(np.abs(_across(coef, ac, bc))) > BEND_FIT * (hi - lo):
        return None
    a0, a1 = np.percentile(a, [3, 97])
    span = np.linspace(a0, a1, 100)
    line = np.polyval(coef, span)
    chord = line[0] + (line[-1] - line[0]) * (span - a0) / max(a1 - a0, 1e-9)
    turn = np.ptp(np.arctan(np.polyval(np.polyder(coef), span)))
    if turn < BENT or np.abs(line - chord).max() < SAGITTA * (hi - lo):
        return None
    if stands_straight(ink, a, b, coef, hi - lo):
        return None
    return coef, d, n, float(a.min()), float(a.max())


def stands_straight(ink: np.ndarray, a: np.ndarray, b: np.ndarray, coef: np.ndarray, band: float) -> bool:
    """Whether the letters stand on a straight baseline rather than along the bent centre
    line: the bottoms of four or more letter-sized ink components scatter less (median
    absolute deviation) about a straight line (Theil-Sen) than about the curve. A short
    straight word whose letters reach different heights ('Taxi': a tall T, then x-height
    letters) bends its centre line, not its baseline; on an arc the baseline bends too.
    Measured on the lines the centre line called bent with four such letters (80 drawn arcs
    of bench/robust_draw, seed 0, and the 300 upright pictures of the benchmark's short
    split): 73 of 76 arc crops scatter less about the curve (the other 3 read the same text
    either way), all 17 straight short words less about the line. False (cannot tell) with
    fewer than four letters.

    ink: (h, w) bool; a, b: (m,) along and across coordinates of its pixels (np.nonzero
    order); coef: the centre line (centre_line); band: the text's height across it, px."""
    import cv2

    count, labels = cv2.connectedComponents(ink.astype(np.uint8), connectivity=8)
    lab = labels[np.nonzero(ink)]  # (m,) component of each ink pixel, same order as a, b
    size = np.bincount(lab, minlength=count).astype(np.float64)
    top, bottom = np.full(count, np.inf), np.full(count, -np.inf)
    np.minimum.at(top, lab, b)
    np.maximum.at(bottom, lab, b)
    centre = np.bincount(lab, a, minlength=count) / np.maximum(size, 1.0)
    letter = (bottom - top >= LETTER * band) & (size >= 4)
    letter[0] = False  # background
    if letter.sum() < 4:
        return False
    x, y = centre[letter], bottom[letter]
    slope = theil_sen(x, y)
    straight = y - slope * x
    curved = y - np.polyval(coef, x)
    return _mad(straight) <= _mad(curved)


def _mad(r: np.ndarray) -> float:
    return float(np.median(np.abs(r - np.median(r))))


def _across(coef: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed distance (px, approximately) of points (a, b) from the line b = polyval(coef, a)."""
    return (b - np.polyval(coef, a)) / np.sqrt(1.0 + np.polyval(np.polyder(coef), a) ** 2)


def unbend(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, int]] | None:
    """The bent line of ``gray`` (h, w) uint8 dark on light laid straight: the straight
    crop (h2, w2) uint8, where each of its pixels comes from in ``gray`` (h2, w2, 2)
    float32 xy, and its core rows (the ink's band); None when the crop holds no bent line
    (centre_line)."""
    import cv2

    from segmentation.chars import ink_mask

    ink = ink_mask(gray)
    found = centre_line(ink)
    if found is None:
        return None
    coef, d, n, a0, a1 = found
    ys, xs = np.nonzero(ink)
    lo, hi = np.percentile(_across(coef, xs * d[0] + ys * d[1], xs * n[0] + ys * n[1]), [0.5, 99.5])
    pad = BAND_MARGIN * (hi - lo)
    grid_a = np.linspace(a0 - pad, a1 + pad, 4000)
    pts = grid_a[:, None] * d + np.polyval(coef, grid_a)[:, None] * n  # (4000, 2) xy
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    ua = np.interp(np.arange(max(2, int(arc[-1])), dtype=np.float64), arc, grid_a)  # (w2,) a per column
    p = ua[:, None] * d + np.polyval(coef, ua)[:, None] * n  # (w2, 2) the line's point per column
    tan = d + np.polyval(np.polyder(coef), ua)[:, None] * n
    tan /= np.linalg.norm(tan, axis=1, keepdims=True)
    down = np.stack([-tan[:, 1], tan[:, 0]], axis=1)  # the text's downward normal (y grows down)
    v = np.arange(np.floor(lo - pad), np.ceil(hi + pad) + 1, dtype=np.float64)  # (h2,) offset per row
    src = (p[None] + v[:, None, None] * down[None]).astype(np.float32)  # (h2, w2, 2)
    out = cv2.remap(gray, src[..., 0], src[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                    borderValue=float(np.percentile(gray, 90)))
    return out, src, (int(round(pad)), len(v) - int(round(pad)))


def bent_view(view: View) -> View | None:
    """The view's bent line laid straight, its map taken back to the picture; None when
    the view holds no bent line."""
    import cv2

    straight = unbend(view.gray)
    if straight is None:
        return None
    gray, src, core = straight
    grid = grid_map(view)  # (h, w, 2) picture xy of the view's pixels
    map_xy = np.stack([cv2.remap(grid[..., k], src[..., 0], src[..., 1], cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=float("nan"))
                       for k in (0, 1)], axis=-1)  # (h2, w2, 2)
    return View(gray, view.origin, core, map_xy.astype(np.float32), view.rotation)
