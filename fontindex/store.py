"""The font index on disk: per-style, per-character glyph embeddings + their label map.

Two files in one folder, no pickles:

    index.safetensors   embeddings (S, C, D) int8 unit rows quantised with embedding_scale (S, C)
                        float32 (x = q * scale, scale = max|x| / 127 per row: symmetric 8-bit scalar
                        quantisation, as FAISS's SQ8; cosines move by < 0.005); present (S, C) uint8;
                        style_family (S,) int32; style_weight (S,) int16; style_width (S,) int16;
                        style_italic (S,) uint8; style_opsz (S,) float32 (NaN: the file's default).
                        (Indexes written before hold float16 ``embeddings`` and no scale, or no
                        style_opsz; all load.)
    index.json          families (ordered: id, name, source, licence, free), glyph set,
                        normalisation, the model it was built with, the build config, and
                        style_ends: each style's axis end ('' for a named weight, e.g. 'wdth-min')

Row s of the arrays is style s; ``style_family[s]`` indexes ``families`` (the one
label map of the index, saved beside it and checked on load: a style's family is
also written by id in index.json and must agree).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

INDEX_FORMAT = "freefontfinder-fontindex/1"
TENSORS = "index.safetensors"
META = "index.json"


class FontIndexError(RuntimeError):
    """An index that is missing, malformed, or built with another model."""


@dataclass(frozen=True)
class IndexFamily:
    id: str  # fontsource id (or derived from the name table for a user's font)
    name: str  # display name
    source: str = "catalog"  # catalog | added
    licence: str = "unknown"  # OFL | Apache | UFL | unknown (from the family's licence file)
    free: bool = False  # OFL or Apache: may be used and shared freely


@dataclass(frozen=True)
class IndexStyle:
    family: int  # index into FontIndex.families
    weight: int  # 100..900
    width: int  # percent of normal
    italic: bool
    opsz: float | None = None  # optical size drawn (None: the file's default)
    # '' for the family's named weights; the axis end drawn otherwise ('wdth-min', 'opsz-max', 'wght-min', ...:
    # a variable family's extreme cut, scored with a prior penalty, fontindex.scoring.END_PENALTY)
    end: str = ""


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (it holds arrays)
class FontIndex:
    families: tuple[IndexFamily, ...]
    styles: tuple[IndexStyle, ...]
    # (S, C, D) unit rows (zeros where absent): float16/float32, or int8 codes when ``scale`` is set
    # (a loaded index stays int8 in memory, 4x smaller than float32; read it with letter/rows/dense)
    embeddings: np.ndarray
    present: np.ndarray  # (S, C) bool: the style draws that character
    glyph_set: str
    norm: dict  # glyphs.labels.NormSettings as a dict
    model: str  # fingerprint of the glyph model whose embedding space this is
    config: dict = field(default_factory=dict)  # how it was built
    # family id -> the nearest family the model was trained on (fontindex.similar.nearest_trained),
    # for families the model never saw; precomputed by `index build` so loading stays fast
    nearest: dict = field(default_factory=dict)
    # family id -> its most similar families [[id, cosine], ...] among the families indexed at build
    # time (fontindex.similar.neighbour_lists): `identify` lists look-alikes without a search
    similar: dict = field(default_factory=dict)
    scale: np.ndarray | None = None  # (S, C) float32 per-row scales of int8 ``embeddings`` (quantise)

    def __post_init__(self) -> None:
        s, c = len(self.styles), len(self.glyph_set)
        if self.embeddings.shape[:2] != (s, c) or self.present.shape != (s, c):
            raise FontIndexError(f"index arrays {self.embeddings.shape}/{self.present.shape} do not fit "
                                 f"{s} styles x {c} characters")
        ids = [f.id for f in self.families]
        if len(set(ids)) != len(ids):
            raise FontIndexError("the index lists a family id twice")
        if any(not 0 <= st.family < len(self.families) for st in self.styles):
            raise FontIndexError("a style points at no family")
        # letter-major memory: embeddings[:, c, :] (every style's letter c, what scoring reads) is one
        # contiguous block; the array still reads as (S, C, D)
        if (self.scale is None) != (self.embeddings.dtype != np.int8) or (
                self.scale is not None and self.scale.shape != (s, c)):
            raise FontIndexError("int8 index embeddings need their (S, C) scales, and only they")
        for name in ("embeddings", "scale"):
            a = getattr(self, name)
            if a is not None and not np.moveaxis(a, 1, 0).flags.c_contiguous:
                object.__setattr__(self, name, np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, 0)), 0, 1))

    def letter(self, c: int) -> np.ndarray:
        """(S, D) float32 embeddings of every style's character ``c`` (glyph-set index)."""
        e = self.embeddings[:, c, :].astype(np.float32)
        if self.scale is not None:
            e *= self.scale[:, c, None]
        return e

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """(R, C, D) float32 embeddings of styles ``rows``."""
        e = self.embeddings[rows].astype(np.float32)
        if self.scale is not None:
            e *= self.scale[rows][..., None]
        return e

    def dense(self) -> np.ndarray:
        """(S, C, D) float16 embeddings (a copy when the index is int8 in memory)."""
        if self.scale is None:
            return self.embeddings
        return dequantise(np.ascontiguousarray(self.embeddings), np.ascontiguousarray(self.scale))

    @property
    def num_families(self) -> int:
        return len(self.families)

    @property
    def family_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.families)

    def family_index(self, family_id: str) -> int:
        for i, f in enumerate(self.families):
            if f.id == family_id:
                return i
        raise KeyError(family_id)

    def at_end(self, axes: tuple[str, ...] | None = None) -> np.ndarray:
        """(S,) bool: the style is a variable family's axis end (IndexStyle.end), not a named weight;
        with ``axes`` (tags such as 'wdth'), an end of one of those axes only."""
        return np.fromiter((bool(s.end) and (axes is None or s.end.split("-")[0] in axes) for s in self.styles),
                           bool, len(self.styles))

    def at_corner(self) -> np.ndarray:
        """(S,) bool: the style is a corner of a variable family's design space, a width or optical-size
        end at the hairline or black weight (IndexStyle.end such as 'wdth-max+wght-min')."""
        return np.fromiter(("+" in s.end for s in self.styles), bool, len(self.styles))

    def style_widths(self) -> np.ndarray:
        """(S,) int width (percent of normal) each style was drawn at."""
        return np.fromiter((s.width for s in self.styles), np.int64, len(self.styles))

    def style_family(self) -> np.ndarray:
        """(S,) int64 family index of each style."""
        return np.fromiter((s.family for s in self.styles), np.int64, len(self.styles))

    def char_index(self, char: str) -> int:
        """Index in the glyph set, or -1 when the index has no such character."""
        i = self.glyph_set.find(char)
        return i if len(char) == 1 else -1

    def without(self, family_ids: set[str]) -> FontIndex:
        """The same index less some families (their styles dropped, the rest renumbered)."""
        keep = [i for i, f in enumerate(self.families) if f.id not in family_ids]
        new_of = {old: new for new, old in enumerate(keep)}
        rows = [k for k, s in enumerate(self.styles) if s.family in new_of]
        styles = tuple(replace(self.styles[k], family=new_of[self.styles[k].family]) for k in rows)
        nearest = {k: v for k, v in self.nearest.items() if k not in family_ids}  # values name model labels
        similar = {k: v for k, v in self.similar.items() if k not in family_ids}  # ids gone are skipped when read
        return FontIndex(tuple(self.families[i] for i in keep), styles, self.embeddings[rows],
                         self.present[rows], self.glyph_set, self.norm, self.model, self.config, nearest, similar,
                         None if self.scale is None else self.scale[rows])

    def only(self, family_ids: set[str]) -> FontIndex:
        """The same index restricted to ``family_ids`` (in its own order)."""
        return self.without({f.id for f in self.families if f.id not in family_ids})


