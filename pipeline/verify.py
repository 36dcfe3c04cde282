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
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from fontindex.scoring import fill_missing, unit_rows  # one cosine normalisation, one missing-glyph rule
from glyphs.catalog import FamilyFiles, FontFile, catalog_families
from glyphs.labels import NormSettings
from glyphs.normalize import estimate_line_metrics, normalize_glyph
from glyphs.render import (
    FontFileError,
    FontStyle,
    open_font,
    pick_file,
    render_text,
    variation_axes,
    with_real_axes,
)

RENDER_SIZE = 64  # px em size of the drawings; normalisation rescales them anyway


@dataclass(frozen=True)
class Verification:
    candidates: np.ndarray  # (K,) label indices, best classifier score first
    similarity: np.ndarray  # (K, N) cosine of glyph n with its drawing in candidate k
    styles: tuple[FontStyle | None, ...]  # (K,) style that matched best; None = not drawable
    # with the font index (pipeline.openset): the candidates' index cosines (K, N) and each glyph's best
    # index cosine over every style (N,), the evidence of Ranking.in_catalog
    index_similarity: np.ndarray | None = None
    index_best: np.ndarray | None = None
    index_top: np.ndarray | None = None  # (5,) the index's 5 best families' weighted mean cosines
    index_widths: np.ndarray | None = None  # (K,) int width (percent) of each candidate's best index style


class FontSource:
    """The font files of the model's families, by family id (read lazily, cached)."""

    def __init__(self, families: Sequence[FamilyFiles], cache_bytes: int = 64 << 20) -> None:
        self._families = {f.family.id: f for f in families if f.present}
        self._ready: dict[str, FamilyFiles] = {}
        self.templates = TemplateCache(cache_bytes)  # embeddings of drawn words (verify)

    @classmethod
    def from_catalog(cls, catalog: str | Path = "default", cache: str | Path | None = None,
                     fonts_dir: str | Path | None = None, added: bool = False) -> FontSource:
        """The catalog's families (and --fonts-dir's; with ``added``, the fonts added with
        `fonts add` too)."""
        families = list(catalog_families(catalog, cache, fonts_dir))
        if added:
            from fontindex.registry import added_families

            families += added_families()
        return cls(families)

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


AXIS_ENDS = ("wdth", "opsz")  # axes whose ends make a different-looking cut of one family


def has_axis_ends(files: FamilyFiles | None) -> bool:
    """Whether the family has a variable file with a width or optical-size axis."""
    return files is not None and any(set(f.axes) & set(AXIS_ENDS) for f in files.variable)


def axis_styles(files: FamilyFiles, weight: float, italic: bool) -> list[FontStyle]:
    """The family's variable cut at each end of its width and optical-size axes (those that
    differ from the default), at the catalog weight nearest ``weight``: its most condensed and
    expanded widths, its caption and display optical sizes. Empty for a family without them."""
    fam = files.family
    italic = italic and fam.has_italic and any(f.italic for f in files.variable)
    pool = [f for f in files.variable if f.italic == italic and set(f.axes) & set(AXIS_ENDS)]
    if not pool:
        return []
    try:
        axes = variation_axes(pick_file(files, FontStyle(400, 90, italic)).path)
    except (FontFileError, OSError):
        return []
    w = min(fam.weights, key=lambda x: (abs(x - weight), x)) if fam.weights else 400
    out = []
    for tag in AXIS_ENDS:
        lo, default, hi = axes.get(tag, (0.0, 0.0, 0.0))
        for end in dict.fromkeys(v for v in (lo, hi) if v != default):
            out.append(FontStyle(w, int(round(end)), italic) if tag == "wdth" else FontStyle(w, 100, italic, float(end)))
    return out


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


def embed(model, images: np.ndarray, chars: Sequence[str]) -> np.ndarray:
    """(N, D) embeddings of drawn glyphs: ``model.embed`` where the model has it (no font
    scoring), else ``model.score(...).embedding``."""
    fn = getattr(model, "embed", None)
    return fn(images, chars) if fn is not None else model.score(images, chars).embedding


class TemplateCache:
    """Unit embeddings of drawn words, keyed by (model, font file, style, word, normalisation).

    Nothing in a key depends on the picture, so a word drawn for one picture is reused
    for the next (a server, a benchmark, several regions). Least recently used entries
    go first once ``max_bytes`` is reached. Values: (len(word), D) float32, or None
    where the font cannot draw the word.
    """

    def __init__(self, max_bytes: int = 64 << 20) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, np.ndarray | None] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, key: tuple) -> tuple[bool, np.ndarray | None]:
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return True, self._data[key]
        self.misses += 1
        return False, None

    def put(self, key: tuple, value: np.ndarray | None) -> None:
        if key in self._data:
            return
        self._data[key] = value
        self._bytes += value.nbytes if value is not None else 0
        while self._bytes > self.max_bytes and self._data:
            _, old = self._data.popitem(last=False)
            self._bytes -= old.nbytes if old is not None else 0

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        """Forget every drawing (a benchmark timing pictures whose words were never drawn)."""
        self._data.clear()
        self._bytes = 0


