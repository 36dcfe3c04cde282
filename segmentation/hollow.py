"""Hollow (outlined) letters filled solid before reading and cutting glyphs.

Found: every letter is a thin closed ring. Measured as the share of letter-sized ink
components that enclose a long, narrow hole (the letter's own shape, ELONGATED times longer
than wide) while their strokes are thin (median stroke under THIN_STROKE of the text
height). A hole is a letter's inside when the band around it reaches the background outside
the letters; counters (the holes of B, O) only reach a letter's inside and stay background.

Where the letter's edge lies within its outline is not in the picture: drawing programs and
CSS centre the outline on the edge, layer styles and PIL's stroke draw it outside the letter.
On 20 families x 2 texts of each (56 px), glyphs cut at one edge lose 15-25 points top-1 on
the other kind. Both are cut (Filled.glyphs: edge at the outline's middle; Filled.inner:
edge at its inner edge), and the cut whose glyphs look more like letters to the glyph model
is kept (pipeline.trust.more_like_letters).

Works on a dark-on-light gray crop (h, w) uint8.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from segmentation.effects import _ink, _paint

KEEP_THIN = 0.6  # the reading crop's extra thinning is skipped when it would keep less of the ink
ELONGATED = 4.0  # a hollow letter's inside is at least this many times longer than wide
RING_SHARE = 0.7  # this share of letter components must be rings
THIN_STROKE = 0.09  # median stroke width under this fraction of the text height
OUTSIDE_REACH = 0.1  # a hole whose surrounding band is this much outside background is a letter's inside
FLAT = 0.95  # share of the background within FLAT_LEVELS of its median: a flat (drawn, printed) background
FLAT_LEVELS = 12


@dataclass(frozen=True)
class Filled:
    """Hollow letters made solid, three (h, w) uint8 crops the size of the input."""

    glyphs: np.ndarray  # letters' edges at the outline's middle (an outline centred on the edge)
    inner: np.ndarray  # letters' edges at the outline's inner edge (an outline drawn outside the letters)
    reading: np.ndarray  # ``glyphs`` thinner by another half stroke, for the recogniser


def fill_outlines(gray: np.ndarray, core: tuple[int, int]) -> Filled | None:
    """Solid letters from hollow ones, or None when the letters are not outlines. ``core``:
    the text's (top, bottom) rows in the crop. The reading crop is thinner than the glyphs,
    since outlines of tightly set letters touch and the recogniser reads letters that touch
    badly (measured on the shared outlined case: 'Me WIEEWEND' 0.20 -> 'BIG WEEKEND' 0.70)."""
    import cv2

    ink = _outline_ink(gray).astype(np.uint8)
    text_h = max(4, core[1] - core[0])
    contours, hier = cv2.findContours(ink, cv2.RETR_TREE, cv2.CHAIN_APPROX_NONE)
    if hier is None or _hollow_share(ink, text_h) < RING_SHARE or _stroke_width(ink) > THIN_STROKE * text_h:
        return None
    hier = hier[0]  # (n, 4): next, previous, first child, parent
    stroke = _stroke_width(ink)
    body, counters = _insides(ink, contours, hier, stroke)
    inner = _drawn(ink, contours, body, counters)  # the letters' insides, up to the outline's inner edge
    filled = _filled(ink & (1 - _drawn(ink, contours, counters, [])), inner, stroke)
    r = max(1, int(round(stroke / 2)))
    thin = cv2.erode(filled.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)).astype(bool)
    thin = thin if thin.sum() >= KEEP_THIN * filled.sum() else filled  # light letters would vanish
    was = ink.astype(bool)
    return Filled(_paint(gray, was, filled), _paint(gray, was, (inner & (1 - ink)).astype(bool)),
                  _paint(gray, was, thin))


def _outline_ink(gray: np.ndarray) -> np.ndarray:
    """(h, w) bool ink for finding hollow letters. On a flat background (a drawing, a
    screenshot, a print) without the reading mask's blur: the blur closes the narrow insides
    of outlines centred on a regular-weight letter's edge (drawn lines of 100 families:
    found 68 % -> 85 %, outlines outside the edge 94 % -> 98 %); on textured backgrounds
    (photos, scenes) with it, where unblurred noise makes rings (scene pictures filled
    7 % -> 14 %)."""
    import cv2

    blurred = _ink(gray)
    paper = gray[~blurred]
    if paper.size == 0 or np.mean(np.abs(paper.astype(np.int16) - np.median(paper)) <= FLAT_LEVELS) < FLAT:
        return blurred
    _, bw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw > 0


def _hollow_share(ink: np.ndarray, text_h: int) -> float:
    """Share of the letters (ink components at least 0.4 text heights tall, not inside
    another) that enclose a letter-shaped hole: one ELONGATED times longer than it is wide
    (area / width^2, width twice its largest distance to ink). A hollow letter's inside is
    a long band the width of the letter's stroke, whatever its weight; the counters of solid
    letters (o, e, a, B, d) are compact."""
    import cv2

    _, lab, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    x0, y0 = stats[:, 0], stats[:, 1]
    x1, y1 = x0 + stats[:, 2], y0 + stats[:, 3]
    tall = [k for k in range(1, len(stats)) if stats[k, 3] >= 0.4 * text_h]
    letters = [k for k in tall if not any(j != k and x0[j] <= x0[k] and y0[j] <= y0[k] and x1[j] >= x1[k]
                                          and y1[j] >= y1[k] for j in tall)]
    if not letters:
        return 0.0
    nb, blab, bstats, _ = cv2.connectedComponentsWithStats(1 - ink, connectivity=4)
    border = set(np.concatenate([blab[0], blab[-1], blab[:, 0], blab[:, -1]]).tolist())
    dist = cv2.distanceTransform(1 - ink, cv2.DIST_L2, 3)  # (h, w) distance to the nearest ink
    rings = set()
    for k in set(range(1, nb)) - border:
        bx, by, bw, bh, area = bstats[k]
        width = 2.0 * float(dist[by:by + bh, bx:bx + bw][blab[by:by + bh, bx:bx + bw] == k].max())
        if area < ELONGATED * width ** 2:
            continue
        top = int(bstats[k, 1])
        x = int(np.argmax(blab[top] == k))
        rings.add(int(lab[top - 1, x]))  # the ink right above a hole's first pixel encloses it
    return len(rings.intersection(letters)) / len(letters)


def _insides(ink: np.ndarray, contours: list, hier: np.ndarray, stroke: float) -> tuple[list[int], list[int]]:
    """(body, counters): indices of the hole contours that are letters' insides, and of those
    that are counters. A hole is a letter's inside when the band just around it (one stroke
    and a bit) reaches the background outside the letters; a counter (the holes of B, O)
    only reaches the letter's inside."""
    import cv2

    outside = _outside(ink)
    k = int(2 * stroke + 3)
    kernel = np.ones((k, k), np.uint8)
    holes = [i for i in range(len(contours)) if hier[i][3] >= 0 and _depth(hier, i) % 2 == 1]
    body, counters = [], []
    for i in holes:
        mask = np.zeros_like(ink)
        cv2.drawContours(mask, contours, i, 1, thickness=cv2.FILLED)
        band = cv2.dilate(mask, kernel) & (1 - mask)
        reach = float((band & outside).sum()) / max(1.0, float(band.sum()))
        (body if reach >= OUTSIDE_REACH else counters).append(i)
    return body, counters