def merge(base: FontIndex, extra: FontIndex) -> FontIndex:
    """``base`` then ``extra``'s families (ids already in base are taken from base)."""
    if (extra.glyph_set, extra.model) != (base.glyph_set, base.model):
        raise FontIndexError("the added fonts' index was built with another model or glyph set; "
                             "rebuild it with `python cli.py fonts add` again")
    extra = extra.without(set(base.family_ids))
    shift = len(base.families)
    styles = base.styles + tuple(replace(s, family=s.family + shift) for s in extra.styles)
    if base.scale is None:
        emb, scale = np.concatenate([base.embeddings, extra.dense().astype(base.embeddings.dtype)]), None
    else:  # int8 in memory: the added fonts' rows are quantised too (as they are on disk)
        codes, sc = (extra.embeddings, extra.scale) if extra.scale is not None else quantise(extra.embeddings)
        emb, scale = np.concatenate([base.embeddings, codes]), np.concatenate([base.scale, sc])
    return FontIndex(base.families + extra.families, styles, emb,
                     np.concatenate([base.present, extra.present]), base.glyph_set, base.norm, base.model,
                     base.config, {**extra.nearest, **base.nearest}, {**extra.similar, **base.similar}, scale)


def model_fingerprint(model_dir: str | Path) -> str:
    """sha256 (16 hex) of the model's weights: an index belongs to one embedding space."""
    h = hashlib.sha256()
    with open(Path(model_dir) / "model.safetensors", "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def quantise(e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(..., D) float rows -> (..., D) int8 codes and (...,) float32 scales (symmetric, per row)."""
    e = np.asarray(e, np.float32)
    scale = np.abs(e).max(axis=-1) / 127.0  # (...,)
    q = np.rint(e / np.maximum(scale, 1e-12)[..., None])
    return np.clip(q, -127, 127).astype(np.int8), scale.astype(np.float32)


def dequantise(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Inverse of quantise: (S, C, D) int8 codes, (S, C) scales -> (S, C, D) float16, letter-major in
    memory (see FontIndex), one letter at a time: no float32 copy of the whole index (80 MB for the
    full catalog) is ever made, which kept a cold identify's peak RSS 100 MB higher."""
    out = np.empty((q.shape[1], q.shape[0], q.shape[2]), np.float16)  # (C, S, D)
    for c in range(q.shape[1]):
        out[c] = q[:, c, :].astype(np.float32) * scale[:, c, None]
    return out.transpose(1, 0, 2)


def save_index(index: FontIndex, directory: str | Path) -> Path:
    """Write index.safetensors (int8 embeddings + per-row scales) and index.json into ``directory``."""
    from safetensors.numpy import save_file

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    codes, scale = (index.embeddings, index.scale) if index.scale is not None else quantise(index.embeddings)
    tensors = {
        "embeddings": codes,
        "embedding_scale": scale,
        "present": index.present.astype(np.uint8),
        "style_family": np.array([s.family for s in index.styles], np.int32),
        "style_weight": np.array([s.weight for s in index.styles], np.int16),
        "style_width": np.array([s.width for s in index.styles], np.int16),
        "style_italic": np.array([s.italic for s in index.styles], np.uint8),
        "style_opsz": np.array([np.nan if s.opsz is None else s.opsz for s in index.styles], np.float32),
    }
    # C order on disk whatever the memory layout (safetensors writes the buffer as it is)
    tensors = {k: np.ascontiguousarray(v) for k, v in tensors.items()}
    save_file(tensors, str(d / TENSORS), metadata={"format": INDEX_FORMAT})
    meta = {"format": INDEX_FORMAT, "families": [asdict(f) for f in index.families],
            "style_families": [index.families[s.family].id for s in index.styles],
            "style_ends": [s.end for s in index.styles],
            "glyph_set": index.glyph_set, "norm": index.norm, "model": index.model, "config": index.config,
            "nearest": index.nearest, "similar": index.similar}
    tmp = d / (META + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1) + "\n")
    tmp.replace(d / META)
    return d


def load_index(directory: str | Path) -> FontIndex:
    """Read an index folder; FontIndexError if it is missing or inconsistent."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    d = Path(directory)
    if not (d / TENSORS).is_file() or not (d / META).is_file():
        raise FontIndexError(f"no font index in {d} (build one: python cli.py index build)")
    try:
        meta = json.loads((d / META).read_text())
        t = load_file(str(d / TENSORS))
        families = tuple(IndexFamily(**f) for f in meta["families"])
        n = len(t["style_family"])
        opsz = t.get("style_opsz", np.full(n, np.nan, np.float32))
        ends = meta.get("style_ends", [""] * n)
        styles = tuple(IndexStyle(int(f), int(w), int(wd), bool(i), None if np.isnan(o) else float(o), str(e))
                       for f, w, wd, i, o, e in zip(t["style_family"], t["style_weight"], t["style_width"],
                                                     t["style_italic"], opsz, ends, strict=True))
    except (OSError, ValueError, KeyError, TypeError, SafetensorError) as e:
        raise FontIndexError(f"the font index in {d} is unreadable ({e})") from e
    if meta.get("format") != INDEX_FORMAT:
        raise FontIndexError(f"{d / META} is not a {INDEX_FORMAT} index")
    if [families[s.family].id for s in styles] != meta["style_families"]:
        raise FontIndexError(f"{d}: styles and families disagree (label map mismatch)")
    e, scale = t["embeddings"], t.get("embedding_scale")
    e = e if scale is not None else e.astype(np.float16)  # int8 stays int8 in memory (FontIndex.letter)
    return FontIndex(families, styles, e, t["present"].astype(bool), meta["glyph_set"], meta["norm"],
                     meta["model"], meta.get("config", {}), meta.get("nearest", {}), meta.get("similar", {}), scale)