@dataclass(frozen=True)
class EarlyStop:
    """Stop drawing candidates once the leader is clear (see verify)."""

    sums: np.ndarray  # (K,) classifier summed log-scores of the candidates, best first
    alpha: float  # similarity weight of the verified score (Calibration.verify_alpha)
    margin: float  # score units an unverified candidate must trail by, even given the best bonus seen
    chunk: int = 10  # candidates drawn (and embedded in one batch) per step


def verify(model, embedding: np.ndarray, chars: Sequence[str], word_of: Sequence[int],
           candidates: np.ndarray, weights: np.ndarray, source: FontSource, weight: float,
           italic: bool, styles_per_font: int, stop: EarlyStop | None = None,
           family_ids: Sequence[str] | None = None, axis_ends: bool = False, ends_only: bool = False,
           full_styles: int | None = None) -> Verification:
    """Similarity of every glyph to its drawing in each candidate family.

    embedding (N, D): the classifier's embeddings of the N glyphs; chars/word_of (N,):
    letter read and word index of each glyph; weights (N,): vote weights, used to
    choose each candidate's best style. Drawings come from ``source.templates`` when
    drawn before; new ones are embedded in one batch per step. Without ``stop`` every
    candidate is drawn; with it candidates are drawn ``stop.chunk`` at a time in the
    given order, and drawing ends when the next candidate, even given the best
    similarity bonus seen so far, would trail the leader by more than ``stop.margin``:
    the returned Verification then holds only the candidates drawn. ``axis_ends``: variable
    candidates are also drawn at the ends of their width and optical-size axes (axis_styles);
    ``ends_only``: only there (the candidates' default drawings are already known). ``full_styles``: only
    the first this many candidates are drawn at ``styles_per_font`` weights, the others at the nearest one
    (None: all of them).
    """
    words = _words(chars, word_of)
    e0 = unit_rows(np.asarray(embedding, np.float32))  # (N, D)
    ids = family_ids if family_ids is not None else [f.family for f in model.labels.fonts]
    sim = np.full((len(candidates), len(chars)), np.nan, np.float32)
    styles: list[FontStyle | None] = [None] * len(candidates)
    step = stop.chunk if stop else len(candidates)
    done = len(candidates)
    for lo in range(0, len(candidates), max(1, step)):
        hi = min(len(candidates), lo + max(1, step))
        _verify_chunk(model, e0, chars, words, [ids[int(c)] for c in candidates], weights, source, weight,
                      italic, 0 if ends_only else styles_per_font, range(lo, hi), sim, styles, axis_ends,
                      full_styles)
        if stop and hi < len(candidates) and _leader_is_clear(stop, sim[:hi], weights, hi):
            done = hi
            break
    return Verification(np.asarray(candidates)[:done], fill_missing(sim[:done]), tuple(styles[:done]))


def merge_verifications(a: Verification, b: Verification, weights: np.ndarray) -> Verification:
    """``a`` with ``b``'s candidates: a candidate in both keeps the row whose weighted similarity
    is higher (and its style); ``b``'s others are appended. weights (N,)."""
    cand, sim, styles = list(a.candidates), a.similarity.copy(), list(a.styles)
    score = lambda row: float((row * weights).sum())  # noqa: E731
    for c, row, st in zip(b.candidates, b.similarity, b.styles, strict=True):
        if st is None:
            continue
        if c in cand:
            k = cand.index(c)
            if score(row) > score(sim[k]):
                sim[k], styles[k] = row, st
        else:
            cand.append(c)
            sim = np.vstack([sim, row[None, :]])
            styles.append(st)
    return Verification(np.asarray(cand, np.int64), sim, tuple(styles))


def matched_widths(ver: Verification | None) -> dict[int, int]:
    """Candidate -> width (percent) of the cut it matched at a width end of a variable family: the
    style drawn by render-and-compare (its axis pass), else the font index's best style. A match at
    a named style says nothing of width: those candidates are left to the glyph model's estimate."""
    if ver is None:
        return {}
    out = {}
    if ver.index_widths is not None:
        out = {int(c): int(x) for c, x in zip(ver.candidates, ver.index_widths, strict=True) if x != 100}
    for c, s in zip(ver.candidates, ver.styles, strict=True):
        if s is not None and s.width != 100:
            out[int(c)] = int(s.width)
        elif s is not None:
            out.pop(int(c), None)  # drawn at a named style: render-and-compare overrules the index
    return out


