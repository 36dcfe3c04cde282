"""Open-world ranking: the classifier's 300 families and every font in the index, on one scale.

The ranking runs over the index's families U (the catalog plus added fonts), not
only the classifier's F labels:

- base score (U,): the classifier's summed log-scores for families it was trained on;
  a family it never saw borrows the sum of its nearest trained family (in the
  index's embedding space). A glyph of an unseen font draws the head towards its
  look-alikes, so the unseen font starts level with them, never ahead;
- candidates: the head's top-K and the index's top-K (summed per-glyph cosine to each
  family's best style), so a font the classifier never saw can be reached;
- verification (K, N): with every shortlisted candidate's files on disk, render-and-compare
  of the index's best few (``shortlist``); else the index's per-letter cosine of all
  candidates; score = base + alpha * weighted similarity
  (pipeline.scoring.verified_scores), then one softmax at the calibrated temperature.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from pipeline.scoring import CASE_AMBIGUOUS

# Trained families whose index vectors (fontindex.similar) are at least this alike share their best head
# score (OpenSet.base_scores): 22 of the 300 (Roboto / Heebo, IBM Plex Sans / Plex Sans JP / Plex Sans
# Arabic, Noto Sans / Noto Sans Math, Fira Code / Fira Mono, Lexend / Readex Pro, ...) draw the same Latin
# letters, and the classifier splits a picture's evidence between them at random.
TWIN_COSINE = 0.97


@dataclass(frozen=True)
class OpenSet:
    """An index lined up with a model's label map (built once per Identifier)."""

    index: object  # fontindex.FontIndex
    head_of: np.ndarray  # (U,) int: the model label scored for family u (itself, or its nearest trained)
    trained: np.ndarray  # (U,) bool: the classifier was trained on family u
    popular: np.ndarray | None = None  # (U,) bool: favoured by the prior (None: the trained families)
    twins: np.ndarray | None = None  # (F, F) bool: trained families that share their best head score

    @classmethod
    def build(cls, index, labels, popular: set[str] | None = None, twin_cosine: float = TWIN_COSINE) -> OpenSet:
        """FontIndexError when the index lacks one of the model's families. A family the model
        never saw borrows the label of its nearest trained family: precomputed by `index build`
        (FontIndex.nearest), else (fonts added later) searched here. ``popular``: the family ids the
        prior favours (the 300 most used; None = the families the model was trained on)."""
        from fontindex import neighbours

        label_of = {f.family: i for i, f in enumerate(labels.fonts)}
        ids = index.family_ids
        known = set(ids)
        missing = [f for f in label_of if f not in known]
        if missing:
            from fontindex import FontIndexError

            raise FontIndexError(f"the font index lacks {len(missing)} of the model's families "
                                 f"(e.g. {missing[0]}); rebuild it: python cli.py index build")
        nearest = {k: v for k, v in index.nearest.items() if v in label_of}
        unseen = {i for i in ids if i not in label_of and i not in nearest}
        nearest.update(neighbours(index).nearest_of(unseen, set(label_of)) if unseen else {})
        head_of = np.array([label_of[i] if i in label_of else label_of[nearest[i]] for i in ids], np.int64)
        trained = np.array([i in label_of for i in ids])
        return cls(index, head_of, trained, None if popular is None else np.array([i in popular for i in ids]),
                   twin_pairs(index.similar, label_of, twin_cosine))

    @functools.cached_property
    def corners(self) -> np.ndarray:
        """(S,) bool: the index's corner styles (FontIndex.at_corner)."""
        return self.index.at_corner()

    @property
    def favoured(self) -> np.ndarray:
        """(U,) 1.0 for the popular families (the model's trained ones unless given) and fonts a user
        added, else 0.0."""
        added = np.array([f.source != "catalog" for f in self.index.families])
        popular = self.trained if self.popular is None else self.popular
        return (popular | added).astype(np.float64)

    @classmethod
    def for_catalog(cls, index, labels, catalog: str = "default") -> OpenSet:
        """``index`` lined up with ``labels`` (build, the 300 most used families favoured),
        restricted to ``catalog``'s families and the fonts added with `fonts add` when the index
        holds more, e.g. --catalog top300 over the full catalog's index."""
        from glyphs.catalog import load_catalog

        openset = cls.build(index, labels, popular={f.id for f in load_catalog("top300")})
        keep = {f.id for f in load_catalog(catalog)} | {f.id for f in index.families if f.source != "catalog"}
        return openset if set(index.family_ids) <= keep else openset.only(keep)

    def only(self, family_ids: set[str]) -> OpenSet:
        """The same open set over ``family_ids`` only (a smaller catalog, e.g. --catalog top300)."""
        keep = np.array([f in family_ids for f in self.index.family_ids])
        return OpenSet(self.index.only(family_ids), self.head_of[keep], self.trained[keep],
                       None if self.popular is None else self.popular[keep], self.twins)

    def base_scores(self, sums: np.ndarray) -> np.ndarray:
        """(F,) summed head log-scores -> (U,) base scores. A trained family takes the best sum of
        its twins (itself included): for letters two families draw alike the classifier's split is
        noise, and a family it never saw borrows its look-alike's sum, which pushed the true family
        down (Noto Sans behind Noto Sans Math and the script siblings borrowing from it; robustness
        bench, 40 families x 2 texts, paired: control top-1 0.887 -> 0.925 with one Open Sans picture
        out of the top 5 (0.988 -> 0.975: the classifier took it for the Noto Sans family, now pooled),
        arc top-5 0.875 -> 0.887; benchmark splits within 0.7 points), and render-and-compare tells
        twins apart."""
        if self.twins is not None:
            sums = np.where(self.twins, sums[None, :], -np.inf).max(axis=1)  # (F,)
        return sums[self.head_of]

    def glyph_similarity(self, embedding: np.ndarray, chars: list[str]) -> np.ndarray:
        """(S, N) cosine to each style's letter; case-ambiguous letters take the better case."""
        from fontindex import style_similarity

        sim = style_similarity(self.index, embedding, chars)
        amb = [i for i, c in enumerate(chars) if c in CASE_AMBIGUOUS]
        if amb:
            other = style_similarity(self.index, embedding[amb], [chars[i].swapcase() for i in amb])
            sim[:, amb] = np.fmax(sim[:, amb], other)
        return sim

    def candidates(self, base: np.ndarray, totals: np.ndarray, k_head: int, k_index: int) -> np.ndarray:
        """(K,) family indices: the base's top k_head, then the index's top k_index not yet in."""
        head = list(np.argsort(-base, kind="stable")[:k_head])
        seen = set(int(i) for i in head)
        extra = [int(i) for i in np.argsort(-totals, kind="stable") if int(i) not in seen][:k_index]
        return np.array([int(i) for i in head] + extra, np.int64)


