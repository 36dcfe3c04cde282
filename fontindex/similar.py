"""Families that look alike: nearest neighbours of family vectors (fontindex.scoring.family_vectors).

Similarity is the cosine of two families' regular-style letter embeddings (about the
mean per-letter cosine), found with scikit-learn's exact nearest-neighbour search.
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
        from sklearn.neighbors import NearestNeighbors

        self.index = index
        self.vectors = family_vectors(index)  # (U, C*D)
        self.nn = NearestNeighbors(metric="cosine", algorithm="brute").fit(self.vectors)

    def similar_to_vector(self, vector: np.ndarray, top: int, exclude: set[str] = frozenset(),
                          free_only: bool = False) -> list[SimilarFont]:
        """The ``top`` families nearest a (C*D,) vector, best first."""
        k = min(self.index.num_families, top + len(exclude) + (60 if free_only else 0))
        dist, idx = self.nn.kneighbors(vector[None, :], n_neighbors=k)
        out = []
        for dd, i in zip(dist[0], idx[0], strict=True):
            f = self.index.families[int(i)]
            if f.id in exclude or (free_only and not f.free):
                continue
            out.append(SimilarFont(f.id, f.name, round(float(1.0 - dd), 4), f.free, f.licence))
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
        p = self.vectors[pool]
        p = p / (np.linalg.norm(p, axis=1, keepdims=True) + 1e-8)
        out = {}
        for fid in family_ids:
            v = self.vectors[self.index.family_index(fid)]
            v = v / (np.linalg.norm(v) + 1e-8)
            out[fid] = self.index.families[pool[int(np.argmax(p @ v))]].id
        return out


@lru_cache(maxsize=4)
def neighbours(index: FontIndex) -> Neighbours:
    """One Neighbours per loaded index (indexes are loaded once per process)."""
    return Neighbours(index)
