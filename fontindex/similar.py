"""Families that look alike: nearest neighbours of family vectors (see Neighbours).

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

from fontindex.store import FontIndex


@dataclass(frozen=True)
class SimilarFont:
    family: str  # id
    name: str  # display name
    similarity: float  # cosine, 0..1 (1 = the same design)
    free: bool  # OFL or Apache as far as its licence file says
    licence: str


CHUNK = 256  # families per float32 block of a search (CHUNK x C*D x 4 bytes: 8 MB)


class Neighbours:
    """Nearest-neighbour search over one index's families (built once, queried often).

    A family's vector is its first (regular) style's letter embeddings side by side, absent
    letters zero. They are not copied: each search reads
    the index's float16 rows in float32 blocks of CHUNK families, so the full catalog's 1,568
    families cost no memory beyond the index (a copy would be 50 MB in float32).
    """

    def __init__(self, index: FontIndex) -> None:
        self.index = index
        first: dict[int, int] = {}
        for s, st in enumerate(index.styles):
            first.setdefault(st.family, s)
        self.rows = np.array([first[f] for f in range(index.num_families)], np.int64)  # (U,) style rows
        u = index.num_families
        self.norms = np.concatenate([np.linalg.norm(self._raw(np.arange(i, min(i + CHUNK, u))), axis=1)
                                     for i in range(0, u, CHUNK)] or [np.zeros(0)]) + 1e-8  # (U,)

    def _raw(self, fams: np.ndarray) -> np.ndarray:
        """(k, C*D) float32 family vectors of family indices ``fams``, not normalised."""
        rows = self.rows[fams]
        v = self.index.rows(rows) * self.index.present[rows][..., None]
        return v.reshape(len(rows), -1)

    def vectors(self, fams) -> np.ndarray:
        """(k, C*D) float32 unit family vectors of family indices ``fams``."""
        fams = np.asarray(fams, np.int64).reshape(-1)
        return self._raw(fams) / self.norms[fams, None]

    def cosines(self, queries: np.ndarray, fams: np.ndarray | None = None) -> np.ndarray:
        """(Q, R) cosine of (Q, C*D) unit ``queries`` with families ``fams`` (default all)."""
        fams = np.arange(self.index.num_families) if fams is None else np.asarray(fams, np.int64)
        q = np.atleast_2d(np.asarray(queries, np.float32))
        blocks = [q @ self.vectors(fams[i:i + CHUNK]).T for i in range(0, len(fams), CHUNK)]
        return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(q), 0), np.float32)

    def similar_to_vector(self, vector: np.ndarray, top: int, exclude: set[str] = frozenset(),
                          free_only: bool = False) -> list[SimilarFont]:
        """The ``top`` families nearest a (C*D,) vector by cosine, best first."""
        vector = np.asarray(vector, np.float32)
        cos = self.cosines(vector / (np.linalg.norm(vector) + 1e-8))[0]  # (U,)
        out = []
        for i in np.argsort(-cos, kind="stable"):
            f = self.index.families[int(i)]
            if f.id in exclude or (free_only and not f.free):
                continue
            out.append(SimilarFont(f.id, f.name, round(float(cos[i]), 4), f.free, f.licence))
            if len(out) >= top:
                break
        return out

    def similar(self, family_id: str, top: int = 5, free_only: bool = False,
                other_designs: bool = False) -> list[SimilarFont]:
        """Families most like ``family_id`` (itself left out); KeyError if it is not indexed.
        ``other_designs``: leave out its versions for other scripts (script_version), which draw
        its very Latin letters: Noto Sans's eight nearest were all Noto Sans <script>, no use to
        someone looking for another font like it.

        Uses the list stored by `index build` (FontIndex.similar) plus an exact search over the
        families indexed after it (fonts added): the same answer as a full search, without reading
        every family's vector (0.2 s per query for the full catalog on one thread)."""
        i = self.index.family_index(family_id)
        name = self.index.families[i].name
        want = top + (STORED // 2 if other_designs else 0)
        fast = self._from_stored(i, want, free_only)
        near = fast if fast is not None else self.similar_to_vector(self.vectors([i])[0], want, {family_id}, free_only)
        return [n for n in near if not (other_designs and script_version(n, name))][:top]

    def similar_to_style(self, style: int, top: int = 5, free_only: bool = False) -> list[SimilarFont]:
        """Families most like one indexed style (row ``style`` of FontIndex.styles), its own family and
        that family's script versions left out. For a variable family matched at a width end: the
        look-alikes of Archivo at its narrowest are Oswald and Sofia Sans Extra Condensed, those of
        its regular Arimo and Hubot Sans. An exact search (0.2 s for the full catalog on one thread)."""
        idx = self.index
        vector = (idx.rows(np.array([style], np.int64)) * idx.present[[style]][..., None]).reshape(-1)
        own = idx.families[idx.styles[style].family]
        near = self.similar_to_vector(vector, top + STORED // 2, {own.id}, free_only)
        return [n for n in near if not script_version(n, own.name)][:top]

    def similar_at_width(self, family_id: str, width: int, top: int = 5, free_only: bool = False,
                         other_designs: bool = False) -> list[SimilarFont]:
        """``similar``, or at a width end (``width`` percent, a cut the index holds) ``similar_to_style``
        of that cut; KeyError if the family is not indexed."""
        cut = style_at_width(self.index, family_id, width)
        return (self.similar_to_style(cut, top, free_only) if cut is not None else
                self.similar(family_id, top, free_only, other_designs))

    def _from_stored(self, i: int, top: int, free_only: bool) -> list[SimilarFont] | None:
        """The stored neighbours of family i merged with the families they could not cover;
        None when the stored list is absent or too short for ``top`` after filtering."""
        idx = self.index
        fam = idx.families[i]
        stored = idx.similar.get(fam.id)
        if stored is None:
            return None
        pos = {f.id: k for k, f in enumerate(idx.families)}
        rows = [(pos[f], float(c)) for f, c in stored if f in pos]
        extra = np.array([k for k, f in enumerate(idx.families) if f.id not in idx.similar and k != i], np.int64)
        if len(extra):
            rows += list(zip(extra.tolist(), self.cosines(self.vectors([i]), extra)[0].tolist(), strict=True))
        out = [SimilarFont(idx.families[k].id, idx.families[k].name, round(c, 4), idx.families[k].free,
                           idx.families[k].licence) for k, c in sorted(rows, key=lambda r: -r[1])
               if not free_only or idx.families[k].free]
        return out[:top] if len(out) >= top or len(stored) < STORED else None

    def nearest_of(self, family_ids: set[str], among: set[str]) -> dict[str, str]:
        """For each family in ``family_ids``: its nearest family among ``among``."""
        pool = np.array([i for i, f in enumerate(self.index.families) if f.id in among], np.int64)
        if not len(pool):
            return {}
        ids = sorted(family_ids)
        cos = self.cosines(self.vectors([self.index.family_index(f) for f in ids]), pool)  # (Q, P)
        return {fid: self.index.families[int(pool[j])].id for fid, j in zip(ids, cos.argmax(axis=1), strict=True)}


def style_at_width(index: FontIndex, family_id: str, width: int) -> int | None:
    """Row of FontIndex.styles holding ``family_id`` drawn at ``width`` percent (a width end, at the
    weight nearest 400 before its corners); None at 100 % or when the index has no such cut."""
    if width == 100:
        return None
    f = index.family_index(family_id)
    return next((k for k, s in enumerate(index.styles) if s.family == f and s.width == width), None)


STORED = 24  # neighbours stored per family by `index build` (identify lists 3 free ones)
SAME_LETTERS = 0.95  # a "<family> <script>" family at least this alike draws the family's own Latin letters


def script_version(near: SimilarFont, name: str) -> bool:
    """Whether ``near`` is the family ``name`` made for another script: named "<name> <more>" and
    at least SAME_LETTERS alike (Noto Sans Hebrew for Noto Sans, IBM Plex Sans JP for IBM Plex
    Sans; IBM Plex Sans Condensed, 0.89, is another width and stays)."""
    return near.name.startswith(name + " ") and near.similarity >= SAME_LETTERS


def neighbour_lists(index: FontIndex, k: int = STORED) -> dict[str, list]:
    """{family id: [[id, cosine], ...]} the ``k`` most similar families of each, best first."""
    nb = Neighbours(index)
    u = index.num_families
    out = {}
    for a in range(0, u, CHUNK):
        block = np.arange(a, min(a + CHUNK, u))
        cos = nb.cosines(nb.vectors(block))  # (b, U)
        cos[np.arange(len(block)), block] = -np.inf  # not itself
        for r, row in zip(block, cos, strict=True):
            best = np.argsort(-row, kind="stable")[:k]
            out[index.families[r].id] = [[index.families[j].id, round(float(row[j]), 4)] for j in best]
    return out


def nearest_trained(index: FontIndex, trained: set[str]) -> dict[str, str]:
    """{family id: nearest family in ``trained``} for each indexed family not in ``trained``
    (the model's label families): the head score such a family borrows (pipeline.openset)."""
    unseen = {f for f in index.family_ids if f not in trained}
    return Neighbours(index).nearest_of(unseen, trained) if unseen else {}


@lru_cache(maxsize=4)
def neighbours(index: FontIndex) -> Neighbours:
    """One Neighbours per loaded index (indexes are loaded once per process)."""
    return Neighbours(index)