def twin_pairs(similar: dict, label_of: dict[str, int], cosine: float) -> np.ndarray | None:
    """(F, F) bool, symmetric, the diagonal set: trained families at least ``cosine`` alike in the
    index's stored neighbour lists (FontIndex.similar); None when no two are (cosine > 1 turns it off)."""
    twins = np.eye(len(label_of), dtype=bool)
    for fam, near in similar.items():
        for other, cos in near:
            if fam in label_of and other in label_of and cos >= cosine:
                twins[label_of[fam], label_of[other]] = twins[label_of[other], label_of[fam]] = True
    return twins if twins.sum() > len(label_of) else None


def shortlist(base: np.ndarray, cand: np.ndarray, index_sim: np.ndarray, weights: np.ndarray, alpha: float,
              k: int) -> np.ndarray:
    """The ``k`` candidates with the best index-verified scores, best first: the ones worth drawing.

    base (U,); cand (K,); index_sim (K, N) the index's cosines of the candidates. The index
    ranks a family the classifier never saw as well as a known one, so drawing its best few
    (instead of the classifier's best, cut short by an early stop) keeps added fonts in the race.
    """
    return cand[shortlist_order(base, cand, index_sim, weights, alpha, k)]


def shortlist_order(base: np.ndarray, cand: np.ndarray, index_sim: np.ndarray, weights: np.ndarray,
                    alpha: float, k: int) -> np.ndarray:
    """Positions in ``cand`` of the shortlist (see shortlist)."""
    scores = base[cand] + alpha * (index_sim * np.asarray(weights)[None, :]).sum(axis=1)  # (K,)
    return np.argsort(-scores, kind="stable")[:k]


