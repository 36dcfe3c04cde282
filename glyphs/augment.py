"""Augmentations that make rendered words look like words cut out of photos
and screenshots. Pure functions of (input, rng, config): randomness only from
the ``np.random.Generator`` passed in.

Order (word level): stroke weight -> perspective/rotation/shear -> colours and
texture, turned grey -> blur -> resolution loss -> noise -> JPEG -> polarity.
Segmentation jitter is per glyph (:func:`jitter_box`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageFilter

from glyphs.normalize import to_dark_on_light

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class AugmentConfig:
    size_range: tuple[int, int] = (12, 120)  # text size in px before normalisation (log-uniform)
    p_stroke: float = 0.2  # thicken or thin strokes by one pixel (sizes >= 28 px)
    p_geom: float = 0.5
    rotate_deg: float = 3.0
    shear: float = 0.12
    perspective: float = 0.06  # corner jitter, fraction of height
    p_colour: float = 0.5  # coloured / textured background and ink, then grey
    min_contrast: int = 60
    p_blur: float = 0.3
    blur_frac: float = 0.035  # max gaussian radius as a fraction of text size
    p_motion: float = 0.0  # motion blur (held out of the default set)
    p_lowres: float = 0.2
    lowres_max: float = 2.5  # downscale factor before scaling back up
    p_noise: float = 0.4
    noise_sigma: float = 10.0
    p_saltpepper: float = 0.0
    p_jpeg: float = 0.4
    jpeg_quality: tuple[int, int] = (35, 90)
    p_invert: float = 0.25  # light text on dark
    p_jitter: float = 0.5  # segmentation box shifted / cut / grown
    jitter: float = 0.12  # fraction of the box size
    p_neighbour: float = 0.2  # box grown into a neighbour's ink


PRESETS: dict[str, AugmentConfig] = {
    "none": AugmentConfig(p_stroke=0, p_geom=0, p_colour=0, p_blur=0, p_lowres=0, p_noise=0,
                          p_jpeg=0, p_invert=0, p_jitter=0, p_neighbour=0, size_range=(40, 64)),
    "default": AugmentConfig(),
    "heavy": AugmentConfig(p_geom=0.8, rotate_deg=6, shear=0.25, perspective=0.12, p_blur=0.6,
                           p_lowres=0.5, lowres_max=3.5, p_noise=0.6, noise_sigma=18, p_jpeg=0.6,
                           jpeg_quality=(20, 70), p_jitter=0.7, jitter=0.2),
    # Kinds of damage the default set never shows, to measure generalisation.
    "heldout": AugmentConfig(p_stroke=0, p_geom=0.7, rotate_deg=5, shear=0.2, perspective=0.1,
                             p_blur=0, p_motion=0.6, p_lowres=0.5, lowres_max=3.0, p_noise=0,
                             p_saltpepper=0.5, p_jpeg=0.7, jpeg_quality=(15, 40), p_invert=0.5,
                             p_jitter=0.6, jitter=0.18),
}


def preset(name: str) -> AugmentConfig:
    if name not in PRESETS:
        raise ValueError(f"unknown augmentation preset {name!r}; choose from {sorted(PRESETS)}")
    return PRESETS[name]


def sample_size(rng: np.random.Generator, cfg: AugmentConfig) -> int:
    lo, hi = cfg.size_range
    return int(round(np.exp(rng.uniform(np.log(lo), np.log(hi)))))


def augment_word(mask: np.ndarray, boxes: tuple[Box, ...], size: int,
                 rng: np.random.Generator, cfg: AugmentConfig) -> tuple[np.ndarray, tuple[Box, ...]]:
    """Ink mask (H, W) uint8 -> dark-on-light grey word image (H', W') uint8 and moved boxes."""
    img = Image.fromarray(mask)
    if size >= 28 and rng.random() < cfg.p_stroke:
        img = img.filter(ImageFilter.MaxFilter(3) if rng.random() < 0.5 else ImageFilter.MinFilter(3))
    if rng.random() < cfg.p_geom:
        img, boxes = _warp(img, boxes, rng, cfg)
    gray = _colourise(np.asarray(img), rng, cfg)  # (H, W) uint8, dark on light
    img = Image.fromarray(gray)
    if rng.random() < cfg.p_blur:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, max(0.4, cfg.blur_frac * size))))
    if rng.random() < cfg.p_motion:
        img = _motion_blur(img, rng, size)
    if rng.random() < cfg.p_lowres:
        f = rng.uniform(1.2, cfg.lowres_max)
        small = (max(1, int(img.width / f)), max(1, int(img.height / f)))
        img = img.resize(small, Image.BILINEAR).resize(img.size, Image.BILINEAR)
    arr = np.asarray(img).astype(np.float32)
    if rng.random() < cfg.p_noise:
        arr = arr + rng.normal(0, rng.uniform(2, cfg.noise_sigma), arr.shape)
    if rng.random() < cfg.p_saltpepper:
        hit = rng.random(arr.shape) < rng.uniform(0.005, 0.03)
        arr[hit] = rng.choice([0.0, 255.0], size=int(hit.sum()))
    gray = np.clip(arr, 0, 255).astype(np.uint8)
    if rng.random() < cfg.p_jpeg:
        gray = _jpeg(gray, int(rng.integers(*cfg.jpeg_quality)))
    if rng.random() < cfg.p_invert:
        gray = 255 - gray
    return to_dark_on_light(gray), boxes


def jitter_box(box: Box, rng: np.random.Generator, cfg: AugmentConfig,
               limit: tuple[int, int]) -> Box:
    """A segmentation-quality box: shifted, cut or grown (maybe into a neighbour)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if rng.random() < cfg.p_jitter:
        j = cfg.jitter
        dx0, dx1 = rng.uniform(-j, j, 2) * w
        dy0, dy1 = rng.uniform(-j, j, 2) * h * 0.5
        x0, x1, y0, y1 = x0 + dx0, x1 + dx1, y0 + dy0, y1 + dy1
    if rng.random() < cfg.p_neighbour:
        grow = rng.uniform(0.1, 0.3) * w
        x0, x1 = (x0 - grow, x1) if rng.random() < 0.5 else (x0, x1 + grow)
    x0, x1 = int(max(0, min(x0, x1 - 1))), int(min(limit[1], max(x1, x0 + 1)))
    y0, y1 = int(max(0, min(y0, y1 - 1))), int(min(limit[0], max(y1, y0 + 1)))
    return (x0, y0, x1, y1)


