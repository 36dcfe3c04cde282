"""How much a region's reading can be trusted, and the warnings a person should see.

Evidence per glyph (0-1) is the recogniser's confidence in the letter times how
much the glyph looks like that letter: the cosine similarity of its embedding to
the closest font's class-average embedding ("prototype") of the claimed letter,
mapped linearly from AGREE_LOW (looks like something else: 0) to AGREE_HIGH (1).
Measured on the shared cases: glyphs read right sit at 0.84-0.96, letters of
sideways or upside-down text misread as other letters mostly at 0.5-0.78.

A region's reliability is its glyphs' mean evidence. Its scores become a mixture,
``lam * p + (1 - lam) * uniform`` with ``lam`` rising from 0 at RELIABLE_LOW to 1 at
RELIABLE_HIGH: a reading that cannot be trusted says so with flat scores. Its trust
also counts glyphs (one or two letters are weak evidence whatever they look like).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

AGREE_LOW, AGREE_HIGH = 0.65, 0.82
RELIABLE_LOW, RELIABLE_HIGH = 0.3, 0.6
FULL_COUNT = 3  # regions with fewer glyphs get proportionally less trust
TRUSTWORTHY = 0.5  # regions with at least this trust can be the main answer

NO_TEXT = "no text was found"
UNREADABLE = "the text could not be read reliably, so these scores are a guess"
ONE_CHAR = "only one character was found: one letter is weak evidence of a font"
FEW_CHARS = "only {n} characters were found: few letters are weak evidence of a font"
TURNED = {90: "the picture was turned 90° clockwise to read it",
          180: "the picture was turned upside down to read it",
          270: "the picture was turned 90° counterclockwise to read it"}
SOME_TURNED = "some text runs in another direction and was read turned upright"
ANGLED = "text at an angle or on a curve was straightened to read it"


def letter_agreement(embedding: np.ndarray, char_index: np.ndarray, prototypes: np.ndarray | None) -> np.ndarray:
    """(N,) 0-1: how much each glyph looks like the letter the OCR read.

    embedding (N, D) glyph embeddings; char_index (N,) their letters' indices in the glyph
    set (== C for unknown letters); prototypes (F, C + 1, D) unit class-average embeddings,
    or None (then every glyph agrees: 1.0).
    """
    if prototypes is None or len(embedding) == 0:
        return np.ones(len(embedding))
    e = embedding / np.maximum(np.linalg.norm(embedding, axis=1, keepdims=True), 1e-8)  # (N, D)
    sim = np.einsum("nd,fnd->nf", e, prototypes[:, char_index, :]).max(axis=1)  # (N,)
    known = char_index < prototypes.shape[1] - 1
    out = np.clip((sim - AGREE_LOW) / (AGREE_HIGH - AGREE_LOW), 0.0, 1.0)
    return np.where(known, out, 1.0)


def more_like_letters(embedding_a: np.ndarray, embedding_b: np.ndarray, char_index: np.ndarray,
                      prototypes: np.ndarray | None) -> bool:
    """Whether glyphs cut one way (embedding_a, (N, D)) look more like the letters read than the
    same glyphs cut another way (embedding_b): a higher mean letter_agreement; ties keep b.
    Hollow letters are cut at their outline's middle and at its inner edge (segmentation.hollow):
    cut at the wrong edge, letters come out half an outline too bold or too thin, and look less
    like any font's letter (20 families x 2 texts of each kind of outline: the right cut 62 of 79
    times; the best font's summed log-probability, 45 of 79)."""
    a = letter_agreement(embedding_a, char_index, prototypes)
    b = letter_agreement(embedding_b, char_index, prototypes)
    return bool(a.mean() > b.mean())


def index_agreement(similarity: np.ndarray) -> np.ndarray:
    """(N,) 0-1 as letter_agreement, from the font index: similarity (S, N) is each glyph's cosine
    to every indexed style's embedding of the letter read (pipeline.openset.glyph_similarity; NaN
    where a style lacks it). A family the classifier never saw has no class-average embedding, so
    its glyphs looked like no known letter (median cosine 0.85 against 0.91 in the index, on clean
    pictures of families beyond the 300) and correctly read lines came out as unreadable."""
    best = np.nanmax(np.where(np.isnan(similarity), -1.0, similarity), axis=0) if len(similarity) else \
        np.ones(similarity.shape[1])
    return np.clip((best - AGREE_LOW) / (AGREE_HIGH - AGREE_LOW), 0.0, 1.0)


def reliability(ocr_confidence: Sequence[float], agreement: np.ndarray) -> float:
    """Mean evidence (OCR confidence x letter agreement) of a region's glyphs, 0-1."""
    if len(agreement) == 0:
        return 0.0
    return float(np.mean(np.clip(np.asarray(ocr_confidence, np.float64), 0.0, 1.0) * agreement))


def evidence_weight(rel: float) -> float:
    """0-1 share of the classifier's ranking kept; the rest is spread evenly over fonts."""
    return float(np.clip((rel - RELIABLE_LOW) / (RELIABLE_HIGH - RELIABLE_LOW), 0.0, 1.0))


def flatten(probs: np.ndarray, lam: float) -> np.ndarray:
    """(F,) probabilities mixed with the uniform distribution: lam * p + (1 - lam) / F."""
    return lam * probs + (1.0 - lam) / len(probs)


def region_trust(rel: float, n_glyphs: int) -> float:
    """0-1: reliability, scaled down for regions of fewer than FULL_COUNT glyphs."""
    return float(rel * min(1.0, n_glyphs / FULL_COUNT))


def evidence_warnings(n_glyphs: int, trust: float, rel: float) -> list[str]:
    """Warnings about the main answer's evidence."""
    out = []
    if rel < RELIABLE_HIGH or (trust < TRUSTWORTHY and n_glyphs >= FULL_COUNT):
        out.append(UNREADABLE)
    if n_glyphs == 1:
        out.append(ONE_CHAR)
    elif n_glyphs < FULL_COUNT:
        out.append(FEW_CHARS.format(n=n_glyphs))
    return out


def direction_warnings(rotations: Sequence[float], bent: Sequence[bool] = ()) -> list[str]:
    """Warnings about text that was turned to be read (rotations: degrees, one per word; bent: whether
    each word was read from a curved line laid straight, segmentation.bend)."""
    if not rotations:
        return []
    quarters = [int(round(r / 90.0)) % 4 * 90 for r in rotations]
    angled = any(abs(((r + 45.0) % 90.0) - 45.0) > 10.0 for r in rotations) or any(bent)
    out = []
    turned = {q for q in quarters if q}
    if turned and len(turned) == 1 and all(quarters):
        out.append(TURNED[turned.pop()])
    elif turned:
        out.append(SOME_TURNED)
    if angled:
        out.append(ANGLED)
    return out