def per_glyph_best(sim: np.ndarray) -> np.ndarray:
    """(S, N) cosines of every index style (NaN where a style lacks the letter; OpenSet.glyph_similarity)
    -> (N,) each glyph's best cosine over every style of every family (0 where none draws it).

    A font the index knows explains its glyphs about as well as the best mixture of fonts does;
    an unknown one is explained glyph by glyph by different fonts, better than by any one."""
    finite = np.isfinite(sim)
    if not sim.size:
        return np.zeros(sim.shape[1], np.float32)
    best = np.max(np.where(finite, sim, -np.inf), axis=0)  # (N,)
    return np.where(finite.any(axis=0), best, 0.0).astype(np.float32)


IN_CATALOG_FEATURES = ("winner mean cosine", "margin over runner-up", "winner probability", "log glyphs",
                       "mean OCR confidence", "index mixture gap", "worst-quarter mixture gap",
                       "spread of winner cosines", "best-of-index mean cosine", "index margin over 2nd",
                       "index margin over top 5", "best-of-index over the index's best family")


def index_top(totals: np.ndarray, weights: np.ndarray, k: int = 5) -> np.ndarray:
    """(U,) the index's weighted similarity sums (FamilyMatch.totals), (N,) weights -> (k,) the k best
    families' weighted mean cosines, best first."""
    t = np.asarray(totals, np.float64)
    t = t[np.isfinite(t)]
    top = -np.sort(-np.partition(t, len(t) - k)[len(t) - k:]) if len(t) > k else -np.sort(-t)
    return top / max(float(np.sum(weights)), 1e-6)


def in_catalog_features(similarity: np.ndarray, weights: np.ndarray, final: np.ndarray, temperature: float,
                        ocr_conf: np.ndarray, index_sim: np.ndarray | None = None,
                        best: np.ndarray | None = None, top: np.ndarray | None = None) -> np.ndarray:
    """(12,) features of how well the best known font explains the glyphs (IN_CATALOG_FEATURES).

    similarity (K, N): verification cosines of the K candidates (render-and-compare or index);
    weights (N,); final (K,): the candidates' final scores; temperature: the ranking's; ocr_conf (N,).
    The first five: weighted mean cosine of the winner, its margin over the runner-up's, the
    winner's probability among the candidates, log glyph count, mean OCR confidence.
    With index_sim (K, N) (the candidates' index cosines) and best (N,) (per_glyph_best), four
    more: the weighted mean of best - winner's index cosine per glyph, the same over the quarter of
    glyphs it is largest on, the weighted spread of the winner's index cosines, the weighted mean of
    best. With top (k,) (index_top, k >= 2) three more: the index's best family's margin over the
    second and over the mean of the best k, and the mean of best over the index's best family.
    Without them (5,) or (9,).
    """
    w = np.asarray(weights, np.float64)
    wsum = max(float(w.sum()), 1e-6)
    mean = (similarity * w[None, :]).sum(axis=1) / wsum  # (K,)
    order = np.argsort(-final, kind="stable")
    first = float(mean[order[0]])
    second = float(mean[order[1]]) if len(order) > 1 else first
    z = (final - final.max()) / max(temperature, 1e-6)
    top_p = float(1.0 / np.exp(z).sum())
    head = [first, first - second, top_p, np.log(similarity.shape[1]), float(np.mean(ocr_conf))]
    if index_sim is None or best is None:
        return np.array(head)
    win = np.asarray(index_sim[order[0]], np.float64)  # (N,)
    gap = np.maximum(np.asarray(best, np.float64) - win, 0.0)  # (N,)
    worst = np.argsort(-gap, kind="stable")[: max(1, len(gap) // 4)]
    spread = float(np.sqrt((w * (win - (w * win).sum() / wsum) ** 2).sum() / wsum))
    mixture = [float((w * gap).sum() / wsum), float(gap[worst].mean()), spread, float((w * best).sum() / wsum)]
    if top is None or len(top) < 2:
        return np.array(head + mixture)
    return np.array(head + mixture + [float(top[0] - top[1]), float(top[0] - np.mean(top)), mixture[3] - float(top[0])])


def in_catalog_probability(features: np.ndarray, coef: list[float] | None) -> float | None:
    """Logistic model on raw features (coefficients then intercept, fitted on standardised features
    by pipeline.calibrate_openset and folded back). A model fitted on fewer features (an older
    calibration.json) uses the first ones."""
    if not coef:
        return None
    z = float(np.dot(features[: len(coef) - 1], coef[:-1]) + coef[-1])
    return float(1.0 / (1.0 + np.exp(-z)))