def _warp(img: Image.Image, boxes: tuple[Box, ...], rng: np.random.Generator,
          cfg: AugmentConfig) -> tuple[Image.Image, tuple[Box, ...]]:
    """Rotation + shear + perspective as one homography; boxes follow their corners."""
    w, h = img.size
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    th = np.deg2rad(rng.uniform(-cfg.rotate_deg, cfg.rotate_deg))
    sh = rng.uniform(-cfg.shear, cfg.shear)
    a = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]) @ np.array([[1, sh], [0, 1]])
    dst = src @ a.T + rng.uniform(-cfg.perspective, cfg.perspective, (4, 2)) * h
    dst -= dst.min(axis=0)
    out_size = tuple(int(np.ceil(v)) + 1 for v in dst.max(axis=0))
    fwd = _homography(src, dst)
    inv = np.linalg.inv(fwd)
    inv = inv / inv[2, 2]
    img = img.transform(out_size, Image.PERSPECTIVE, tuple(inv.ravel()[:8]), Image.BILINEAR)
    return img, tuple(_map_box(fwd, b) for b in boxes)


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 H with dst ~ H @ src, from 4 point pairs."""
    rows = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    h = np.linalg.solve(np.array(rows), dst.ravel())
    return np.append(h, 1.0).reshape(3, 3)


def _map_box(hm: np.ndarray, box: Box) -> Box:
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64) @ hm.T
    pts = pts[:, :2] / pts[:, 2:3]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return (int(np.floor(lo[0])), int(np.floor(lo[1])), int(np.ceil(hi[0])), int(np.ceil(hi[1])))


def _colourise(mask: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Ink mask -> grey image: plain black on white, or colours/texture turned grey."""
    alpha = mask.astype(np.float32)[..., None] / 255.0  # (H, W, 1)
    if rng.random() >= cfg.p_colour:
        bg, fg = rng.uniform(200, 255), rng.uniform(0, 60)
        return (bg + (fg - bg) * alpha[..., 0]).astype(np.uint8)
    h, w = mask.shape
    luma = np.array([0.299, 0.587, 0.114])
    bg, fg = rng.uniform(0, 255, 3) @ luma, rng.uniform(0, 255, 3) @ luma  # colours, as grey
    if abs(bg - fg) < cfg.min_contrast:  # keep it legible
        fg = bg * 0.2 if bg > 127 else 255 - (255 - bg) * 0.2
    # Luma is linear, so gradient and texture can be added in grey directly.
    gx = np.linspace(0, rng.uniform(-40, 40), w, dtype=np.float32)[None, :]
    gy = np.linspace(0, rng.uniform(-40, 40), h, dtype=np.float32)[:, None]
    back = bg + gx + gy + _texture(h, w, rng) * rng.uniform(0, 35)  # (H, W)
    return np.clip(back + (fg - back) * alpha[..., 0], 0, 255).astype(np.uint8)


def _texture(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Low-frequency noise in [-1, 1], (H, W)."""
    small = rng.uniform(-1, 1, (max(2, h // 16), max(2, w // 16))).astype(np.float32)
    return np.asarray(Image.fromarray(small, mode="F").resize((w, h), Image.BICUBIC))


def _motion_blur(img: Image.Image, rng: np.random.Generator, size: int) -> Image.Image:
    k = int(np.clip(round(rng.uniform(0.03, 0.08) * size), 1, 2)) * 2 + 1  # PIL kernels: 3 or 5
    kernel = np.zeros((k, k), np.float32)
    if rng.random() < 0.5:
        kernel[k // 2, :] = 1.0
    else:
        np.fill_diagonal(kernel, 1.0)
    return img.filter(ImageFilter.Kernel((k, k), kernel.ravel().tolist(), scale=float(k)))


def _jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format="JPEG", quality=quality)
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("L"))


def with_sizes(cfg: AugmentConfig, lo: int, hi: int) -> AugmentConfig:
    return replace(cfg, size_range=(lo, hi))
