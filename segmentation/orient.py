"""Reading direction: crops of text turned upright, and where their pixels lie in the picture.

A ``View`` is what the recogniser reads: a dark-on-light gray crop whose text runs
left to right, plus a map from each crop pixel back to the input image. Upright
boxes keep the plain offset (no map, no cost); a turned picture, a line at an
angle (CRAFT's quadrilaterals), letters stacked one per row and words on an arc
all become one map each (stacked letters: segmentation.stack), so glyph boxes are always reported in the input image's
pixels (the axis-aligned box of the mapped glyph box).

Several readings of the same ink (upright, turned 180°, the picture turned 90°)
compete in ``select_chunks``: the reading that explains the most text area with
the most confident recogniser wins each piece of the picture, so a horizontal
heading and a vertical side label are each read their own way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive ends)
PointMap = Callable[[np.ndarray], np.ndarray]  # (..., 2) float xy -> (..., 2) float xy

TALL = 1.5  # a detected box this many times taller than wide may be sideways text
CONFLICT = 0.3  # readings of different passes overlapping more than this (of the smaller) compete


@dataclass(frozen=True)
class View:
    """A crop to read, text running left to right.

    gray: (h, w) uint8 dark on light. origin: (x, y) of gray's top-left in the image,
    used when map_xy is None. map_xy: (h, w, 2) float32 image x, y of every crop
    pixel (NaN where a pixel comes from nowhere, e.g. gaps between restacked letters).
    core: rows of gray holding the detected text. rotation: how far (degrees,
    counterclockwise as seen) the text is turned in the picture; 0 for upright text,
    90 for a line running bottom to top, 180 upside down.
    """

    gray: np.ndarray = field(repr=False)
    origin: tuple[int, int]
    core: tuple[int, int]
    map_xy: np.ndarray | None = field(default=None, repr=False)
    rotation: float = 0.0

    @property
    def area(self) -> int:
        return int(self.gray.shape[0] * self.gray.shape[1])


def to_image(view: View, box: Box) -> Box:
    """A box in the view's crop pixels -> the axis-aligned box of its pixels in the image."""
    x0, y0, x1, y1 = box
    if view.map_xy is None:
        ox, oy = view.origin
        return x0 + ox, y0 + oy, x1 + ox, y1 + oy
    m = view.map_xy[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)]  # (h, w, 2)
    edge = np.concatenate([m[0], m[-1], m[:, 0], m[:, -1]])  # border pixels (k, 2)
    if np.isnan(edge).all():
        edge = m.reshape(-1, 2)
    lo, hi = np.nanmin(edge, axis=0), np.nanmax(edge, axis=0)
    return (int(np.floor(lo[0])), int(np.floor(lo[1])), int(np.floor(hi[0])) + 1, int(np.floor(hi[1])) + 1)


def footprint(view: View) -> Box:
    """The view's whole crop as an image box."""
    h, w = view.gray.shape
    return to_image(view, (0, 0, w, h))


def grid_map(view: View) -> np.ndarray:
    """(h, w, 2) float32 image coordinates of every pixel of ``view``."""
    if view.map_xy is not None:
        return view.map_xy
    h, w = view.gray.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.stack([xs + view.origin[0], ys + view.origin[1]], axis=-1)


def turned_180(view: View) -> View:
    """The same crop read upside down (for text that is upside down in the picture)."""
    h = view.gray.shape[0]
    core = (h - view.core[1], h - view.core[0])
    return View(np.ascontiguousarray(view.gray[::-1, ::-1]), view.origin, core,
                np.ascontiguousarray(grid_map(view)[::-1, ::-1]), (view.rotation + 180.0) % 360.0)


def mapped(view: View, fn: PointMap, rotation: float) -> View:
    """A view cut from a turned copy of the picture, its map taken back through ``fn``
    (turned-copy xy -> input xy); ``rotation`` is added to the view's own."""
    m = fn(grid_map(view).astype(np.float64)).astype(np.float32)
    return replace(view, map_xy=m, rotation=(view.rotation + rotation) % 360.0)


def rot90_points(shape: tuple[int, ...]) -> PointMap:
    """Point map from ``np.rot90(img, 1)`` (a counterclockwise turn) back to ``img`` of ``shape``."""
    w = shape[1]

    def fn(p: np.ndarray) -> np.ndarray:  # view (x, y) -> image (W-1-y, x)
        return np.stack([w - 1 - p[..., 1], p[..., 0]], axis=-1)

    return fn


