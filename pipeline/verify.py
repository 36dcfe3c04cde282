"""Render and compare: re-score the classifier's best candidates against the font files.

One glyph rarely tells near-twin families apart, and the classifier's head has
to separate 300 families from a 40 px crop. But the catalog's font files are at
hand: for each of the top-K candidate families we draw *the words the OCR read*
in that family (at the few catalog weights nearest the model's weight
estimate), cut them with the same normalisation as the photo's glyphs, and
measure how alike each crop and its drawing are in the classifier's embedding
space (cosine, conditioned on the letter). Weighted like the log-scores and
summed, that similarity re-ranks the candidates (see pipeline.scoring.verified_scores);
the style that matched best gives each candidate its weight and italic.

Needs the catalog's font files on disk (``python cli.py fonts fetch``). Without
them :class:`FontSource` is empty and the ranking is the classifier's alone.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from glyphs.catalog import FamilyFiles, FontFile, catalog_families
from glyphs.labels import NormSettings
from glyphs.normalize import estimate_line_metrics, normalize_glyph
from glyphs.render import FontFileError, FontStyle, open_font, pick_file, render_text, with_real_axes

RENDER_SIZE = 64  # px em size of the drawings; normalisation rescales them anyway


@dataclass(frozen=True)
class Verification:
    candidates: np.ndarray  # (K,) label indices, best classifier score first
    similarity: np.ndarray  # (K, N) cosine of glyph n with its drawing in candidate k
    styles: tuple[FontStyle | None, ...]  # (K,) style that matched best; None = not drawable


class FontSource:
    """The font files of the model's families, by family id (read lazily, cached)."""

    def __init__(self, families: Sequence[FamilyFiles]) -> None:
        self._families = {f.family.id: f for f in families if f.present}
        self._ready: dict[str, FamilyFiles] = {}

    @classmethod
    def from_catalog(cls, catalog: str | Path = "default", cache: str | Path | None = None,
                     fonts_dir: str | Path | None = None) -> FontSource:
        return cls(catalog_families(catalog, cache, fonts_dir))

    def __len__(self) -> int:
        return len(self._families)

    def files(self, family_id: str) -> FamilyFiles | None:
        """The family's files, variable ones with their real axes; None if absent."""
        if family_id not in self._ready:
            f = self._families.get(family_id)
            if f is None:
                return None
            self._ready[family_id] = replace(f, variable=tuple(with_real_axes(v) for v in f.variable))
        return self._ready[family_id]


def candidate_styles(files: FamilyFiles, weight: float, italic: bool, n: int) -> list[FontStyle]:
    """The ``n`` catalog weights nearest ``weight`` (ties: the lighter), italic if the family has one."""
    fam = files.family
    italic = italic and fam.has_italic and any(f.italic for f in files.static + files.variable)
    weights = sorted(fam.weights, key=lambda w: (abs(w - weight), w))[:max(1, n)]
    return [FontStyle(w, 100, italic) for w in weights]


@lru_cache(maxsize=256)
def _font(file: FontFile, style: FontStyle, size: int):
    return open_font(file, style, size)[0]


def word_templates(files: FamilyFiles, style: FontStyle, words: Sequence[str],
                   norm: NormSettings) -> list[np.ndarray | None]:
    """Each word drawn in ``files`` at ``style`` and cut into normalised glyphs:
    (len(word), S, S) uint8 per word, or None where the font cannot draw it."""
    font = _font(pick_file(files, style), style, RENDER_SIZE)
    out: list[np.ndarray | None] = []
    for text in words:
        r = render_text(font, text)
        if r.chars != text or not r.boxes:
            out.append(None)
            continue
        gray = 255 - r.mask  # (H, W) dark on light
        line = estimate_line_metrics(r.boxes, r.chars)
        out.append(np.stack([normalize_glyph(gray, b, line, norm) for b in r.boxes]))
    return out


def _unit_rows(e: np.ndarray) -> np.ndarray:
    return e / (np.linalg.norm(e, axis=1, keepdims=True) + 1e-6)


def verify(model, embedding: np.ndarray, chars: Sequence[str], word_of: Sequence[int],
           candidates: np.ndarray, weights: np.ndarray, source: FontSource, weight: float,
           italic: bool, styles_per_font: int) -> Verification:
    """Similarity of every glyph to its drawing in each candidate family.

    embedding (N, D): the classifier's embeddings of the N glyphs; chars/word_of (N,):
    letter read and word index of each glyph; weights (N,): vote weights, used to
    choose each candidate's best style. All drawings are scored in one batch.
    """
    words = _words(chars, word_of)
    drawings = []  # (candidate k, style, glyph indices, (M, S, S) images)
    for k, fi in enumerate(candidates):
        files = source.files(model.labels.fonts[int(fi)].family)
        for style in candidate_styles(files, weight, italic, styles_per_font) if files else []:
            idx, imgs = _draw(files, style, words, model.labels.norm)
            if idx:
                drawings.append((k, style, idx, imgs))
    sim = np.full((len(candidates), len(chars)), np.nan, np.float32)
    styles: list[FontStyle | None] = [None] * len(candidates)
    if drawings:
        all_idx = [i for d in drawings for i in d[2]]
        e1 = _unit_rows(model.score(np.concatenate([d[3] for d in drawings]),
                                    [chars[i] for i in all_idx]).embedding)  # (M_total, D)
        e0 = _unit_rows(np.asarray(embedding, np.float32))[all_idx]  # (M_total, D)
        cos = (e0 * e1).sum(axis=1)
        best = np.full(len(candidates), -np.inf)
        start = 0
        for k, style, idx, _ in drawings:
            row = np.full(len(chars), np.nan, np.float32)
            row[idx] = cos[start:start + len(idx)]
            start += len(idx)
            score = float(np.nansum(row * weights))
            if score > best[k]:
                best[k], sim[k], styles[k] = score, row, style
    return Verification(np.asarray(candidates), _fill_missing(sim), tuple(styles))


def _words(chars: Sequence[str], word_of: Sequence[int]) -> list[tuple[str, list[int]]]:
    """(text, glyph indices) per word, in order of first appearance."""
    groups: dict[int, list[int]] = {}
    for i, w in enumerate(word_of):
        groups.setdefault(int(w), []).append(i)
    return [("".join(chars[i] for i in ix), ix) for ix in groups.values()]


def _draw(files: FamilyFiles, style: FontStyle, words: list[tuple[str, list[int]]],
          norm: NormSettings) -> tuple[list[int], np.ndarray | None]:
    """Glyph indices drawn at ``style`` and their (M, S, S) drawings (([], None) if none)."""
    try:
        drawn = word_templates(files, style, [t for t, _ in words], norm)
    except (FontFileError, OSError) as e:
        print(f"warning: cannot draw {files.family.id}: {e}", file=sys.stderr)
        return [], None
    idx = [i for (_, ix), d in zip(words, drawn, strict=True) if d is not None for i in ix]
    if not idx:
        return [], None
    return idx, np.concatenate([d for d in drawn if d is not None])


def _fill_missing(sim: np.ndarray) -> np.ndarray:
    """A glyph a candidate could not draw counts as that glyph's worst match (0 if none drew it)."""
    worst = np.where(np.isfinite(sim).any(axis=0), np.nanmin(np.where(np.isfinite(sim), sim, np.inf), axis=0), 0.0)
    return np.where(np.isfinite(sim), sim, worst[None, :]).astype(np.float32)
