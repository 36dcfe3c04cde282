"""Camera-like degradations: perspective, rotation, uneven light, blur, noise,
resampling and JPEG. Every function takes the sample's np.random.Generator."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter


def perspective(img: Image.Image, rng: np.random.Generator, strength: float,
                fill: tuple[int, int, int]) -> Image.Image:
    """Move each corner by up to ``strength`` x the image height, keeping the size."""
    w, h = img.size
    d = strength * h
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    dst = src + rng.uniform(-d, d, size=(4, 2))
    coeffs = _perspective_coeffs(dst, src)
    return img.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=fill)


def _perspective_coeffs(out_pts: np.ndarray, in_pts: np.ndarray) -> tuple[float, ...]:
    """PIL's 8 coefficients mapping output pixel positions to input positions."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(out_pts, in_pts, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return tuple(np.linalg.solve(np.asarray(rows), np.asarray(rhs)).tolist())


def rotate(img: Image.Image, rng: np.random.Generator, max_deg: float,
           fill: tuple[int, int, int]) -> Image.Image:
    return img.rotate(float(rng.uniform(-max_deg, max_deg)), Image.BICUBIC, expand=True, fillcolor=fill)


def uneven_light(arr: np.ndarray, rng: np.random.Generator, depth: float) -> np.ndarray:
    """Multiply by a smooth light field: a linear gradient, a soft spot and a colour cast."""
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / max(w, 1) + np.sin(angle) * yy / max(h, 1))
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    r = rng.uniform(0.5, 1.5) * max(w, h)
    spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
    field = 1.0 - depth * (0.6 * ramp + 0.4 * (1.0 - spot))
    cast = rng.uniform(0.9, 1.05, size=3).astype(np.float32)
    return arr * field[..., None] * cast


def blur(img: Image.Image, rng: np.random.Generator, max_radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.2, max_radius))))


def noise(arr: np.ndarray, rng: np.random.Generator, sigma: tuple[float, float]) -> np.ndarray:
    return arr + rng.normal(0.0, rng.uniform(*sigma), size=arr.shape).astype(np.float32)


def resample(img: Image.Image, rng: np.random.Generator, low: float, high: float,
             restore_p: float = 0.5) -> Image.Image:
    """Downscale by a factor in [low, high]; with ``restore_p`` scale back up (soft detail)."""
    f = float(rng.uniform(low, high))
    small = img.resize((max(1, int(img.width * f)), max(1, int(img.height * f))), Image.BILINEAR)
    if rng.random() < restore_p:
        return small.resize(img.size, Image.BICUBIC)
    return small


def jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="JPEG", quality=int(quality), optimize=False)
    return buf.getvalue()
