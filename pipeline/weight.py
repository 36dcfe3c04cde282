"""The answer's weight, followed past the weights render-and-compare drew.

Render-and-compare draws each candidate at the few catalog weights nearest the glyph model's
weight estimate (VerifyConfig.styles_per_font) and reports the best-matching drawing's weight. When
the estimate is one step off, the true weight is not among them and the answer sits at the edge
of the drawn range: the shipped sample, Playfair Display Bold, estimated near 500, drawn at 400 /
500 / 600, was reported 600. Here the top font's drawing climbs to the neighbouring catalog weight
while that explains the glyphs better (weighted cosine, the same score that chose the style), so a
weight at the edge of the drawn range gets its chance. Neighbours already drawn come from the
template cache; a step costs one drawing of the words in one style (a few ms).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from glyphs.render import FontStyle
from pipeline.verify import FontSource, verify


def refined_weight(model, embedding: np.ndarray, chars: Sequence[str], word_of: Sequence[int],
                   weights: np.ndarray, source: FontSource, family_ids: Sequence[str], candidate: int,
                   style: FontStyle, max_steps: int = 4) -> FontStyle:
    """``style`` (the candidate's best drawing) moved one catalog weight at a time, heavier or
    lighter, while the drawing at that weight has a higher weighted cosine with the glyphs.

    embedding (N, D), chars / word_of (N,), weights (N,): the glyphs render-and-compare used;
    ``candidate``: index into ``family_ids``. Width and optical-size cuts (axis ends) are returned
    as they are: their weight was drawn at the estimate on purpose. At most ``max_steps`` steps;
    the style returned is always one the family has (catalog weights).
    """
    files = source.files(family_ids[candidate])
    if files is None or style.width != 100 or style.opsz is not None:
        return style
    ladder = sorted(files.family.weights)
    if style.weight not in ladder:
        return style

    def score(weight: int) -> float:
        ver = verify(model, embedding, chars, word_of, np.array([candidate], np.int64), weights, source,
                     float(weight), style.italic, 1, family_ids=family_ids)
        if ver.styles[0] is None or ver.styles[0].weight != weight:
            return -np.inf
        return float((ver.similarity[0] * weights).sum())

    at = ladder.index(style.weight)
    best = score(style.weight)
    for _ in range(max_steps):
        moves = [(score(ladder[j]), j) for j in (at - 1, at + 1) if 0 <= j < len(ladder)]
        if not moves or max(moves)[0] <= best:
            break
        best, at = max(moves)
    return FontStyle(ladder[at], style.width, style.italic, style.opsz)
