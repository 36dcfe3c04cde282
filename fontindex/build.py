"""Build a font index: draw each font style's glyphs, embed them with the glyph model, average.

For every family a few styles are indexed (the weights nearest 400 and 700, and the
italic nearest 400 where the family has one), and, for a variable family, the ends of
its axes (end_styles: a family at its most condensed width or display optical size is
still that family, issue 11). Each style is drawn ``variants`` times:
real words covering the glyph set at a sampled size with an augmentation preset
(glyphs.generate.render_style; IndexBuildConfig.augment, "none" for the shipped index: clean
drawings keep the details that tell near-identical families apart, which the training
augmentations wipe out in some of the drawings averaged), cut with the one glyph normalisation.
Every glyph is embedded with the model
(GlyphModel.score(...).embedding, (M, D)), rows are L2-normalised, averaged per
(style, character) and normalised again: the class-average embedding ("prototype")
of that character in that style.

Deterministic: the RNG of a unit is seeded from (seed, crc32(family id), weight,
width, italic, variant[, crc32(axis end)]), and units are reduced in a fixed order.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from fontindex.config import IndexBuildConfig
from fontindex.licence import family_licence
from fontindex.store import FontIndex, IndexFamily, IndexStyle, model_fingerprint
from glyphs.augment import AugmentConfig, preset
from glyphs.catalog import FamilyFiles, load_catalog
from glyphs.labels import LabelMap
from glyphs.render import FontFileError, FontStyle, pick_file, variation_axes


@dataclass(frozen=True)
class IndexUnit:
    family: int  # index into the families being built
    style: FontStyle
    variant: int
    end: str = ""  # the axis end drawn ('' for a named weight; IndexStyle.end)


def index_styles(files: FamilyFiles) -> list[FontStyle]:
    """The styles indexed for a family: weights nearest 400 and 700 (one if the same),
    and the italic nearest 400 when the family has italic files."""
    fam = files.family
    weights = fam.weights or (400,)
    regular = min(weights, key=lambda w: (abs(w - 400), w))
    bold = min(weights, key=lambda w: (abs(w - 700), -w))
    out = [FontStyle(regular, 100, False)]
    if bold != regular:
        out.append(FontStyle(bold, 100, False))
    if fam.has_italic and any(f.italic for f in files.static + files.variable):
        out.append(FontStyle(regular, 100, True))
    if not any(not f.italic for f in files.static + files.variable):  # italic-only family
        out = [FontStyle(s.weight, 100, True) for s in out[:2]]
    return out


WEIGHT_ENDS = (250, 800)  # a variable weight axis reaching below / above these has a hairline / black end


def end_styles(files: FamilyFiles) -> list[tuple[str, FontStyle]]:
    """(end name, style) of a variable family's upright cut at each end of its width and
    optical-size axes (at the weight nearest 400) and at its hairline and black weights
    (those beyond WEIGHT_ENDS, even when the file's default sits there: Raleway's and Exo's
    variable files default to their hairline, which no named style draws); width ends at 100
    and optical-size ends at the file's default are the named styles already. Empty for a
    family without an upright variable file, or whose file cannot be read. The axes are those of the
    file that draws them (pick_file: the one with the most axes): 41 catalog families ship one file
    per axis beside the full one, and reading the first (TikTok Sans's opsz file) left their width
    ends out of the index.

    The corners too: each width or optical-size end at the hairline and black weights (named
    e.g. 'wdth-max+wght-min'). An expanded cut drawn at its hairline (Nunito Sans ExtraLight
    Expanded, Anybody Thin at 150 %) matched neither its width end at 400 nor its hairline at 100 %
    and was named a wide display face (Montserrat Alternates, Lexend Zetta)."""
    fam = files.family
    if not any(not f.italic for f in files.variable):
        return []
    try:
        axes = variation_axes(pick_file(files, FontStyle(400, 90, False)).path)  # width 90: a variable file
    except (FontFileError, OSError):
        return []
    w = min(fam.weights, key=lambda x: (abs(x - 400), x)) if fam.weights else 400
    lo_w, _, hi_w = axes.get("wght", (w, w, w))
    weight_ends = [(n, int(round(v))) for n, v in (("wght-min", lo_w), ("wght-max", hi_w))
                   if not WEIGHT_ENDS[0] <= v <= WEIGHT_ENDS[1]]
    out = []
    for tag, (lo, default, hi) in axes.items():
        for name, v in ((f"{tag}-min", lo), (f"{tag}-max", hi)):
            if tag == "wdth" and round(v) != 100:
                out += [(name, FontStyle(w, int(round(v)), False))]
                out += [(f"{name}+{n}", FontStyle(x, int(round(v)), False)) for n, x in weight_ends]
            elif tag == "opsz" and v != default:
                out += [(name, FontStyle(w, 100, False, float(v)))]
                out += [(f"{name}+{n}", FontStyle(x, 100, False, float(v))) for n, x in weight_ends]
            elif tag == "wght" and not WEIGHT_ENDS[0] <= v <= WEIGHT_ENDS[1]:
                out.append((name, FontStyle(int(round(v)), 100, False)))
    return out


def _unit_styles(files: FamilyFiles, many: set[str] | None, axis_ends: bool) -> list[tuple[str, FontStyle]]:
    """(axis end or '', style) indexed for one family: its named styles (only the first unless ``many``
    is None or holds the family), then its axis ends."""
    named = index_styles(files)
    named = named if many is None or files.family.id in many else named[:1]
    return [("", st) for st in named] + (end_styles(files) if axis_ends else [])


_WORKER: dict = {}


def _init(families: Sequence[FamilyFiles], labels: LabelMap, aug: AugmentConfig, seed: int) -> None:
    _WORKER.update(families=families, labels=labels, aug=aug, seed=seed)


def _render(unit: IndexUnit) -> tuple[np.ndarray, list[int]]:
    from glyphs.generate import render_style

    w = _WORKER
    files = w["families"][unit.family]
    st = unit.style
    rng = np.random.default_rng([w["seed"], zlib.crc32(files.family.id.encode()), st.weight, st.width,
                                 int(st.italic), unit.variant] + ([zlib.crc32(unit.end.encode())] if unit.end else []))
    try:
        images, chars, _ = render_style(files, st, w["labels"], w["aug"], rng)
    except (FontFileError, OSError) as e:
        print(f"warning: cannot draw {files.family.id} {st}: {e}", file=sys.stderr)
        return np.zeros((0, w["labels"].norm.size, w["labels"].norm.size), np.uint8), []
    return images, chars


def build_index(families: Sequence[FamilyFiles], model, model_dir: str | Path, *, variants: int = 4,
                augment: str = IndexBuildConfig.augment, seed: int = 0, workers: int = 1, source: str = "catalog",
                progress: bool = True, axis_ends: bool = True) -> FontIndex:
    """The index of ``families`` (with files) in ``model``'s embedding space; ``axis_ends``:
    variable families also at the ends of their axes (end_styles).

    model: a classifier GlyphModel (labels, score()). Families that draw no glyph are
    left out with a warning. Raises ValueError when no family can be drawn.
    """
    from tqdm import tqdm

    families = [f for f in families if f.present]
    labels = model.labels
    # Catalog families outside the 300 most used keep one named style (the regular): the full catalog's
    # index of named styles stays at 17.7 MB instead of 21 whichever model embeds it (21.6 MB with the axis
    # ends); fonts a user adds keep all of theirs.
    many = {f.id for f in load_catalog("top300")} if source == "catalog" else None
    units = [IndexUnit(i, st, v, end) for i, f in enumerate(families)
             for end, st in _unit_styles(f, many, axis_ends) for v in range(variants)]
    c, d = labels.num_chars, embedding_dim(model)
    sums = np.zeros((len(units) // max(variants, 1), c, d), np.float64)  # (S, C, D)
    counts = np.zeros(sums.shape[:2], np.int64)  # (S, C)
    ctx = get_context("fork")
    with ctx.Pool(max(1, workers), _init, (families, labels, preset(augment), seed)) as pool:
        it = pool.imap(_render, units, chunksize=4)
        batch: list[tuple[int, np.ndarray, list[int]]] = []
        for k, (images, chars) in enumerate(tqdm(it, total=len(units), desc="index build", unit="style",
                                                 file=sys.stderr, disable=not progress)):
            batch.append((k // variants, images, chars))
            if sum(len(b[2]) for b in batch) >= 2048 or k == len(units) - 1:
                _accumulate(model, labels, batch, sums, counts)
                batch = []
    styles = [(u.style, u.end) for u in units[::variants]]
    fam_of = [u.family for u in units[::variants]]
    return _assemble(families, styles, fam_of, sums, counts, labels, model_dir, source,
                     {"variants": variants, "augment": augment, "seed": seed, "axis_ends": axis_ends})


def embedding_dim(model) -> int:
    """D of the model's glyph embedding (one blank glyph scored)."""
    s = model.labels.norm.size
    return int(model.score(np.zeros((1, s, s), np.uint8), [model.labels.glyph_set[0]]).embedding.shape[1])


def _accumulate(model, labels: LabelMap, batch, sums: np.ndarray, counts: np.ndarray) -> None:
    """Embed one batch of drawn glyphs and add their unit embeddings to their (style, char) sums."""
    rows = [(s, ch) for s, _, chars in batch for ch in chars]
    if not rows:
        return
    images = np.concatenate([im for _, im, ch in batch if ch])  # (M, S, S)
    emb = model.score(images, [labels.glyph_set[ch] for _, ch in rows]).embedding  # (M, D)
    emb = emb / (np.linalg.norm(emb, axis=1, keepdims=True) + 1e-8)
    style = np.array([s for s, _ in rows])
    char = np.array([ch for _, ch in rows])
    np.add.at(sums, (style, char), emb)
    np.add.at(counts, (style, char), 1)


def _assemble(families, styles, fam_of, sums, counts, labels: LabelMap, model_dir, source: str,
              config: dict) -> FontIndex:
    """Keep styles that drew anything, families that kept a style; normalise the averages."""
    keep = [s for s in range(len(styles)) if counts[s].any()]
    used = sorted({fam_of[s] for s in keep})
    for i, f in enumerate(families):
        if i not in used:
            print(f"warning: {f.family.id} drew no glyph; left out of the index", file=sys.stderr)
    if not used:
        raise ValueError("no family could be drawn: no usable font files")
    new_of = {old: new for new, old in enumerate(used)}
    fams = tuple(IndexFamily(families[i].family.id, families[i].family.name, source,
                             *family_licence(families[i])) for i in used)
    st = tuple(IndexStyle(new_of[fam_of[s]], styles[s][0].weight, styles[s][0].width, styles[s][0].italic,
                          styles[s][0].opsz, styles[s][1]) for s in keep)
    mean = sums[keep] / np.maximum(counts[keep], 1)[..., None]
    emb = mean / (np.linalg.norm(mean, axis=2, keepdims=True) + 1e-8)
    return FontIndex(fams, st, emb.astype(np.float32), counts[keep] > 0, labels.glyph_set,
                     asdict(labels.norm), model_fingerprint(model_dir), config)