def quad_view(gray: np.ndarray, quad: np.ndarray, margin: float) -> View:
    """A line at an angle: the quadrilateral (4, 2) warped to an upright crop.

    The quad's longer pair of edges is taken as the text direction; corners are
    (top-left, top-right, bottom-right, bottom-left) after that. ``margin`` is
    added around it as a fraction of the line height.
    """
    import cv2

    q = order_quad(np.asarray(quad, np.float64))
    width = 0.5 * (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3]))
    height = 0.5 * (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1]))
    m = margin * height
    w_out, h_out = max(2, int(round(width + 2 * m))), max(2, int(round(height + 2 * m)))
    dst = np.array([[m, m], [m + width, m], [m + width, m + height], [m, m + height]], np.float64)
    back = cv2.getPerspectiveTransform(dst.astype(np.float32), q.astype(np.float32))  # crop -> image
    ys, xs = np.mgrid[0:h_out, 0:w_out].astype(np.float64)
    pts = np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ back.T  # (h, w, 3)
    map_xy = (pts[..., :2] / pts[..., 2:3]).astype(np.float32)  # (h, w, 2)
    crop = cv2.remap(gray, map_xy[..., 0], map_xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    d = q[1] - q[0]
    angle = float(np.degrees(np.arctan2(-d[1], d[0])))  # text direction, counterclockwise from +x
    core = (int(round(m)), int(round(m + height)))
    return View(crop, (0, 0), core, map_xy, angle % 360.0)


def order_quad(q: np.ndarray) -> np.ndarray:
    """(4, 2) corners in clockwise order (image coordinates), rolled so that the first edge
    (corner 0 -> 1) is a long edge, pointing rightward where the text could run either way."""
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]  # clockwise in image coordinates (y down)
    if np.linalg.norm(q[1] - q[0]) < np.linalg.norm(q[2] - q[1]):
        q = np.roll(q, -1, axis=0)
    if q[1, 0] < q[0, 0]:  # prefer left-to-right; upside-down text is caught by turned_180
        q = np.roll(q, 2, axis=0)
    return q


def is_tall(box: Box) -> bool:
    return (box[3] - box[1]) > TALL * (box[2] - box[0])


@dataclass(frozen=True)
class Scored:
    """One reading of a piece of the picture, from one pass, for select_chunks."""

    item: object  # the caller's reading (a ReadChunk)
    box: Box  # its footprint in the image
    score: float  # recogniser confidence x text area
    source: int  # which pass it came from


def select_chunks(candidates: Sequence[Scored]) -> list[object]:
    """Greedy: best score first; a reading is dropped when it overlaps an already kept
    reading of another pass by more than CONFLICT of the smaller footprint. Readings of
    one pass never conflict (the detector already made them disjoint)."""
    kept: list[Scored] = []
    for c in sorted(candidates, key=lambda c: -c.score):
        if all(k.source == c.source or overlap(k.box, c.box) <= CONFLICT for k in kept):
            kept.append(c)
    return [k.item for k in kept]


def overlap(a: Box, b: Box) -> float:
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / max(1, small)


def reading_frame(box: Box, rotation: float) -> tuple[float, float, float, float]:
    """The box in a frame where text turned by ``rotation`` degrees (counterclockwise as
    seen) reads left to right, top to bottom: the bounding box of its corners projected
    on the text's direction and on its downward normal (for ordering lines and words)."""
    t = np.radians(rotation)
    u, n = np.array([np.cos(t), -np.sin(t)]), np.array([np.sin(t), np.cos(t)])
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
    a, b = corners @ u, corners @ n
    return float(a.min()), float(b.min()), float(a.max()), float(b.max())


SKEW_RANGE = 25  # degrees: small-angle lines are levelled by their ink, not by the detector's quad
SKEW_MIN = 5.0  # degrees: lines leaning less are read as they stand (as EasyOCR's own 0.1 slope)


def quad_angle(quad: np.ndarray) -> float:
    """Angle (degrees, counterclockwise as seen, -90..90) of a quad's long edge."""
    q = order_quad(np.asarray(quad, np.float64))
    d = q[1] - q[0]
    return float(np.degrees(np.arctan2(-d[1], d[0])))


