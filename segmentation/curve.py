"""Letters on a curve (a badge's arc, a wave) turned upright one by one before they are cut.

A word read from a curved line is still curved in its crop: the recogniser copes, but
each letter leans along the curve and the glyph classifier sees it tilted. The
baseline through the bottoms of the letters that sit on it (not g, j, p, q, y) is
fitted with a quadratic (a straight line for three such letters); where its tangent
turns by more than MIN_TURN over the word, or the whole word leans more than MIN_TILT,
every letter is rotated upright about its own point on that baseline and moved onto
one common baseline, so the word's metrics and glyph normalisation work as on a
straight line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Box = tuple[int, int, int, int]

MIN_TURN = np.radians(8.0)  # tangent angles must spread this much for the word to count as curved
MIN_TILT = np.radians(5.0)  # ... or all lean at least this much the same way
# Baseline points off the fitted curve by more than this x letter height: no fit. Measured (letters' box
# bottoms, seed-0 pictures of bench/robust_draw): drawn arcs fit within 0.07 (one misread line 0.11), tilted
# lines within 0.11; crops of the benchmark's scene photos 0.01-0.29, where box bottoms are noise and turning
# each letter by a spurious curve cost scene top-1 (8 of 44 changed pictures); 0.3 before.
MAX_RESIDUAL = 0.12
DESCENDERS = set("gjpqy")


def baseline_curve(boxes: Sequence[Box], chars: Sequence[str]) -> np.ndarray | None:
    """Polynomial coefficients (np.polyval) of the baseline y(x) of a curved or leaning
    word, or None when its letters sit on a straight, level line (nothing to turn)."""
    b = np.asarray(boxes, np.float64).reshape(-1, 4)
    on = [i for i, c in enumerate(chars) if c not in DESCENDERS]
    if len(on) < 3:
        return None
    cx, base = (b[on, 0] + b[on, 2]) / 2, b[on, 3]
    if np.ptp(cx) < 1.0:
        return None
    p = np.polyfit(cx, base, 2 if len(on) >= 4 else 1)
    height = float(np.median(b[:, 3] - b[:, 1]))
    if np.abs(np.polyval(p, cx) - base).max() > MAX_RESIDUAL * height:
        return None
    ang = np.arctan(np.polyval(np.polyder(p), (b[:, 0] + b[:, 2]) / 2))
    if np.ptp(ang) < MIN_TURN and np.abs(ang).min() < MIN_TILT:
        return None
    return p


def upright_letters(gray: np.ndarray, boxes: Sequence[Box], curve: np.ndarray) -> list[tuple[np.ndarray, Box]]:
    """Per letter: the crop turned so that the letter stands upright on one common baseline,
    and the letter's box there.

    gray: (h, w) uint8 dark-on-light crop; boxes: the letters' boxes in it; curve: from
    baseline_curve. Ink of other letters does not count toward a letter's new box.
    """
    import cv2

    from segmentation.chars import ink_mask

    h, w = gray.shape
    ink = ink_mask(gray).astype(np.uint8)  # (h, w)
    bg = int(np.percentile(gray, 90))
    cxs = np.array([(b[0] + b[2]) / 2 for b in boxes])
    target = float(np.median(np.polyval(curve, cxs)))
    owners = own_ink(ink, boxes)
    out = []
    for k, ((x0, y0, x1, y1), cx) in enumerate(zip(boxes, cxs, strict=True)):
        py = float(np.polyval(curve, cx))
        angle = float(np.degrees(np.arctan(np.polyval(np.polyder(curve), cx))))
        m = cv2.getRotationMatrix2D((float(cx), py), angle, 1.0)  # counterclockwise as seen
        m[1, 2] += target - py
        own = (owners == k).astype(np.uint8)  # (h, w) this letter's ink only
        alone = np.where(cv2.dilate(own, np.ones((3, 3), np.uint8)) > 0, gray, bg).astype(np.uint8)
        turned = cv2.warpAffine(alone, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=bg)
        ys, xs = np.nonzero(cv2.warpAffine(own, m, (w, h), flags=cv2.INTER_NEAREST))
        if len(xs) == 0:
            out.append((gray, (x0, y0, x1, y1)))
        else:
            out.append((turned, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)))
    return out


WHOLE = 0.7  # an ink component with this share inside one letter's box is that letter's alone


def own_ink(ink: np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """(h, w) int: index of the letter each ink pixel belongs to, -1 for none.

    On a curve, letters lean apart and a neighbour's corner reaches into a letter's box.
    An ink component with WHOLE of it inside one box belongs to that letter alone, all of
    it; a component spread over several boxes (letters joined by strokes) gives each box
    the pixels inside it."""
    import cv2

    n, labels = cv2.connectedComponents(ink, connectivity=8)
    inside = np.zeros((len(boxes), n), np.int64)  # (letters, components) ink pixels in each box
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        inside[k] = np.bincount(labels[y0:y1, x0:x1].ravel(), minlength=n)
    total = np.maximum(np.bincount(labels.ravel(), minlength=n), 1)
    whole = inside.max(axis=0) >= WHOLE * total  # (n,)
    whole[0] = False  # background
    out = np.full(ink.shape, -1, np.int64)
    spread = ~whole
    spread[0] = False
    for k, (x0, y0, x1, y1) in enumerate(boxes):
        region = out[y0:y1, x0:x1]
        region[spread[labels[y0:y1, x0:x1]]] = k
    return np.where(whole[labels], inside.argmax(axis=0)[labels], out)
