"""Lettering effects undone before reading and cutting glyphs.

- Hollow (outlined) letters: segmentation.hollow.
- Underlines and strike-through: horizontal ink runs longer than RULE_LENGTH text
  heights (or across RULE_SPAN of a short word) and thinner than RULE_THICKNESS of it.
  Removed, and letter strokes that crossed them drawn back where ink continues right
  above and below (remove_rules).

Each works on a dark-on-light gray crop (h, w) uint8 and returns a new crop, or None
when the effect is not there (then the crop is read as it is).
"""

from __future__ import annotations

import numpy as np

RULE_LENGTH = 2.5  # a ruled line is longer than this many text heights
RULE_SPAN, RULE_MIN = 0.8, 1.5  # ... or spans this share of the ink's width and is this many heights long
RULE_THICKNESS = 0.2  # ... and thinner than this fraction of the text height


def _ink(gray: np.ndarray) -> np.ndarray:
    from segmentation.chars import ink_mask

    return ink_mask(gray)


def _paint(gray: np.ndarray, was_ink: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """A clean crop: ``ink`` pixels at the gray level of the crop's ink (``was_ink``), the
    rest at its background's."""
    fg = float(np.percentile(gray[was_ink], 5)) if was_ink.any() else 0.0
    bg = float(np.percentile(gray[~was_ink], 70)) if (~was_ink).any() else 255.0
    return np.where(ink, fg, bg).astype(np.uint8)


def remove_rules(gray: np.ndarray, core: tuple[int, int], closed: bool = False) -> np.ndarray | None:
    """The crop without long horizontal ruled lines (underline, strike-through), or None.

    Each rule's rows (and the anti-aliased row either side) are cleared, then the letter
    strokes that crossed it are drawn back (_bridge): a stroke is ink just above the cleared
    band that continues just below it, so the inside of an o or a c, which the rule only
    crosses, stays open. A bar hidden under the rule (an e's, a B's) cannot be told from
    the inside of an o by its surroundings: ``closed`` also fills the rule where ink lies a
    little above and below it, which draws those bars back and closes the o (the reader
    picks the surer of the two readings, segmentation.read)."""
    ink = _ink(gray)
    rule = rule_mask(gray, core, ink, closed)
    if rule is None:
        return None
    return _paint(gray, ink, ink & ~rule)


# A rule this far down the text rows or lower is an underline, else a strike-through. Measured on the robustness
# pictures of 20 families x 2 texts (bench/robust_draw): underlines at 0.76-0.96, strike-throughs 0.44-0.55.
UNDERLINE_AT = 0.65


def rule_kinds(gray: np.ndarray, core: tuple[int, int]) -> tuple[str, ...]:
    """The ruled lines through a dark-on-light crop as CSS names them, 'underline' and/or 'line-through',
    by where each crosses the text rows ``core`` (UNDERLINE_AT); () when there is none."""
    rule = rule_mask(gray, core)
    if rule is None:
        return ()
    rows = np.nonzero(rule.any(axis=1))[0]
    h = max(1, core[1] - core[0])
    kinds = {"underline" if (band.mean() - core[0]) / h >= UNDERLINE_AT else "line-through"
             for band in np.split(rows, np.where(np.diff(rows) > 1)[0] + 1) if len(band)}
    return tuple(k for k in ("underline", "line-through") if k in kinds)


def rule_mask(gray: np.ndarray, core: tuple[int, int], ink: np.ndarray | None = None,
              closed: bool = False) -> np.ndarray | None:
    """(h, w) bool: the ink of long horizontal ruled lines in a dark-on-light crop, less the
    letter strokes that cross them (and with ``closed``, less what has ink within the rule
    thickness limit above and below it: remove_rules); None when there is no ruled line.
    ``ink``: the crop's ink mask when the caller has it."""
    import cv2

    ink = (_ink(gray) if ink is None else ink).astype(np.uint8)
    text_h = max(4, core[1] - core[0])
    cols = np.nonzero(ink.any(axis=0))[0]
    if len(cols) == 0:
        return None
    span = RULE_SPAN * (cols[-1] + 1 - cols[0])  # a short word's rule is as long as the word
    length = int(min(RULE_LENGTH * text_h, max(RULE_MIN * text_h, span)))
    if ink.shape[1] <= length:
        return None
    runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))  # long horizontal runs
    if not runs.any():
        return None
    rows = np.where(runs.any(axis=1))[0]
    thick = int(RULE_THICKNESS * text_h)
    bands = [b for b in np.split(rows, np.where(np.diff(rows) > 1)[0] + 1) if len(b) <= max(1, thick)]
    if not bands:
        return None
    out = ink.copy()
    for band in bands:
        y0, y1 = max(0, int(band[0]) - 1), min(ink.shape[0], int(band[-1]) + 2)
        cols = cv2.dilate(runs[int(band[0]):int(band[-1]) + 1], np.ones((3, 3), np.uint8)).max(axis=0)  # (w,)
        out[y0:y1] &= 1 - cols[None]
        _bridge(out, ink, y0, y1, cols.astype(bool))
    if closed:
        reach = thick + 2
        above = cv2.dilate(out, np.ones((reach, 1), np.uint8), anchor=(0, reach - 1))  # ink within reach above
        below = cv2.dilate(out, np.ones((reach, 1), np.uint8), anchor=(0, 0))
        out |= ink & above & below
    return (ink & (1 - out)).astype(bool)


