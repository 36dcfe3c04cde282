"""Character boxes inside a read text crop, guided by the text the recogniser read.

Per word: connected components of the ink when their count matches the
word's letters (exact for separated glyphs), otherwise the recogniser's CTC
columns: boundaries are put in the faintest ink column between two
characters' spikes, components that sit (almost) wholly between two
boundaries go whole to that character, and joined ones are cut. Boxes are
tightened to the ink, and i/j dots stay with their stems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (crop pixels, exclusive ends)

BOUNDARY_AT = 0.7  # expected boundary between two spikes, as a fraction of their distance
WHOLE_COMPONENT = 0.8  # a component this much inside one character's span goes to it whole
SLANTS = tuple(np.round(np.arange(-0.2, 0.71, 0.05), 2))  # shears tried (dx per dy)


@dataclass(frozen=True)
class CharBox:
    char: str
    box: Box
    word: int  # index of the word inside the crop
    confidence: float
    method: str  # "components" | "ctc"


@dataclass(frozen=True)
class Components:
    labels: np.ndarray  # (h, w) int32, 0 = background, k = component k
    boxes: np.ndarray  # (n + 1, 4) int: x0, y0, x1, y1 per label (row 0 unused)
    areas: np.ndarray  # (n + 1,) int


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark-on-light (h, w) uint8 -> (h, w) bool ink, Otsu after a light blur."""
    import cv2

    h = gray.shape[0]
    k = 3 if h < 80 else 5
    g = cv2.GaussianBlur(gray, (k, k), 0)
    _, bw = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw > 0