def skew(ink: np.ndarray) -> float:
    """Angle (degrees, counterclockwise as seen) of a line of text from its ink: the
    Theil-Sen slope through the bottoms of its letter-sized components (most letters sit
    on the baseline; a descender or a dot is outvoted). 0.0 with fewer than four letters,
    e.g. joined script, where it cannot tell: of three, one descender sets the median
    slope ('Dog' levelled by -10 degrees)."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    if n < 5:
        return 0.0
    hs = stats[1:, 3].astype(np.float64)
    keep = stats[1:][hs >= 0.4 * np.median(hs)]
    if len(keep) < 4:
        return 0.0
    x = keep[:, 0] + keep[:, 2] / 2.0
    y = (keep[:, 1] + keep[:, 3]).astype(np.float64)
    slope = theil_sen(x, y)
    off = np.abs(y - y.mean() - slope * (x - x.mean()))
    line = off <= max(2.0, 0.15 * float(np.median(keep[:, 3])))  # drop descenders, then fit again
    if line.sum() >= 3:
        slope = theil_sen(x[line], y[line])
    return float(np.degrees(np.arctan(-slope)))


def theil_sen(x: np.ndarray, y: np.ndarray) -> float:
    """Median of the pairwise slopes dy/dx (0.0 when no pair differs in x)."""
    i, j = np.triu_indices(len(x), 1)
    dx = x[j] - x[i]
    ok = np.abs(dx) > 1.0
    return float(np.median((y[j] - y[i])[ok] / dx[ok])) if ok.any() else 0.0


def turned_quad(quad: np.ndarray, angle: float) -> np.ndarray:
    """The quad's rectangle (same centre, length and height) turned to ``angle`` degrees
    (counterclockwise as seen), corners top-left, top-right, bottom-right, bottom-left."""
    q = order_quad(np.asarray(quad, np.float64))
    c = q.mean(axis=0)
    half_w = 0.25 * (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3]))
    half_h = 0.25 * (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1]))
    t = np.radians(angle)
    u, n = np.array([np.cos(t), -np.sin(t)]), np.array([np.sin(t), np.cos(t)])  # along, across (y down)
    return np.stack([c - half_w * u - half_h * n, c + half_w * u - half_h * n,
                     c + half_w * u + half_h * n, c - half_w * u + half_h * n])


def inside(quad: np.ndarray, origin: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
    """(h, w) bool: pixels of a crop at ``origin`` that lie inside ``quad`` (image pixels)."""
    import cv2

    mask = np.zeros(shape, np.uint8)
    pts = np.round(np.asarray(quad) - np.asarray(origin, np.float64)).astype(np.int32)
    cv2.fillPoly(mask, [pts], 1)
    return mask.astype(bool)


HANG_MARGIN = 0.25  # tops aligned on this much larger a share of letters than bottoms: the text hangs
ALIGNED = 0.08  # a letter edge within this x the median letter height of the median edge is aligned


def hangs(view: View) -> bool:
    """Whether the view's letters hang from a common top line rather than stand on a
    common baseline: Latin lowercase sits on its baseline while ascenders and x-height
    letters reach different heights, so upside down the tops align and the bottoms do not.
    Needs three letter-sized ink components; capitals alone (both edges aligned) never hang."""
    import cv2

    from segmentation.chars import ink_mask

    n, _, stats, _ = cv2.connectedComponentsWithStats(ink_mask(view.gray).astype(np.uint8), connectivity=8)
    if n < 4:
        return False
    boxes = columns_joined(stats[1:, :4])  # (k, 4) x, y, w, h: an i, a ! or a ; is one unit
    h = boxes[:, 3].astype(np.float64)
    keep = boxes[h >= 0.4 * np.median(h)]
    if len(keep) < 3:
        return False
    tol = ALIGNED * float(np.median(keep[:, 3]))
    top, bottom = keep[:, 1].astype(np.float64), (keep[:, 1] + keep[:, 3]).astype(np.float64)
    share = [float(np.mean(np.abs(e - np.median(e)) <= tol)) for e in (top, bottom)]
    return share[0] - share[1] >= HANG_MARGIN


def columns_joined(boxes: np.ndarray) -> np.ndarray:
    """(k, 4) x, y, w, h boxes of ink components, those sharing over half of the narrower's
    columns joined into one (an i and its dot, the two parts of a ! or a ;): the bar of a
    ! alone ends above the baseline and made 'Oh!' look as if it hung."""
    b = [list(map(int, r)) for r in sorted(boxes.tolist(), key=lambda r: r[0])]
    out: list[list[int]] = []
    for x, y, w, h in b:
        for u in out:
            shared = min(x + w, u[0] + u[2]) - max(x, u[0])
            if shared > 0.5 * min(w, u[2]):
                x1, y1 = max(x + w, u[0] + u[2]), max(y + h, u[1] + u[3])
                u[0], u[1] = min(x, u[0]), min(y, u[1])
                u[2], u[3] = x1 - u[0], y1 - u[1]
                break
        else:
            out.append([x, y, w, h])
    return np.asarray(out, np.int64).reshape(-1, 4)
