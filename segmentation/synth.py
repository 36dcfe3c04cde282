"""Rendered text lines with known character boxes, clean and degraded.

Used by the segmentation tests and by ``bench/bench_segmentation.py``: every
character is also rendered alone into its own mask, so its true ink box
survives blur, perspective and the rest (boxes come from the warped masks).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels (x1/y1 exclusive)

CONDITIONS = ("clean", "blur", "noise", "jpeg", "perspective", "colour", "light_on_dark", "photo")


@dataclass(frozen=True)
class RenderedLine:
    image: np.ndarray  # (H, W, 3) uint8 RGB
    text: str
    chars: tuple[str, ...]  # the non-space characters, left to right
    boxes: tuple[Box, ...]  # their true ink boxes, same order


def render_line(
    font_path: str | Path, text: str, *, size: tuple[int, int] = (1000, 200), max_px: int = 90,
    fg: tuple[int, int, int] = (0, 0, 0), bg: tuple[int, int, int] = (255, 255, 255),
) -> tuple[RenderedLine, list[np.ndarray]]:
    """One line of ``text`` centred on a ``size`` canvas, as large as fits (<= max_px).

    Returns the line and the per-character masks ((H, W) uint8, one per
    non-space character) that ``degrade`` warps along with the image.
    """
    w, h = size
    font = _fit_font(font_path, text, w * 0.9, h * 0.8, max_px)
    x0 = (w - font.getlength(text)) / 2
    left, top, right, bottom = font.getbbox(text)
    y0 = (h - (bottom + top)) / 2
    ink = Image.new("L", size, 0)
    ImageDraw.Draw(ink).text((x0, y0), text, font=font, fill=255)
    masks, chars = [], []
    for i, c in enumerate(text):
        if c.isspace():
            continue
        x = x0 + font.getlength(text[: i + 1]) - font.getlength(c)
        m = Image.new("L", size, 0)
        ImageDraw.Draw(m).text((x, y0), c, font=font, fill=255)
        masks.append(np.asarray(m))
        chars.append(c)
    image = _colourise(np.asarray(ink), fg, bg)
    return _make(image, text, chars, masks), masks


def _fit_font(path: str | Path, text: str, max_w: float, max_h: float, max_px: int) -> ImageFont.FreeTypeFont:
    px = max_px
    while px > 8:
        font = ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.BASIC)
        x0, t, x1, b = font.getbbox(text)
        if font.getlength(text) <= max_w and x1 - x0 <= max_w and b - t <= max_h:
            return font
        px = int(px * 0.92)
    return ImageFont.truetype(str(path), px, layout_engine=ImageFont.Layout.BASIC)


def _colourise(ink: np.ndarray, fg: tuple[int, int, int], bg: tuple[int, int, int]) -> np.ndarray:
    """ink (H, W) uint8 coverage -> (H, W, 3) uint8 RGB."""
    a = ink.astype(np.float32)[..., None] / 255.0
    out = np.asarray(fg, np.float32) * a + np.asarray(bg, np.float32) * (1 - a)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _make(image: np.ndarray, text: str, chars: list[str], masks: list[np.ndarray]) -> RenderedLine:
    boxes = []
    for m in masks:
        ys, xs = np.nonzero(m > 96)
        if len(xs) == 0:
            ys, xs = np.nonzero(m > 0)
        boxes.append((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(xs) else
                     (0, 0, 0, 0))
    return RenderedLine(image=image, text=text, chars=tuple(chars), boxes=tuple(boxes))


def degrade(line: RenderedLine, masks: list[np.ndarray], condition: str, seed: int = 0) -> RenderedLine:
    """A copy of ``line`` under one of CONDITIONS (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    img, ms = line.image, masks
    if condition == "clean":
        return line
    if condition in ("colour", "photo"):
        img = _recolour(ms, rng, img.shape[:2])
    if condition == "light_on_dark":
        img = _colourise(_union(ms), (240, 240, 235), (20, 25, 30))
    if condition in ("perspective", "photo"):
        img, ms = _perspective(img, ms, rng, strength=0.06 if condition == "photo" else 0.08)
    if condition in ("blur", "photo"):
        img = np.asarray(Image.fromarray(img).filter(ImageFilter.GaussianBlur(1.6 if condition == "blur" else 1.0)))
    if condition in ("noise", "photo"):
        sigma = 22.0 if condition == "noise" else 12.0
        img = np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)
    if condition in ("jpeg", "photo"):
        img = _jpeg(img, 15 if condition == "jpeg" else 35)
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")
    return _make(img, line.text, list(line.chars), ms)


def _union(masks: list[np.ndarray]) -> np.ndarray:
    return np.max(np.stack(masks), axis=0) if masks else np.zeros((1, 1), np.uint8)


def _recolour(masks: list[np.ndarray], rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Coloured text on a coloured gradient, luminance contrast >= ~90."""
    dark = rng.random() < 0.5
    lo, hi = rng.uniform(10, 90, 3), rng.uniform(170, 250, 3)
    fg, bg = (lo, hi) if dark else (hi, lo)
    h, w = shape
    ramp = np.linspace(-1, 1, w, dtype=np.float32)[None, :, None]  # (1, W, 1)
    bg_img = np.clip(bg[None, None, :] + 25 * ramp * rng.choice([-1, 1], 3), 0, 255)  # (1, W, 3)
    a = _union(masks).astype(np.float32)[..., None] / 255.0  # (H, W, 1)
    out = fg[None, None, :] * a + np.broadcast_to(bg_img, (h, w, 3)) * (1 - a)
    return np.clip(out, 0, 255).astype(np.uint8)


def _perspective(img: np.ndarray, masks: list[np.ndarray], rng: np.random.Generator,
                 strength: float) -> tuple[np.ndarray, list[np.ndarray]]:
    import cv2

    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-strength, strength, (4, 2)) * np.float32([w, h]) * np.float32([0.5, 1.0])
    mat = cv2.getPerspectiveTransform(src, (src + jitter).astype(np.float32))
    border = tuple(int(v) for v in np.median(img.reshape(-1, 3), axis=0))
    warp = cv2.warpPerspective(img, mat, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)
    ms = [cv2.warpPerspective(m, mat, (w, h), flags=cv2.INTER_LINEAR) for m in masks]
    return warp, ms


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def iou(a: Box | tuple[float, ...], b: Box | tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def char_hits(line: RenderedLine, found: list[tuple[str, Box]], ignore_case: bool = False,
              min_iou: float = 0.5) -> int:
    """How many true characters have a found box with IoU >= min_iou and the same letter (one-to-one)."""
    used: set[int] = set()
    hits = 0
    for c, tb in zip(line.chars, line.boxes, strict=True):
        best, best_j = min_iou, -1
        for j, (fc, fb) in enumerate(found):
            same = fc.lower() == c.lower() if ignore_case else fc == c
            if j in used or not same:
                continue
            v = iou(tb, fb)
            if v >= best:
                best, best_j = v, j
        if best_j >= 0:
            used.add(best_j)
            hits += 1
    return hits
