"""Glyph dataset on disk: ``labels.json`` + ``shard-IIIII-of-NNNNN/`` folders of .npy arrays.

Each shard folder holds arrays of equal length N (one row per glyph sample):

    images.npy   uint8  (N, S, S)  ink = 255 on 0, made by glyphs.normalize_glyph
    font.npy     int32  (N,)       index into labels.json "fonts"
    char.npy     int32  (N,)       index into labels.json "glyph_set"
    weight.npy   int16  (N,)       100..900
    width.npy    int16  (N,)       percent of normal width (100 = normal)
    italic.npy   uint8  (N,)       0/1
    variant.npy  int32  (N,)       rendering variant (hold out by variant, never by row)

``labels.json`` holds the LabelMap (fonts, glyph set, normalisation settings)
plus ``shards``, ``num_samples`` and the ``config`` that made the dataset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glyphs.labels import LabelMap, LabelMapError

FIELDS = ("images", "font", "char", "weight", "width", "italic", "variant")


def shard_name(i: int, n: int) -> str:
    return f"shard-{i:05d}-of-{n:05d}"


@dataclass(frozen=True)
class GlyphDataset:
    labels: LabelMap
    images: np.ndarray  # (N, S, S) uint8
    font: np.ndarray  # (N,) int32
    char: np.ndarray  # (N,) int32
    weight: np.ndarray  # (N,) int16
    width: np.ndarray  # (N,) int16
    italic: np.ndarray  # (N,) uint8
    variant: np.ndarray  # (N,) int32
    fingerprint: str  # content hash of labels.json + shard sizes

    def __len__(self) -> int:
        return int(self.font.shape[0])


def load_dataset(directory: str | Path, mmap: bool = True) -> GlyphDataset:
    """Load every shard listed in labels.json (memory-mapped when possible)."""
    d = Path(directory)
    labels = LabelMap.load(d)
    meta = json.loads((d / "labels.json").read_text())
    shards = meta.get("shards", [])
    missing = [s for s in shards if not (d / s / "font.npy").is_file()]
    if not shards or missing:
        raise LabelMapError(f"dataset {d} is incomplete: missing shards {missing or 'all'}")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in FIELDS}
    for s in shards:
        for k in FIELDS:
            parts[k].append(np.load(d / s / f"{k}.npy", mmap_mode="r" if mmap else None))
    arrays = {k: (v[0] if len(v) == 1 else np.concatenate(v)) for k, v in parts.items()}
    if int(arrays["font"].max(initial=-1)) >= labels.num_fonts:
        raise LabelMapError(f"dataset {d} has font labels beyond its labels.json")
    fp = meta.get("fingerprint", "")
    return GlyphDataset(labels=labels, fingerprint=fp, **arrays)
