"""pipeline.rank(image) -> Ranking: segmentation, then the glyph classifier, summed.

Nothing heavy at import: the model and the OCR reader load on the first call.
"""

from pipeline.rank import DEFAULT_MODEL, Identifier, get_identifier, rank
from pipeline.types import FontScore, GlyphEvidence, Ranking, Region

__all__ = ["DEFAULT_MODEL", "FontScore", "GlyphEvidence", "Identifier", "Ranking", "Region",
           "get_identifier", "rank"]
