"""Pure scoring against the index: glyph embeddings vs each style's embedding of the same letter.

A glyph's similarity to a style is the cosine between its embedding and that
style's class-average embedding of the letter read (fontindex.build). A family's
score for a text is the best of its styles' weighted sums over the glyphs (a text
is set in one style); a letter a style cannot draw counts as that glyph's worst
match over all styles, so missing letters are evidence against a family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fontindex.store import FontIndex

# Prior against a variable family's axis-end styles (its most condensed or expanded width, display or
# caption optical size, hairline or black weight; fontindex.build.end_styles), in cosine per glyph: a
# picture is likelier set at a named weight. Swept on held-out axis pictures (families 41-127 of the top
# 300's variable ones and 45 beyond them, texts of another seed; not the robustness benchmark's): 0 to 0.04
# change top-5 by at most one picture of 264 per kind, 0.08 costs the axis pictures 2 points of top-5;
# 0.02 is kept as a guard against an end of another family outscoring a plain line by a hair.
END_PENALTY = 0.02


@dataclass(frozen=True)
class FamilyMatch:
    totals: np.ndarray  # (U,) weighted similarity sum of each family's best style
    style: np.ndarray  # (U,) int: the index row (style) that matched best
    similarity: np.ndarray  # (U, N) per-glyph cosine under that style


def unit_rows(e: np.ndarray) -> np.ndarray:
    """(..., D) float32 rows scaled to unit length (cosine similarity is then a dot product)."""
    e = np.asarray(e, np.float32)
    return e / (np.linalg.norm(e, axis=-1, keepdims=True) + 1e-6)


def style_similarity(index: FontIndex, embedding: np.ndarray, chars: Sequence[str]) -> np.ndarray:
    """(S, N) cosine of each glyph with each style's embedding of its letter.

    embedding (N, D) from the same glyph model as the index. Letters the index lacks
    give 0 for every style (no evidence); letters a style lacks give NaN.
    """
    e = unit_rows(embedding)  # (N, D)
    ci = np.array([index.char_index(c) for c in chars], np.int64)  # (N,)
    sim = np.zeros((len(index.styles), len(chars)), np.float32)
    for c in np.unique(ci[ci >= 0]):  # one letter at a time: (S, D) float32 blocks, whatever S is
        cols = np.flatnonzero(ci == c)
        s = index.letter(c) @ e[cols].T  # (S, n)
        sim[:, cols] = np.where(index.present[:, c][:, None], s, np.nan)
    return sim


def fill_missing(sim: np.ndarray) -> np.ndarray:
    """(K, N) similarities with NaN where row k could not match glyph n (a style lacking the letter,
    a font that cannot draw the word) -> that glyph's worst match over the rows (0 if none matched)."""
    finite = np.isfinite(sim)
    worst = np.where(finite.any(axis=0), np.nanmin(np.where(finite, sim, np.inf), axis=0), 0.0)
    return np.where(finite, sim, worst[None, :]).astype(np.float32)


def family_match(index: FontIndex, sim: np.ndarray, weights: np.ndarray,
                 end_penalty: float = END_PENALTY) -> FamilyMatch:
    """Best style per family. sim (S, N) from style_similarity, weights (N,) glyph votes.
    A style at an axis end (IndexStyle.end) has ``end_penalty`` taken off each glyph's cosine."""
    sim = fill_missing(sim)
    if end_penalty:
        sim = sim - np.float32(end_penalty) * index.at_end()[:, None]
    per_style = sim @ np.asarray(weights, np.float32)  # (S,)
    fam = index.style_family()  # (S,)
    u = index.num_families
    best = np.full(u, -1, np.int64)
    totals = np.full(u, -np.inf, np.float64)
    for s in np.argsort(-per_style, kind="stable"):  # first seen per family = its best style
        if best[fam[s]] < 0:
            best[fam[s]] = s
            totals[fam[s]] = per_style[s]
    rows = np.where(best[:, None] >= 0, sim[np.maximum(best, 0)], 0.0).astype(np.float32)
    return FamilyMatch(np.where(best >= 0, totals, -np.inf), best, rows)
