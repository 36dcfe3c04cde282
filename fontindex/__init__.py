"""The font index: per-style, per-character glyph embeddings of every known font.

A font joins by being drawn and embedded (no retraining); glyphs of a picture are
compared with it letter by letter, and fonts are compared with one another.

    from fontindex import active_index, build_index, neighbours
    index = active_index("models/default")          # shipped + added fonts (None if absent)
    sim = style_similarity(index, embedding, chars)  # (S, N) cosines
    neighbours(index).similar("roboto", top=5)       # [SimilarFont, ...]

Heavy imports (torch) happen inside functions; scikit-learn only in calibration and benchmarks.
Nothing is imported until a name is used (PEP 562): building the CLI's parser reads
fontindex.config without loading the drawing and embedding code.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "build_index": "build", "index_styles": "build",
    "FontsAddError": "manage", "active_index": "manage", "add_fonts": "manage", "remove_fonts": "manage",
    "FamilyMatch": "scoring", "family_match": "scoring", "style_similarity": "scoring",
    "Neighbours": "similar", "SimilarFont": "similar", "neighbours": "similar",
    "FontIndex": "store", "FontIndexError": "store", "IndexFamily": "store", "IndexStyle": "store",
    "load_index": "store", "save_index": "store",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'fontindex' has no attribute {name!r}")
    return getattr(importlib.import_module(f"fontindex.{_WHERE[name]}"), name)