BRIDGE_REACH = 2.0  # a stroke's ends either side of a cleared rule are at most this many band heights apart


def _bridge(out: np.ndarray, ink: np.ndarray, y0: int, y1: int, cols: np.ndarray) -> None:
    """Strokes drawn back across cleared rows y0..y1 of ``out`` (h, w) uint8, in place: each
    run of ink on the row just above is paired with the nearest run on the row just below
    (one to one, ends at most BRIDGE_REACH band heights apart), and the band between them is
    filled by straight interpolation of their left and right ends, where ``ink`` was."""
    if y0 < 1 or y1 >= out.shape[0]:
        return
    above, below = _runs(out[y0 - 1] & cols), _runs(out[y1] & cols)
    reach = BRIDGE_REACH * (y1 - y0 + 1)
    pairs = sorted((abs((a0 + a1) - (b0 + b1)) / 2.0, i, j)
                   for i, (a0, a1) in enumerate(above) for j, (b0, b1) in enumerate(below)
                   if max(a0, b0) - min(a1, b1) <= reach)
    used_a, used_b = set(), set()
    for _, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        (a0, a1), (b0, b1) = above[i], below[j]
        for y in range(y0, y1):
            f = (y - y0 + 1) / (y1 - y0 + 1)  # 0 on the row above, 1 on the row below
            x0, x1 = int(round(a0 + f * (b0 - a0))), int(round(a1 + f * (b1 - a1)))
            out[y, x0:x1] |= ink[y, x0:x1]


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(x0, x1) runs of nonzero values in a 1-D array, x1 exclusive."""
    edges = np.diff(np.concatenate([[0], (row > 0).astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist(), strict=True))


SHADOW_SHARE = 0.15  # shadow pixels (away from the letters) at least this share of the letters' ink
# ... and at least this share of them covered by the letters shifted a little. Measured: drawn hard shadows
# (bench/robust_draw, 40 families x 2 texts) fit 0.88-0.99; crops of the benchmark's scene photos fit 0.6-0.93,
# where the photo behind the letters or a soft blurred shadow passed for one at 0.6 and the letters were painted
# out as the shadow (scene top-1 -5 points); the reader then also judges (segmentation.read._read_view).
SHADOW_FIT = 0.85
SHADOW_GAP = 40  # gray levels between letters, shadow and paper


def remove_shadow(gray: np.ndarray, core: tuple[int, int]) -> np.ndarray | None:
    """The crop without a drop shadow, or None when there is none.

    Three gray classes (3-level Otsu): two inks and paper. An ink is a shadow when most of
    its pixels away from the other ink are covered by that other ink shifted by a few
    pixels (an offset copy that the letters partly hide); the assignment that fits better
    decides which ink is the letters. Shadow pixels become paper.
    """

    t1, t2 = otsu3(gray)
    lo, mid, hi = gray < t1, (gray >= t1) & (gray < t2), gray >= t2
    if not lo.any() or not mid.any() or not hi.any():
        return None
    means = [float(gray[m].mean()) for m in (lo, mid, hi)]
    if means[1] - means[0] < SHADOW_GAP or means[2] - means[1] < SHADOW_GAP:
        return None
    pairs = [(a, b) for a, b in ((lo, mid), (mid, lo)) if (b & ~_near(a)).sum() >= SHADOW_SHARE * a.sum()]
    if not pairs:  # the lighter ink only rims the letters (anti-aliasing): no shadow, and cheap
        return None
    fits = [_offset_fit(a, b, core) for a, b in pairs]
    text, shade = pairs[int(np.argmax(fits))]
    near = _near(text)
    if max(fits) < SHADOW_FIT:
        return None
    out = gray.copy()
    out[shade & ~near] = np.uint8(round(means[2]))
    if text is mid:  # the letters are the lighter ink: paint them dark for the reader
        out[text] = np.uint8(round(means[0]))
    return out


def _near(mask: np.ndarray) -> np.ndarray:
    """(h, w) bool: ``mask`` grown by one pixel."""
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)


def _offset_fit(text: np.ndarray, shade: np.ndarray, core: tuple[int, int]) -> float:
    """Share of ``shade`` away from ``text`` covered by ``text`` shifted by 2 px to 15 % of
    the text height, at the best shift (1.0: the shade is an offset copy the text hides).

    All shifts at once: the cross-correlation of the away-pixels with the zero-padded
    text mask (cv2.matchTemplate; counts rounded, so exact), not one pass per shift."""
    import cv2

    away = shade & ~_near(text)
    n = int(away.sum())
    if n == 0:
        return 0.0
    d = max(3, int(0.15 * (core[1] - core[0])))
    padded = cv2.copyMakeBorder(text.astype(np.float32), d, d, d, d, cv2.BORDER_CONSTANT, value=0.0)
    # hits[d - dy, d - dx] = number of away-pixels p with text[p - (dy, dx)] set; (2d+1, 2d+1)
    hits = np.rint(cv2.matchTemplate(padded, away.astype(np.float32), cv2.TM_CCORR))
    hits[d - 1:d + 2, d - 1:d + 2] = 0.0  # shifts under 2 px are the letters' own rim
    return float(hits.max()) / n


def otsu3(gray: np.ndarray, step: int = 4) -> tuple[int, int]:
    """Two thresholds splitting gray levels into three classes with the largest
    between-class variance (3-level Otsu); classes are < t1, [t1, t2), >= t2.
    Thresholds are multiples of ``step`` (levels binned by ``step``: 256 / step bins)."""
    n = 256 // step
    hist = np.bincount((gray // step).ravel(), minlength=n).astype(np.float64)  # (n,)
    p = hist / hist.sum()
    w = np.concatenate([[0.0], np.cumsum(p)])  # (n + 1,) class weight of bins < t
    m = np.concatenate([[0.0], np.cumsum(p * (np.arange(n) * step + (step - 1) / 2))])  # (n + 1,) first moment
    t1, t2 = np.meshgrid(np.arange(1, n), np.arange(1, n), indexing="ij")  # (n - 1, n - 1) candidates
    w0, m0 = w[t1], m[t1]
    w1, m1 = w[t2] - w[t1], m[t2] - m[t1]
    w2, m2 = 1.0 - w[t2], m[n] - m[t2]
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.nan_to_num(m0 ** 2 / w0) + np.nan_to_num(m1 ** 2 / w1) + np.nan_to_num(m2 ** 2 / w2)
    var[t2 <= t1] = -1.0
    k = int(np.argmax(var))
    return step * int(t1.ravel()[k]), step * int(t2.ravel()[k])
