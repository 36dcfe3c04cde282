"""The font index: per-style, per-character glyph embeddings of every known font.

A font joins by being drawn and embedded (no retraining); glyphs of a picture are
compared with it letter by letter, and fonts are compared with one another.

    from fontindex import active_index, build_index, neighbours
    index = active_index("models/default")          # shipped + added fonts (None if absent)
    sim = style_similarity(index, embedding, chars)  # (S, N) cosines
    neighbours(index).similar("roboto", top=5)       # [SimilarFont, ...]

Heavy imports (torch) happen inside functions; scikit-learn only in calibration and benchmarks.
"""

from fontindex.build import build_index, index_styles
from fontindex.manage import FontsAddError, active_index, add_fonts, remove_fonts
from fontindex.scoring import FamilyMatch, family_match, style_similarity
from fontindex.similar import Neighbours, SimilarFont, neighbours
from fontindex.store import FontIndex, FontIndexError, IndexFamily, IndexStyle, load_index, save_index

__all__ = [
    "FamilyMatch", "FontIndex", "FontIndexError", "FontsAddError", "IndexFamily", "IndexStyle", "Neighbours",
    "SimilarFont", "active_index", "add_fonts", "build_index", "family_match", "index_styles", "load_index",
    "neighbours", "remove_fonts", "save_index", "style_similarity",
]
