"""Twins by drawing: families whose Latin glyphs look the same although their outlines hash apart.

The outline hash (glyphs/twins.py) folds families whose A–Z a–z 0–9 outlines are identical to
the font unit. Script superfamilies (Noto, Tiro, Baloo, Anek, the Khmer fonts drawn over Roboto
Slab or Bayon) often carry one Latin design in slightly different outline versions: the hashes
differ, the glyphs do not, and a classifier asked to tell them apart can only guess. Here each
of the 62 glyphs is drawn alone at ``EM`` px per em from the file the pass reads (upright, 400
or nearest) and cropped to its ink; two families are drawn twins when every glyph's ink box
agrees within ``BOX_SLACK`` px and the two inks, aligned at the box's top-left corner, overlap
with intersection over union of at least ``MIN_IOU`` (0.98).

The threshold sits in a gap measured over the 1,566-family catalog (each family's nearest
other, worst glyph's 1 - IoU): about 35 families lie at 0.014 or less, the next at 0.032
(``noto-serif-khojki``/``noto-serif-bengali``, ``baloo-da-2``/``baloo-2``, ``zen-antique-soft``,
``stack-sans-headline``: other design versions, not folded), ``mada``/``source-sans-3`` 0.054,
``heebo``/``vazirmatn`` 0.085; siblings a person tells apart at a glance lie above 0.1
(``fascinate-inline`` 0.11, ``bungee-inline`` 0.14, ``dm-serif-display``/``-text`` 0.32).
Greedy in catalog order: a family folds into the first earlier kept family it is a twin of,
so a top300 family keeps its id.
"""

from __future__ import annotations

import numpy as np

from glyphs.catalog import Family, FontFile
from glyphs.full_catalog import REQUIRED_TEXT, Dropped

EM = 64  # px per em the glyphs are drawn at
MIN_IOU = 0.98  # every glyph's ink overlaps its twin's at least this much
BOX_SLACK = 2  # px an ink box's height or width may differ by
SHORTLIST = 8  # nearest earlier families (by a 12 x 12 sketch of every glyph) compared in full

Drawing = tuple[np.ndarray, ...]  # 62 (h, w) bool inks, REQUIRED_TEXT order


def draw_glyphs(file: FontFile, location: dict[str, float]) -> Drawing | None:
    """The 62 glyphs' inks at ``EM`` px per em, each cropped to its ink box; None when
    FreeType cannot draw one (such a family is never folded by drawing)."""
    from glyphs.render import FontFileError, FontStyle, open_font, with_real_axes

    try:
        f = with_real_axes(file) if file.weight is None else file
        font, _ = open_font(f, FontStyle(int(location.get("wght", 400))), EM)
        inks = []
        for ch in REQUIRED_TEXT:
            mask = font.getmask(ch, mode="L")
            ink = np.asarray(mask, dtype=np.uint8).reshape(mask.size[1], mask.size[0]) > 127
            ys, xs = np.nonzero(ink)
            if not len(ys):
                return None
            inks.append(ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1])
        return tuple(inks)
    except (FontFileError, OSError, ValueError):
        return None


def drawn_distance(a: Drawing, b: Drawing) -> float:
    """1 - the smallest per-glyph ink IoU of two drawings (1.0 when an ink box differs by more
    than ``BOX_SLACK`` px); 0 = drawn identically."""
    worst = 0.0
    for ga, gb in zip(a, b, strict=True):
        if abs(ga.shape[0] - gb.shape[0]) > BOX_SLACK or abs(ga.shape[1] - gb.shape[1]) > BOX_SLACK:
            return 1.0
        h, w = max(ga.shape[0], gb.shape[0]), max(ga.shape[1], gb.shape[1])
        pa, pb = np.zeros((h, w), bool), np.zeros((h, w), bool)
        pa[:ga.shape[0], :ga.shape[1]], pb[:gb.shape[0], :gb.shape[1]] = ga, gb
        worst = max(worst, 1.0 - float((pa & pb).sum()) / max(float((pa | pb).sum()), 1.0))
    return worst


def _sketch(d: Drawing) -> np.ndarray:
    """(62 * 144,) unit vector: every glyph shrunk to 12 x 12, centred (the shortlist's key)."""
    import cv2

    v = np.concatenate([cv2.resize(g.astype(np.float32), (12, 12), interpolation=cv2.INTER_AREA).ravel() for g in d])
    v -= v.mean()
    return v / max(float(np.linalg.norm(v)), 1e-9)


def fold_drawn(kept: list[Family], choice_of: dict[str, tuple[FontFile, dict[str, float]]]
               ) -> tuple[list[Family], list[Dropped]]:
    """(families still kept, catalog order; the drawn twins dropped as aliases)."""
    out: list[Family] = []
    dropped: list[Dropped] = []
    drawings: list[Drawing | None] = []  # aligned with out
    sketches = np.zeros((len(kept), len(REQUIRED_TEXT) * 144), np.float32)  # rows: out's drawn families
    for fam in kept:
        d = draw_glyphs(*choice_of[fam.id]) if fam.id in choice_of else None
        sk = _sketch(d) if d is not None else None
        if sk is not None and out:
            near = np.argsort(-(sketches[:len(out)] @ sk))[:SHORTLIST]
            twin = next((int(j) for j in sorted(near)
                         if drawings[j] is not None and drawn_distance(d, drawings[j]) <= 1.0 - MIN_IOU), None)
            if twin is not None:
                dropped.append(Dropped(fam.id, "twin", f"A-Z a-z 0-9 drawn like {out[twin].id}'s (every glyph's "
                                       f"ink IoU >= {MIN_IOU} at {EM} px per em)", alias_of=out[twin].id))
                continue
        if sk is not None:
            sketches[len(out)] = sk
        drawings.append(d)
        out.append(fam)
    return out, dropped
