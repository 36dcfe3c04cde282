"""A small synthetic glyph dataset in the glyphs.dataset format (tests and benchmarks).

Random but learnable: each character is a fixed random stroke drawing; each
"font" thickens, slants and shifts it in its own way; each variant adds noise
and jitter. Written exactly like the real generator's output (shards of .npy
arrays + labels.json with shards, num_samples, config, fingerprint).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from glyphs.dataset import shard_name
from glyphs.labels import DEFAULT_GLYPH_SET, FontLabel, LabelMap, NormSettings


def _strokes(rng: np.random.Generator, size: int) -> np.ndarray:
    """A character: 3-5 random thin line segments, (S, S) float32 in {0, 1}."""
    img = np.zeros((size, size), np.float32)
    lo, hi = int(size * 0.25), int(size * 0.72)
    for _ in range(rng.integers(3, 6)):
        (x0, y0), (x1, y1) = rng.integers(lo, hi, size=(2, 2))
        t = np.linspace(0.0, 1.0, 2 * size)
        img[np.round(y0 + t * (y1 - y0)).astype(int), np.round(x0 + t * (x1 - x0)).astype(int)] = 1.0
    return img


def _style(img: np.ndarray, thick: int, slant: float, drop: int) -> np.ndarray:
    """Thicken by ``thick`` px (max filter), shear by ``slant`` and move down by ``drop`` px."""
    out = img.copy()
    for _ in range(thick):
        out = np.maximum.reduce([out, np.roll(out, 1, 0), np.roll(out, 1, 1)])
    size = img.shape[0]
    for y in range(size):
        out[y] = np.roll(out[y], int(round(slant * (size / 2 - y))))
    return np.roll(out, drop, 0)


def _render(glyph_set: str, num_fonts: int, variants: int, size: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    chars = [_strokes(rng, size) for _ in glyph_set]
    fonts = [(int(rng.integers(0, 4)), float(rng.uniform(-0.25, 0.25)), int(rng.integers(-2, 3)))
             for _ in range(num_fonts)]
    rows: dict[str, list] = {k: [] for k in ("images", "font", "char", "weight", "width", "italic", "variant")}
    for f, (thick, slant, drop) in enumerate(fonts):
        for c, base in enumerate(chars):
            styled = _style(base, thick, slant, drop)
            for v in range(variants):
                noisy = np.roll(styled, tuple(rng.integers(-1, 2, size=2)), (0, 1))
                noisy = noisy + rng.normal(0, 0.15, noisy.shape)
                rows["images"].append(np.clip(noisy * 255, 0, 255).astype(np.uint8))
                for k, val in (("font", f), ("char", c), ("weight", 100 + 200 * thick),
                               ("width", 100), ("italic", int(abs(slant) > 0.12)), ("variant", v)):
                    rows[k].append(val)
    dtypes = {"font": np.int32, "char": np.int32, "weight": np.int16, "width": np.int16,
              "italic": np.uint8, "variant": np.int32}
    return {k: (np.stack(v) if k == "images" else np.asarray(v, dtypes[k])) for k, v in rows.items()}


def write_synthetic_dataset(out: str | Path, num_fonts: int = 6, glyph_set: str = DEFAULT_GLYPH_SET[:20],
                            variants: int = 6, size: int = 40, num_shards: int = 2, seed: int = 0) -> Path:
    """Write a synthetic dataset to ``out`` and return that directory."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    arrays = _render(glyph_set, num_fonts, variants, size, seed)
    n = len(arrays["font"])
    bounds = np.linspace(0, n, num_shards + 1).astype(int)
    shards, h = [], hashlib.sha256()
    for i in range(num_shards):
        name = shard_name(i, num_shards)
        (out / name).mkdir(exist_ok=True)
        for k, a in arrays.items():
            np.save(out / name / f"{k}.npy", a[bounds[i] : bounds[i + 1]])
        shards.append(name)
        h.update(f"{name}:{bounds[i + 1] - bounds[i]}".encode())
    labels = LabelMap(
        fonts=tuple(FontLabel(f"synth-{i}", f"Synth {i}") for i in range(num_fonts)),
        glyph_set=glyph_set,
        norm=NormSettings(size=size),
    )
    h.update(json.dumps(labels.to_dict(), sort_keys=True).encode())
    config = {"synthetic": True, "variants": variants, "seed": seed, "size": size}
    labels.save(out, extra={"shards": shards, "num_samples": n, "config": config,
                            "fingerprint": h.hexdigest()[:16]})
    return out