def components(ink: np.ndarray, core: tuple[int, int], min_area: int) -> Components:
    """8-connected components, dropping specks, those centred outside rows ``core`` and
    slivers cut by the crop's left/right edge (a neighbouring word's ink)."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    boxes = np.zeros((n, 4), dtype=np.int64)
    boxes[:, 0], boxes[:, 1] = stats[:, 0], stats[:, 1]
    boxes[:, 2], boxes[:, 3] = stats[:, 0] + stats[:, 2], stats[:, 1] + stats[:, 3]
    areas = stats[:, 4].astype(np.int64)
    cy = (boxes[:, 1] + boxes[:, 3]) / 2.0
    at_edge = (boxes[:, 0] == 0) | (boxes[:, 2] == ink.shape[1])
    clipped = at_edge & (boxes[:, 2] - boxes[:, 0] < 0.35 * (core[1] - core[0]))
    drop = (areas < min_area) | (cy < core[0]) | (cy > core[1]) | clipped
    drop[0] = True
    keep = np.where(~drop)[0]
    remap = np.zeros(n, dtype=np.int32)
    remap[keep] = np.arange(1, len(keep) + 1)
    new_boxes = np.vstack([np.zeros((1, 4), np.int64), boxes[keep]])
    return Components(remap[labels], new_boxes, np.concatenate([[0], areas[keep]]))


def segment_crop(
    gray: np.ndarray, text: str, starts: Sequence[float], confs: Sequence[float], core: tuple[int, int]
) -> list[CharBox]:
    """Character boxes of one read crop.

    gray: (h, w) uint8 dark on light; text: what was read (spaces split words);
    starts: per character of ``text``, the x of its first CTC column; core: the
    rows holding the detected text (components centred elsewhere are ignored).
    """
    h, w = gray.shape
    comps = components(ink_mask(gray), core, min_area=max(4, int(0.0015 * (core[1] - core[0]) ** 2)))
    ink = Ink.of(comps, estimate_slant(comps.labels > 0), (core[0] + core[1]) / 2.0)
    bounds = _boundaries(ink, starts, w)
    words = _words(text)
    out: list[CharBox] = []
    for word_no, idx in enumerate(words):
        x_lo, x_hi = _word_range(bounds, words, word_no)
        chars = [text[i] for i in idx]
        members = _members(ink, x_lo, x_hi)
        groups = merge_stacked(ink.sheared_boxes(comps), members)
        method = "components"
        boxes = _from_groups(comps, ink, groups, [bounds[i] for i in idx] + [x_hi]) \
            if len(groups) == len(chars) else None
        if boxes is None:
            method = "ctc"
            boxes = _from_spans(ink, members, [bounds[i] for i in idx] + [x_hi])
        for i, c, b in zip(idx, chars, boxes, strict=True):
            if b is not None:
                out.append(CharBox(c, b, word_no, float(confs[i]), method))
    return out


@dataclass(frozen=True)
class Ink:
    """The ink pixels of a crop with their slant-corrected x (x' = x + slant * (y - y_ref))."""

    ys: np.ndarray  # (n,) int rows
    xs: np.ndarray  # (n,) int columns
    xp: np.ndarray  # (n,) float sheared columns
    label: np.ndarray  # (n,) int component of each pixel
    lo: np.ndarray  # (k + 1,) min x' per component
    hi: np.ndarray  # (k + 1,) max x' + 1 per component

    @classmethod
    def of(cls, comps: Components, slant: float, y_ref: float) -> Ink:
        ys, xs = np.nonzero(comps.labels > 0)
        label = comps.labels[ys, xs]
        xp = xs + slant * (ys - y_ref)
        k = len(comps.boxes)
        lo, hi = np.full(k, np.inf), np.full(k, -np.inf)
        np.minimum.at(lo, label, xp)
        np.maximum.at(hi, label, xp + 1)
        return cls(ys, xs, xp, label, lo, hi)

    def sheared_boxes(self, comps: Components) -> np.ndarray:
        """(k + 1, 4) float component boxes with x in slant-corrected columns (so a leaning
        letter's dot sits over its own stem, not over the next letter)."""
        boxes = comps.boxes.astype(np.float64)
        boxes[1:, 0], boxes[1:, 2] = self.lo[1:], self.hi[1:]
        return boxes


def estimate_slant(ink: np.ndarray) -> float:
    """Shear (dx per dy, > 0 = leaning right) that makes the strokes most upright.

    ink: (h, w) bool. Picks the shear whose column profile is peakiest.
    """
    ys, xs = np.nonzero(ink)
    if len(xs) < 20:
        return 0.0
    y0 = ys.mean()
    width = int(xs.max()) + 1
    best, best_s = -1.0, 0.0
    for s in SLANTS:
        cols = np.clip(np.round(xs + s * (ys - y0)).astype(np.int64) + width, 0, 3 * width - 1)
        prof = np.bincount(cols, minlength=3 * width).astype(np.float64)
        score = float((prof ** 2).sum())
        if score > best * (1.0 + 1e-9):
            best, best_s = score, s
    return best_s


def _words(text: str) -> list[list[int]]:
    """Indices of the non-space characters of each word."""
    words, cur = [], []
    for i, c in enumerate(text):
        if c.isspace():
            if cur:
                words.append(cur)
            cur = []
        else:
            cur.append(i)
    if cur:
        words.append(cur)
    return words


def _word_range(bounds: list[float], words: list[list[int]], n: int) -> tuple[float, float]:
    """x' range of word n: from the middle of the gap before it to the middle of the gap after it.

    At the ends of the crop, a space the recogniser read before the first or
    after the last word closes the range (ink beyond it is a neighbour's).
    """
    idx = words[n]
    if n > 0:
        lo = (bounds[words[n - 1][-1] + 1] + bounds[idx[0]]) / 2.0
    else:
        lo = bounds[idx[0]]  # -inf unless the text starts with a space
    if n + 1 < len(words):
        hi = (bounds[idx[-1] + 1] + bounds[words[n + 1][0]]) / 2.0
    else:
        hi = bounds[idx[-1] + 1]  # +inf unless the text ends with a space
    return lo, hi


def _boundaries(ink: Ink, starts: Sequence[float], width: int) -> list[float]:
    """len(starts) + 1 x' positions: before the first character, between each pair, after the last.

    Each inner boundary is the faintest (slant-corrected) ink column between
    two spikes, pulled toward BOUNDARY_AT of the way (spikes sit left of each
    glyph's centre).
    """
    col = np.bincount(np.clip(np.round(ink.xp).astype(np.int64), 0, width - 1),
                      minlength=width).astype(np.float64)  # (width,)
    norm = max(1.0, float(col.max()))
    bounds = [-np.inf]
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        lo, hi = int(np.floor(a)) + 1, min(int(np.ceil(b)), width)
        if hi <= lo:
            bounds.append((a + b) / 2.0)
            continue
        xs = np.arange(lo, hi)
        expect = a + BOUNDARY_AT * (b - a)
        cost = col[xs] / norm + 0.5 * ((xs - expect) / max(1.0, b - a)) ** 2
        bounds.append(float(xs[int(np.argmin(cost))]) + 0.5)
    bounds.append(np.inf)
    return bounds


def _members(ink: Ink, x_lo: float, x_hi: float) -> list[int]:
    """Labels of the components whose (slant-corrected) x centre lies in [x_lo, x_hi)."""
    cx = (ink.lo[1:] + ink.hi[1:]) / 2.0
    return [int(k) + 1 for k in np.where((cx >= x_lo) & (cx < x_hi))[0]]


def merge_stacked(boxes: np.ndarray, members: list[int]) -> list[list[int]]:
    """Group components that sit above one another (i/j dots, colons, accents), left to right."""
    groups = [[m] for m in sorted(members, key=lambda k: boxes[k, 0] + boxes[k, 2])]
    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if _stacked(_union_box(boxes, groups[a]), _union_box(boxes, groups[b])):
                    groups[a] += groups.pop(b)
                    merged = True
                    break
            if merged:
                break
    groups.sort(key=lambda g: float(np.mean(_union_box(boxes, g)[[0, 2]])))
    return groups


def _union_box(boxes: np.ndarray, group: list[int]) -> np.ndarray:
    b = boxes[group]
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _stacked(p: np.ndarray, q: np.ndarray) -> bool:
    """x ranges overlap by >= half the narrower, y ranges (nearly) disjoint."""
    x_ov = min(p[2], q[2]) - max(p[0], q[0])
    y_ov = min(p[3], q[3]) - max(p[1], q[1])
    narrow = min(p[2] - p[0], q[2] - q[0])
    short = min(p[3] - p[1], q[3] - q[1])
    return x_ov >= 0.5 * narrow and y_ov <= 0.1 * short


def _from_groups(comps: Components, ink: Ink, groups: list[list[int]],
                 bounds: list[float]) -> list[Box] | None:
    """One group per character, if each group's centre falls near its character's span."""
    boxes = []
    for k, g in enumerate(groups):
        cx = (ink.lo[g].min() + ink.hi[g].max()) / 2.0
        lo, hi = bounds[k], bounds[k + 1]
        tol = 0.6 * (hi - lo) if np.isfinite(hi - lo) else 0.0
        if not (lo - tol <= cx <= hi + tol):
            return None
        b = _union_box(comps.boxes, g)
        boxes.append((int(b[0]), int(b[1]), int(b[2]), int(b[3])))
    return boxes


def _from_spans(ink: Ink, members: list[int], bounds: list[float]) -> list[Box | None]:
    """Boxes from CTC spans: whole components where they fit one span, cut (slanted) columns otherwise."""
    n = len(bounds) - 1
    inner = np.asarray(bounds[1:-1], dtype=np.float64)
    owner = np.full(len(ink.lo), -2, dtype=np.int64)  # component -> char; -1 = cut; -2 = other word
    for m in members:
        x0, x1 = ink.lo[m], ink.hi[m]
        inside = [max(0.0, min(x1, bounds[k + 1]) - max(x0, bounds[k])) / max(1.0, x1 - x0) for k in range(n)]
        k = int(np.argmax(inside))
        owner[m] = k if inside[k] >= WHOLE_COMPONENT else -1
    own = owner[ink.label]  # (n_pixels,)
    char = np.where(own >= 0, own, np.clip(np.searchsorted(inner, ink.xp, side="right"), 0, n - 1))
    char = np.where(own == -2, -1, char)
    boxes: list[Box | None] = []
    for k in range(n):
        sel = char == k
        if not sel.any():
            boxes.append(None)
            continue
        xs, ys = ink.xs[sel], ink.ys[sel]
        boxes.append((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    return boxes
