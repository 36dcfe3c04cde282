"""Families that look alike: nearest neighbours of family vectors (fontindex.scoring.family_vectors).

Similarity is the cosine of two families' regular-style letter embeddings (about the
mean per-letter cosine). The search is exact and brute force in numpy: (U, C*D) unit rows
times one vector is a few milliseconds for thousands of families, and importing a
search library (scikit-learn pulls in scipy: seconds on a busy 2-core machine) would
dominate a cold ``identify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from fontindex.scoring import family_vectors
from fontindex.store import FontIndex


@dataclass(frozen=True)
class SimilarFont:
    family: str  # id
    name: str  # display name
    similarity: float  # cosine, 0..1 (1 = the same design)
    free: bool  # OFL or Apache as far as its licence file says
    licence: str


class Neighbours:
    """Nearest-neighbour search over one index's families (built once, queried often)."""

    def __init__(self, index: FontIndex) -> None:
        self.index = index
        v = family_vectors(index)  # (U, C*D)
        self.vectors = v / (np.linalg.norm(v, axis=1, keepdims=True) + 1e-8)

    def similar_to_vector(self, vector: np.ndarray, top: int, exclude: set[str] = frozenset(),
                          free_only: bool = False) -> list[SimilarFont]:
        """The ``top`` families nearest a (C*D,) vector by cosine, best first."""
        cos = self.vectors @ (vector / (np.linalg.norm(vector) + 1e-8))  # (U,)
        out = []
        for i in np.argsort(-cos, kind="stable"):
            f = self.index.families[int(i)]
            if f.id in exclude or (free_only and not f.free):
                continue
            out.append(SimilarFont(f.id, f.name, round(float(cos[i]), 4), f.free, f.licence))
            if len(out) >= top:
                break
        return out

    def similar(self, family_id: str, top: int = 5, free_only: bool = False) -> list[SimilarFont]:
        """Families most like ``family_id`` (itself left out); KeyError if it is not indexed."""
        i = self.index.family_index(family_id)
        return self.similar_to_vector(self.vectors[i], top, {family_id}, free_only)

    def nearest_of(self, family_ids: set[str], among: set[str]) -> dict[str, str]:
        """For each family in ``family_ids``: its nearest family among ``among``."""
        pool = [i for i, f in enumerate(self.index.families) if f.id in among]
        if not pool:
            return {}
        out = {}
        for fid in family_ids:
            cos = self.vectors[pool] @ self.vectors[self.index.family_index(fid)]
            out[fid] = self.index.families[pool[int(np.argmax(cos))]].id
        return out


@lru_cache(maxsize=4)
def neighbours(index: FontIndex) -> Neighbours:
    """One Neighbours per loaded index (indexes are loaded once per process)."""
    return Neighbours(index)