def best_mean_similarity(ver: Verification, weights: np.ndarray) -> float:
    """The best candidate's weighted mean cosine: how well the best drawing explains the glyphs."""
    if not len(ver.candidates):
        return 0.0
    w = np.asarray(weights, np.float64)
    return float(((ver.similarity * w[None, :]).sum(axis=1) / max(float(w.sum()), 1e-6)).max())


def _leader_is_clear(stop: EarlyStop, sim: np.ndarray, weights: np.ndarray, drawn: int) -> bool:
    """Whether candidate ``drawn`` (the best not yet drawn) cannot catch the leader."""
    bonus = stop.alpha * (fill_missing(sim) * weights[None, :]).sum(axis=1)  # (drawn,)
    leader = float((stop.sums[:drawn] + bonus).max())
    return float(stop.sums[drawn]) + float(bonus.max()) + stop.margin < leader


def _verify_chunk(model, e0: np.ndarray, chars: Sequence[str], words: list[tuple[str, list[int]]],
                  candidates: Sequence[str], weights: np.ndarray, source: FontSource, weight: float,
                  italic: bool, styles_per_font: int, ks: range, sim: np.ndarray,
                  styles: list[FontStyle | None], axis_ends: bool = False, full_styles: int | None = None) -> None:
    """Fill ``sim`` rows and ``styles`` of candidates ``ks`` (family ids; best style per candidate), in place.
    Candidates from position ``full_styles`` on are drawn at one weight (the nearest the estimate)."""
    drawings = []  # (candidate k, style, [(cache key, word's glyph indices)])
    have: dict[tuple, np.ndarray | None] = {}  # cache key -> (len(word), D) unit embeddings, None = undrawable
    todo: dict[tuple, np.ndarray] = {}  # cache key -> (len(word), S, S) drawings not embedded yet
    for k in ks:
        files = source.files(candidates[k])
        n_styles = styles_per_font if full_styles is None or k < full_styles else min(1, styles_per_font)
        tried = candidate_styles(files, weight, italic, n_styles) if files and n_styles > 0 else []
        for style in tried + (axis_styles(files, weight, italic) if files and axis_ends else []):
            parts = _word_keys(model, files, style, words, source.templates, have, todo)
            drawings.append((k, style, parts))
    if todo:  # one batch for every new drawing of this chunk
        keys = list(todo)
        letters = [c for key in keys for c in key[-1]]
        emb = unit_rows(embed(model, np.concatenate([todo[key] for key in keys]), letters))  # (M, D)
        start = 0
        for key in keys:
            have[key] = emb[start:start + len(todo[key])]
            source.templates.put(key, have[key])
            start += len(todo[key])
    best = np.full(len(candidates), -np.inf)
    for k, style, parts in drawings:
        drawn = [(have[key], ix) for key, ix in parts if have.get(key) is not None]
        if not drawn:
            continue
        row = np.full(len(chars), np.nan, np.float32)
        for e1, ix in drawn:
            row[ix] = (e0[ix] * e1).sum(axis=1)
        score = float(np.nansum(row * weights))
        if score > best[k]:
            best[k], sim[k], styles[k] = score, row, style


def _word_keys(model, files: FamilyFiles, style: FontStyle, words: list[tuple[str, list[int]]],
               cache: TemplateCache, have: dict, todo: dict) -> list[tuple[tuple, list[int]]]:
    """(cache key, glyph indices) of every word at ``style``. Cached embeddings go into
    ``have``; words drawn for the first time into ``todo`` (key -> drawings), or ``have``
    as None where the font cannot draw them."""
    try:
        file = pick_file(files, style)
    except (FontFileError, OSError) as e:
        print(f"warning: cannot draw {files.family.id}: {e}", file=sys.stderr)
        return []
    keys = [(id(model), file, style, model.labels.norm, RENDER_SIZE, text) for text, _ in words]
    new = []
    for i, key in enumerate(keys):
        if key in have or key in todo:
            continue
        found, value = cache.get(key)
        if found:
            have[key] = value
        else:
            new.append(i)
    if new:
        try:
            drawn = word_templates(files, style, [words[i][0] for i in new], model.labels.norm)
        except (FontFileError, OSError) as e:
            print(f"warning: cannot draw {files.family.id}: {e}", file=sys.stderr)
            return []
        for i, d in zip(new, drawn, strict=True):
            if d is None:
                have[keys[i]] = None
                cache.put(keys[i], None)
            else:
                todo[keys[i]] = d
    return [(key, ix) for key, (_, ix) in zip(keys, words, strict=True)]


def _words(chars: Sequence[str], word_of: Sequence[int]) -> list[tuple[str, list[int]]]:
    """(text, glyph indices) per word, in order of first appearance."""
    groups: dict[int, list[int]] = {}
    for i, w in enumerate(word_of):
        groups.setdefault(int(w), []).append(i)
    return [("".join(chars[i] for i in ix), ix) for ix in groups.values()]
