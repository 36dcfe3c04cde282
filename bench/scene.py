"""Real photographs to composite words onto (the ``scene`` split).

Backgrounds and textures are the sample images shipped inside the
scikit-image wheel (``skimage/data``; installed here as a dependency of
EasyOCR). Only images whose docstrings state a free licence are used:

- astronaut.png  NASA, public domain            - camera.png  CC0 (Lav Varshney)
- chelsea.png    CC0 (Stefan van der Walt)      - coffee.png  CC0 (Rachel Michetti)
- rocket.jpg     SpaceX, public domain          - hubble_deep_field.jpg  NASA, public domain
- brick.png, grass.png, gravel.png  CC0 textures (cc0textures.com)
"""

from __future__ import annotations

from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np
from PIL import Image

PHOTOS = ("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "rocket.jpg",
          "hubble_deep_field.jpg")
TEXTURES = ("brick.png", "grass.png", "gravel.png")


class SceneDataError(FileNotFoundError):
    """scikit-image's sample photographs are not installed."""


def data_dir() -> Path:
    spec = find_spec("skimage")
    if spec is None or spec.origin is None:
        raise SceneDataError("the scene split needs scikit-image's sample photos "
                             "(pip install scikit-image; EasyOCR already depends on it)")
    return Path(spec.origin).parent / "data"


@lru_cache(maxsize=16)
def load(name: str) -> np.ndarray:
    """An (H, W, 3) float32 RGB copy of a shipped sample image."""
    path = data_dir() / name
    if not path.is_file():
        raise SceneDataError(f"{path} is missing from the scikit-image install")
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.float32)


def background(rng: np.random.Generator, w: int, h: int) -> tuple[np.ndarray, str]:
    """A random crop of a random photo, resized to (h, w, 3)."""
    name = PHOTOS[int(rng.integers(0, len(PHOTOS)))]
    return crop(load(name), rng, w, h), name


def texture(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A random texture crop as (h, w) in 0..1 (grey, contrast stretched)."""
    name = TEXTURES[int(rng.integers(0, len(TEXTURES)))]
    t = crop(load(name), rng, w, h).mean(axis=2)
    lo, hi = np.percentile(t, [2, 98])
    return np.clip((t - lo) / max(hi - lo, 1.0), 0.0, 1.0)


def crop(photo: np.ndarray, rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    ph, pw = photo.shape[:2]
    aspect = w / h
    cw = min(pw, ph * aspect) * rng.uniform(0.35, 1.0)
    ch = cw / aspect
    x0 = rng.uniform(0, pw - cw)
    y0 = rng.uniform(0, ph - ch)
    box = (int(x0), int(y0), int(x0 + cw), int(y0 + ch))
    img = Image.fromarray(photo.astype(np.uint8)).resize((w, h), Image.BICUBIC, box=box)
    return np.asarray(img, dtype=np.float32)


def contrasting_colour(region: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    """A text colour readable on ``region``: one of the two sign colours whose
    luminance differs most from the region's."""
    weights = np.array([0.299, 0.587, 0.114], np.float32)
    lum = float((region @ weights).mean())
    pool = ((255, 255, 255), (255, 236, 160), (255, 214, 0), (240, 240, 230),
            (0, 0, 0), (20, 24, 60), (90, 10, 10), (30, 30, 30), (200, 30, 30), (0, 90, 160))
    contrast = [abs(float(np.dot(c, weights)) - lum) for c in pool]
    best = np.argsort(contrast)[::-1][:2]
    return tuple(float(c) for c in pool[int(best[int(rng.integers(0, 2))])])
