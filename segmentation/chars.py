"""Character boxes inside a read text crop, guided by the text the recogniser read.

Per word: connected components of the ink when their count matches the
word's letters (exact for separated glyphs), otherwise the recogniser's CTC
columns: boundaries are put in the faintest ink column between two
characters' spikes, components that sit (almost) wholly between two
boundaries go whole to that character, and joined ones are cut. Boxes are
tightened to the ink, and i/j dots stay with their stems.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (crop pixels, exclusive ends)

BOUNDARY_AT = 0.7  # expected boundary between two spikes, as a fraction of their distance
WHOLE_COMPONENT = 0.8  # a component this much inside one character's span goes to it whole


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
    """8-connected components, dropping specks and those centred outside rows ``core``."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    boxes = np.zeros((n, 4), dtype=np.int64)
    boxes[:, 0], boxes[:, 1] = stats[:, 0], stats[:, 1]
    boxes[:, 2], boxes[:, 3] = stats[:, 0] + stats[:, 2], stats[:, 1] + stats[:, 3]
    areas = stats[:, 4].astype(np.int64)
    cy = (boxes[:, 1] + boxes[:, 3]) / 2.0
    drop = (areas < min_area) | (cy < core[0]) | (cy > core[1])
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
    bounds = _boundaries(comps.labels > 0, starts, w)
    out: list[CharBox] = []
    for word_no, idx in enumerate(_words(text)):
        x_lo, x_hi = bounds[idx[0]], bounds[idx[-1] + 1]
        chars = [text[i] for i in idx]
        members = _members(comps, x_lo, x_hi)
        groups = merge_stacked(comps.boxes, members)
        method = "components"
        boxes = _from_groups(comps, groups, [bounds[i] for i in idx] + [x_hi]) \
            if len(groups) == len(chars) else None
        if boxes is None:
            method = "ctc"
            boxes = _from_spans(comps, members, [bounds[i] for i in idx] + [x_hi])
        for i, c, b in zip(idx, chars, boxes):
            if b is not None:
                out.append(CharBox(c, b, word_no, float(confs[i]), method))
    return out


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


def _boundaries(ink: np.ndarray, starts: Sequence[float], width: int) -> list[float]:
    """len(starts) + 1 x positions: before the first character, between each pair, after the last.

    Each inner boundary is the faintest ink column between two spikes, pulled
    toward BOUNDARY_AT of the way (spikes sit left of each glyph's centre).
    """
    col = ink.sum(axis=0).astype(np.float64)  # (w,)
    norm = max(1.0, float(col.max()))
    bounds = [0.0]
    for a, b in zip(starts[:-1], starts[1:]):
        lo, hi = int(np.floor(a)) + 1, int(np.ceil(b))
        if hi <= lo:
            bounds.append((a + b) / 2.0)
            continue
        xs = np.arange(lo, min(hi, width))
        if len(xs) == 0:
            bounds.append((a + b) / 2.0)
            continue
        expect = a + BOUNDARY_AT * (b - a)
        cost = col[xs] / norm + 0.5 * ((xs - expect) / max(1.0, b - a)) ** 2
        bounds.append(float(xs[int(np.argmin(cost))]) + 0.5)
    bounds.append(float(width))
    return bounds


def _members(comps: Components, x_lo: float, x_hi: float) -> list[int]:
    """Labels of the components whose x centre lies in [x_lo, x_hi)."""
    cx = (comps.boxes[1:, 0] + comps.boxes[1:, 2]) / 2.0
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


def _from_groups(comps: Components, groups: list[list[int]], bounds: list[float]) -> list[Box] | None:
    """One group per character, if each group's centre falls near its character's span."""
    boxes = []
    for k, g in enumerate(groups):
        b = _union_box(comps.boxes, g)
        cx = (b[0] + b[2]) / 2.0
        span = bounds[k + 1] - bounds[k]
        if not (bounds[k] - 0.6 * span <= cx <= bounds[k + 1] + 0.6 * span):
            return None
        boxes.append((int(b[0]), int(b[1]), int(b[2]), int(b[3])))
    return boxes


def _from_spans(comps: Components, members: list[int], bounds: list[float]) -> list[Box | None]:
    """Boxes from CTC spans: whole components where they fit one span, cut columns otherwise."""
    n = len(bounds) - 1
    owner = np.full(comps.labels.max() + 1, -1, dtype=np.int64)  # component -> char, -1 = cut
    for m in members:
        x0, x1 = comps.boxes[m, 0], comps.boxes[m, 2]
        inside = [max(0.0, min(x1, bounds[k + 1]) - max(x0, bounds[k])) / max(1, x1 - x0) for k in range(n)]
        k = int(np.argmax(inside))
        if inside[k] >= WHOLE_COMPONENT:
            owner[m] = k
    in_word = np.zeros_like(owner, dtype=bool)
    in_word[members] = True
    lab = comps.labels  # (h, w)
    cols = np.arange(lab.shape[1])
    col_char = np.clip(np.searchsorted(np.asarray(bounds[1:-1]), cols, side="right"), 0, n - 1)  # (w,)
    pix_char = np.where(owner[lab] >= 0, owner[lab], col_char[None, :])  # (h, w)
    pix_char = np.where(in_word[lab], pix_char, -1)
    boxes: list[Box | None] = []
    for k in range(n):
        ys, xs = np.nonzero(pix_char == k)
        boxes.append((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(xs) else None)
    return boxes
