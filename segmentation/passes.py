"""Which extra reading passes a picture gets (segmentation.read): when a reading is sure enough
to need no other direction, and when the picture is also read turned 90 degrees. Each pass
costs a detection or several recogniser calls, so they run only when the first reading gives
reason; these rules say what counts as reason, from the readings and the ink."""

from __future__ import annotations

import numpy as np

from segmentation.config import SegmentConfig
from segmentation.orient import Scored, View, footprint, is_tall
from segmentation.types import ReadChunk

LETTER_PART = 0.4  # ink components this x the median's size are letters or pieces of one (letter_parts)


def letter_parts(gray: np.ndarray, core: tuple[int, int]) -> int:
    """Letter-sized ink components of a dark-on-light crop: those whose longer side is at
    least LETTER_PART x the median's (a dot, an accent or a comma does not count; the
    longer side, so that a letter counts alike read upright or sideways)."""
    from segmentation.chars import components, ink_mask

    h = max(1, core[1] - core[0])
    boxes = components(ink_mask(gray), core, min_area=max(4, int(0.0015 * h * h))).boxes[1:]  # (k, 4)
    if len(boxes) == 0:
        return 0
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    return int((side >= LETTER_PART * np.median(side)).sum())


FLAT = 2.0  # a box this many times wider than tall ...
FLAT_PARTS = 3  # ... holding this many letter-sized ink parts side by side is a line lying flat


def try_sideways(views: list[View], first: list[ReadChunk | None], cands: list[Scored],
                 cfg: SegmentConfig) -> bool:
    """Look at the picture turned 90° when tall boxes cover over ``cfg.tall_share`` of the
    detected text, when a tall box was misread (_misread_tall), or when no reading at all
    reached ``cfg.weak_confidence``, unless then the picture holds a line lying flat
    (_lies_flat) and no tall box: a script or display face read weakly upright is still
    written left to right. Turning such pictures cost 0.4-0.7 CPU s each (15 of the
    benchmark's 300 clean pictures, all read the same or worse turned: one script line read
    turned as '3'); the rule leaves 3 of them, whose joined script letters make fewer parts
    (bench/results/robustness_speed.md)."""
    if not views:
        return False
    area = np.array([v.area for v in views], np.float64)
    tall = np.array([v.map_xy is None and is_tall(footprint(v)) for v in views])
    if area[tall].sum() >= cfg.tall_share * area.sum():
        return True
    if any(t and _misread_tall(v, c) for v, c, t in zip(views, first, tall, strict=True)):
        return True
    if not tall.any() and any(_lies_flat(v, c) for v, c in zip(views, first, strict=True)):
        return False
    return not any(sure(c.item, cfg) for c in cands)


def _misread_tall(view: View, chunk: ReadChunk | None) -> bool:
    """Whether a tall box's upright reading cannot be its text: FLAT_PARTS or more letter-sized
    ink parts read as under half as many characters (a vertical side label 'SPRING 2025' beside
    a heading, read upright as '8'). Such a label is too small a share of the text area for
    tall_share, and the heading reads surely."""
    parts = _letter_parts(view, chunk)
    letters = len(chunk.text.replace(" ", "")) if chunk is not None else 0
    return parts >= FLAT_PARTS and letters < parts / 2


def _lies_flat(view: View, chunk: ReadChunk | None) -> bool:
    """Whether an upright view holds a line lying flat: a box at least FLAT x wider than tall
    with FLAT_PARTS letter-sized ink parts. Text turned 90° stacks its letters in a tall box;
    one sideways letter ('l', '-') may lie flat, but alone."""
    if view.map_xy is not None:
        return False
    x0, y0, x1, y1 = footprint(view)
    return x1 - x0 >= FLAT * (y1 - y0) and _letter_parts(view, chunk) >= FLAT_PARTS


def _letter_parts(view: View, chunk: ReadChunk | None) -> int:
    """Letter-sized ink parts of a view (letter_parts): counted by its reading, else counted now."""
    return chunk.parts if chunk is not None and chunk.parts else letter_parts(view.gray, view.core)


def sure(chunk: ReadChunk | None, cfg: SegmentConfig) -> bool:
    """A reading that needs no other direction tried: read with cfg.weak_confidence, or a bent
    line laid straight (its direction comes from the line's shape) read with half of it."""
    if chunk is None:
        return False
    return chunk.confidence >= (cfg.weak_confidence / 2 if chunk.bent else cfg.weak_confidence)
