"""Text regions as a person sees them: runs of lines in one font, one size and one style.

A line is first cut where its words change size a lot (a label and a price side by side
on one baseline). Consecutive pieces then join one region while all of these hold:
- the same type size: cap heights (glyphs.normalize.estimate_line_metrics) within SIZE_RATIO;
- close together: the gap between them at most GAP_CAPS cap heights;
- the same font: equal top fonts, or each piece loses at most FONT_GAP log-score per glyph by
  taking the other's top font (a body line whose best guess slipped to a near twin stays in
  its paragraph);
- the same style: classifier weight estimates within WEIGHT_GAP, same italic.
So a heading and its body are two regions even when one font wins both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glyphs.normalize import estimate_line_metrics
from pipeline.scoring import summed_scores

SIZE_RATIO = 1.2  # larger / smaller cap height still read as one size
WORD_SIZE_RATIO = 1.6  # a line is cut between words whose sizes differ more (x-height-only words
# estimate their cap height as x-height / 0.70, which is 1.4x off in small-x-height fonts)
GAP_CAPS = 2.0  # largest vertical gap inside a region, in cap heights
WEIGHT_GAP = 250  # weight estimates further apart are two styles
FONT_GAP = 1.6  # two pieces share a font when each loses at most this log-score per glyph
# by taking the other's top font (near twins on the 300 fonts: ~0.7-1.5; other fonts: 2-17)


@dataclass(frozen=True)
class Piece:
    """A line, or the part of one, that may join a region (punctuation alone joins its neighbour)."""

    glyphs: list[int]
    cap: float | None  # cap height, px (None: no letter or digit)
    box: tuple[float, float, float, float]
    sums: np.ndarray  # (F,) summed log-scores of its glyphs
    weight: float
    italic: bool
    direction: int = 0  # reading direction, degrees (0, 90, 180, 270): pieces of two never join


def cap_height(glyphs: Any, ix: Sequence[int]) -> float | None:
    """Cap height (px) from the letters and digits of ``ix`` (None: punctuation only, whose
    boxes say nothing of the size)."""
    ix = [i for i in ix if glyphs[i].char.isalnum()]
    if not ix:
        return None
    return estimate_line_metrics([glyphs[i].box for i in ix], [glyphs[i].char for i in ix]).cap_height


def line_pieces(glyphs: Any) -> list[list[int]]:
    """Glyph indices per line, each line cut where adjacent words differ in size by more
    than WORD_SIZE_RATIO; in reading order."""
    out = []
    for ln in sorted({g.line_index for g in glyphs}):
        words: dict[int, list[int]] = {}
        for i, g in enumerate(glyphs):
            if g.line_index == ln:
                words.setdefault(g.word_index, []).append(i)
        run: list[int] = []
        prev = None
        for w in sorted(words, key=lambda w: glyphs[words[w][0]].box[0]):
            cap = cap_height(glyphs, words[w])
            if run and prev and cap and max(cap, prev) / min(cap, prev) > WORD_SIZE_RATIO:
                out.append(run)
                run = []
            run = run + words[w]
            prev = cap or prev
        out.append(run)
    return out


def _piece(glyphs: Any, ix: list[int], lp: np.ndarray, w: np.ndarray, style: Any, direction: int) -> Piece:
    b = np.array([glyphs[i].box for i in ix], np.float64)
    weight, _, italic = style(ix)
    return Piece(ix, cap_height(glyphs, ix), (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()),
                 summed_scores(lp[ix], w[ix]), weight, italic, direction)


def _joins(group: list[Piece], p: Piece) -> bool:
    last = group[-1]
    if p.direction != last.direction:  # a vertical side label is not part of the heading beside it
        return False
    if p.cap is None or last.cap is None:  # punctuation alone: stays with its neighbour
        return True
    if max(p.cap, last.cap) / min(p.cap, last.cap) > SIZE_RATIO:
        return False
    gap = max(p.box[1] - last.box[3], last.box[1] - p.box[3], 0.0)
    if gap > GAP_CAPS * max(p.cap, last.cap):
        return False
    if abs(p.weight - last.weight) > WEIGHT_GAP or p.italic != last.italic:
        return False
    g_sums = np.sum([q.sums for q in group], axis=0)
    g_top, p_top = int(np.argmax(g_sums)), int(np.argmax(p.sums))
    if g_top == p_top:
        return True
    n_g = sum(len(q.glyphs) for q in group)
    # Log-score each side loses per glyph by taking the other side's top font.
    lost_p = float(p.sums[p_top] - p.sums[g_top]) / len(p.glyphs)
    lost_g = float(g_sums[g_top] - g_sums[p_top]) / n_g
    return max(lost_p, lost_g) <= FONT_GAP


def region_groups(glyphs: Any, lp: np.ndarray, w: np.ndarray, style: Any,
                  directions: Sequence[int] | None = None) -> list[list[int]]:
    """Glyph indices per region, in reading order. ``glyphs``: segmentation.Glyph-like
    (char, box, word_index, line_index), boxes in the reading frame for turned text (see
    reading_layout); ``lp`` (N, F) log-scores; ``w`` (N,) glyph weights; ``style(ix) ->
    (weight, width, italic)`` the classifier's estimate; ``directions`` (N,) each glyph's
    reading direction in degrees (default: all upright)."""
    groups: list[list[Piece]] = []
    for ix in line_pieces(glyphs):
        p = _piece(glyphs, ix, lp, w, style, int(directions[ix[0]]) if directions is not None else 0)
        for group in reversed(groups[-2:]):  # the piece beside a cut line may continue the one before
            if _joins(group, p):
                group.append(p)
                break
        else:
            groups.append([p])
    return [sorted(i for p in g for i in p.glyphs) for g in groups]


def reading_layout(glyphs: Sequence[Any], words: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """Glyphs with their boxes in their word's reading frame, and each glyph's direction.

    glyphs: segmentation.Glyph (frozen dataclasses: box, word_index); words:
    segmentation.Word (rotation, degrees counterclockwise as seen). Text turned a quarter
    turn (the nearest one, as segmentation orders lines) reads left to right in its frame,
    so cap heights, line gaps and word order mean what they mean upright: in picture
    coordinates a line turned 90 degrees has letters as "tall" as they are wide and was
    cut into pieces of unequal "size" (Quiet morning light: 10 + 7 glyphs, two regions).
    """
    from dataclasses import replace

    from segmentation.orient import reading_frame

    dirs = [int(round(words[g.word_index].rotation / 90.0)) % 4 * 90 for g in glyphs]
    return [replace(g, box=reading_frame(g.box, d)) if d else _upright(g) for g, d in zip(glyphs, dirs, strict=True)], dirs


def _upright(glyph: Any) -> Any:
    """A glyph of upright text with its box as its letter stands upright (Glyph.upright_box, where
    segmentation laid a bent line straight): on an arc, the boxes of the letters leaning at its ends
    are too tall (Notifications (3): cap height 29 px for the word, 49 px for the '(3)' at the arc's
    end, two regions)."""
    from dataclasses import replace

    up = getattr(glyph, "upright_box", None)  # Glyph-likes without the field stand upright
    return glyph if up is None else replace(glyph, box=up)


def upright_picture(rgb: np.ndarray, boxes: Sequence[tuple[int, int, int, int]],
                    direction: int) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The (H, W, 3) picture turned so that text turned ``direction`` degrees (0, 90, 180 or
    270, counterclockwise as seen; segmentation.Word.rotation's nearest quarter turn) reads
    upright, and the boxes (x0, y0, x1, y1, exclusive ends) in the turned picture's pixels.
    Typography (size, letter-spacing, colours) is measured there: in the picture's own
    coordinates a word turned 180 degrees has its letters right to left (letter-spacing
    -1.1 em) and one turned 90 degrees has letters as wide as they are tall."""
    h, w = rgb.shape[:2]
    if direction == 90:  # runs bottom to top: turn the picture clockwise
        return np.rot90(rgb, -1), [(h - y1, x0, h - y0, x1) for x0, y0, x1, y1 in boxes]
    if direction == 180:
        return np.rot90(rgb, 2), [(w - x1, h - y1, w - x0, h - y0) for x0, y0, x1, y1 in boxes]
    if direction == 270:  # runs top to bottom: turn the picture counterclockwise
        return np.rot90(rgb, 1), [(y0, w - x1, y1, w - x0) for x0, y0, x1, y1 in boxes]
    return rgb, list(boxes)