def _drawn(ink: np.ndarray, contours: list, body: list[int], counters: list[int]) -> np.ndarray:
    """(h, w) uint8: the insides' areas (their outline's inner ring included), counters cleared."""
    import cv2

    out = np.zeros_like(ink)
    for i in body:
        cv2.drawContours(out, contours, i, 1, thickness=cv2.FILLED)
    for i in counters:
        cv2.drawContours(out, contours, i, 0, thickness=cv2.FILLED)
    return out


def _filled(ring: np.ndarray, inner: np.ndarray, stroke: float) -> np.ndarray:
    """(h, w) bool: the letters with their edges at the outline's middle. ``ring``: the
    outlines' ink less the counters' (h, w) uint8; ``inner``: the insides (_drawn)."""
    import cv2

    out = ring | inner
    r = int(round(stroke / 2))  # the letter's edge is the outline's middle: thin by half a stroke
    if r > 0:
        square = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
        # grown back by half a stroke with a square, stems keep square ends; the thinned fill
        # covers where the inside pinched shut (hairlines). The outline's inner edge is sharp at corners.
        out = cv2.erode(out, square) | (cv2.dilate(inner & (1 - ring), square) & out) | _middle(out, r)
    return out.astype(bool)


def _middle(solid: np.ndarray, r: int) -> np.ndarray:
    """(h, w) uint8: the middle line of ``solid``'s bands, where they are at least r - 0.5 px
    from the background (the ridge of its distance transform). Where a hairline's inside
    pinched shut, its two outlines merged into one band about a stroke wide, which thinning
    by half a stroke each side wipes out: a high-contrast serif (Playfair Display) kept only
    its stems. Its middle line keeps the hairline, a pixel or two wide as drawn."""
    import cv2
    from skimage.morphology import skeletonize

    dist = cv2.distanceTransform(solid, cv2.DIST_L2, 5)  # (h, w) px to the background
    return (skeletonize(solid > 0) & (dist >= r - 0.5)).astype(np.uint8)


def _outside(ink: np.ndarray) -> np.ndarray:
    """(h, w) uint8: background connected to the crop's border."""
    import cv2

    n, labels = cv2.connectedComponents((1 - ink).astype(np.uint8), connectivity=4)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    border = border[border > 0]
    return np.isin(labels, border).astype(np.uint8)


def _depth(hier: np.ndarray, i: int) -> int:
    d, p = 0, hier[i][3]
    while p >= 0:
        d += 1
        p = hier[p][3]
    return d


def _stroke_width(ink: np.ndarray) -> float:
    """Median stroke width in pixels (twice the distance to background along the strokes' middle)."""
    import cv2

    if not ink.any():
        return 0.0
    dist = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 3)
    ridge = (dist > 0) & (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8)) - 1e-6)
    return 2.0 * float(np.median(dist[ridge]))
