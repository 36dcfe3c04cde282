"""typography: how each text region is set (size, spacing, line height, colours,
alignment, case) and the CSS that reproduces it, measured from glyph boxes, the picture
and the matched font's files. Uses glyphs; never imports pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from glyphs.catalog import FamilyFiles
from typography.css import css_rule, css_weight, fontsource_import
from typography.measure import measure_region
from typography.types import FontChoice, Measurement, TextGlyph, Typography

DECORATIONS = ("underline", "line-through", "outline", "shadow")  # Typography.decorations, in this order


def describe_region(glyphs: Sequence[TextGlyph], font: FontChoice, files: FamilyFiles | None,
                    rgb: np.ndarray | None = None, selector: str = ".region", hollow: bool = False,
                    effects: tuple[str, ...] = ()) -> Typography:
    """Typography of one region: ``glyphs`` (its characters), ``font`` (the family it
    matched), ``files`` (that family's files, None when absent: nominal proportions),
    ``rgb`` ((H, W, 3) uint8 picture; None: no colours, sizes from box heights).
    ``hollow``: segmentation found the letters drawn as outlines (decorations 'outline', CSS text-stroke);
    ``effects``: the lettering effects it removed before reading ('underline', 'line-through', 'shadow').
    Raises ValueError when ``glyphs`` is empty."""
    if not glyphs:
        raise ValueError("describe_region needs at least one glyph")
    m = measure_region(glyphs, font, files, rgb, hollow)
    package, imp = fontsource_import(font, css_weight(font, files))
    # a ruled line is reported on a flat background only: on photos the rule test also takes background
    # edges for rules (scene split: 10 of 58 pictures said underline or line-through, none has one)
    seen = set(effects) - ({"underline", "line-through"} if not m.solid_background else set())
    decorations = tuple(d for d in DECORATIONS if d in seen or (d == "outline" and hollow))
    return Typography(size_px=m.size_px, letter_spacing_em=m.letter_spacing_em, line_height=m.line_height,
                      color=m.color, background=m.background, alignment=m.alignment, case=m.case,
                      decorations=decorations, css=css_rule(selector, font, files, m, decorations), fontsource=package,
                      css_import=imp, metrics=m.metrics)


__all__ = ["FontChoice", "Measurement", "TextGlyph", "Typography", "describe_region"]
