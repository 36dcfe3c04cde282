"""The PIL-drawn splits: clean, photo, scene, weights, short.

Each ``draw_<split>(files, rng)`` returns a :class:`Drawn`: the image, how to
encode it, the true style and text. The browser-rendered ``screenshot`` split
lives in ``bench/browser.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageFilter

from bench import degrade, scene
from bench.draw import MAX_W, composite, fit_size, fit_within, ink_mask, solid, to_image
from bench.fonts import Style, covers, pick_other_style, regular_style
from bench.texts import PHRASES, SHORT_TEXTS, pick
from glyphs.catalog import FamilyFiles


class NoTextError(ValueError):
    """No benchmark text can be drawn in this font (it lacks the characters)."""


@dataclass(frozen=True)
class Drawn:
    image: Image.Image
    style: Style
    text: str
    fmt: str = "png"  # png | jpg
    quality: int = 0  # JPEG quality
    extra: dict = field(default_factory=dict)


def choose_text(style: Style, pool: tuple[str, ...], rng: np.random.Generator) -> str:
    """A random text of ``pool`` the font can draw in full."""
    for _ in range(40):
        text = pick(pool, rng)
        if covers(style, text):
            return text
    usable = [t for t in pool if covers(style, t)]
    if not usable:
        raise NoTextError(f"{style.path.name} cannot draw any benchmark text")
    return pick(tuple(usable), rng)


def _line(style: Style, pool: tuple[str, ...], rng: np.random.Generator, size_range: tuple[int, int],
          pad: tuple[int, int], max_w: int = MAX_W) -> tuple[str, int, np.ndarray]:
    """(text, size, ink alpha) for one line that fits ``max_w`` with its padding."""
    text = choose_text(style, pool, rng)
    size = fit_size(style, text, int(rng.integers(size_range[0], size_range[1] + 1)), max_w - 2 * pad[0])
    return text, size, ink_mask(style, text, size, pad)


def _pad(rng: np.random.Generator, lo: int, hi: int) -> tuple[int, int]:
    return int(rng.integers(lo, hi + 1)), int(rng.integers(max(2, lo // 2), hi // 2 + 2))


def draw_clean(files: FamilyFiles, rng: np.random.Generator) -> Drawn:
    """Black on white, one line, 32-64 px."""
    style = regular_style(files)
    text, size, alpha = _line(style, PHRASES, rng, (32, 64), _pad(rng, 8, 24))
    img = Image.fromarray(np.rint(255 * (1 - alpha)).astype(np.uint8), "L")
    return Drawn(fit_within(img), style, text, extra={"size_px": size})


def draw_weights(files: FamilyFiles, rng: np.random.Generator) -> Drawn:
    """A non-regular weight, width or italic, dark on light, 36-64 px."""
    style = pick_other_style(files, rng)
    regular_only = style == regular_style(files)  # the family has no other style
    text, size, alpha = _line(style, PHRASES, rng, (36, 64), _pad(rng, 8, 24))
    paper = tuple(float(v) for v in rng.integers(236, 256, size=3))
    ink = (float(rng.integers(0, 50)),) * 3
    arr = composite(solid(*alpha.shape, paper), alpha, ink)
    return Drawn(fit_within(to_image(arr)), style, text, extra={"size_px": size, "regular_only": regular_only})


def draw_short(files: FamilyFiles, rng: np.random.Generator) -> Drawn:
    """1-4 characters, 48-96 px, dark on light or light on dark."""
    style = regular_style(files)
    text, size, alpha = _line(style, SHORT_TEXTS, rng, (48, 96), _pad(rng, 8, 28))
    dark_bg = rng.random() < 0.3
    bg, fg = ((24.0,) * 3, (245.0,) * 3) if dark_bg else ((255.0,) * 3, (10.0,) * 3)
    arr = composite(solid(*alpha.shape, bg), alpha, fg)
    return Drawn(fit_within(to_image(arr)), style, text, extra={"size_px": size, "light_on_dark": dark_bg})


def draw_photo(files: FamilyFiles, rng: np.random.Generator) -> Drawn:
    """A printed line photographed: perspective, rotation, light, blur, scale, noise, JPEG."""
    style = regular_style(files)
    text, size, alpha = _line(style, PHRASES, rng, (40, 80), _pad(rng, 16, 40), max_w=1400)
    inverted = rng.random() < 0.2
    paper = rng.uniform(200, 250, size=3) * (0.25 if inverted else 1.0)
    ink = rng.uniform(230, 255, size=3) if inverted else rng.uniform(0, 70, size=3)
    fill = tuple(int(v) for v in paper)
    img = to_image(composite(solid(*alpha.shape, paper), alpha, tuple(ink)))
    img = degrade.perspective(img, rng, rng.uniform(0.03, 0.15), fill)
    img = degrade.rotate(img, rng, 7.0, fill)
    arr = degrade.uneven_light(np.asarray(img, np.float32), rng, rng.uniform(0.1, 0.5))
    img = degrade.blur(to_image(arr), rng, 1.6)
    img = degrade.resample(fit_within(img), rng, 0.35, 0.9)
    arr = degrade.noise(np.asarray(img, np.float32), rng, (2.0, 10.0))
    q = int(rng.integers(55, 86))
    return Drawn(to_image(arr), style, text, "jpg", q, {"size_px": size, "light_on_dark": inverted})


def draw_scene(files: FamilyFiles, rng: np.random.Generator) -> Drawn:
    """Words on a real photograph, with an optional plate, shadow and worn-paint texture."""
    style = regular_style(files)
    text, size, alpha = _line(style, PHRASES, rng, (40, 72), (2, 2), max_w=900)
    alpha = _rotate_mask(alpha, float(rng.uniform(-4.0, 4.0)))
    h, w = alpha.shape
    mx, my = int(rng.integers(12, 50)), int(rng.integers(10, 40))
    bg, photo = scene.background(rng, w + 2 * mx, h + 2 * my)
    under = bg[my:my + h, mx:mx + w]
    extra = {"size_px": size, "photo": photo, "plate": False, "shadow": False, "texture": False}
    if rng.random() < 0.3:
        bg, extra["plate"] = _plate(bg, rng, mx, my, w, h), True
        under = bg[my:my + h, mx:mx + w]
    colour = scene.contrasting_colour(under, rng)
    if rng.random() < 0.5:
        bg, extra["shadow"] = _shadow(bg, alpha, rng, mx, my, size), True
    if rng.random() < 0.5:
        alpha, extra["texture"] = alpha * (0.55 + 0.45 * scene.texture(rng, w, h)), True
    arr = composite(bg, alpha, colour, (mx, my))
    img = degrade.blur(to_image(arr), rng, 1.0)
    arr = degrade.noise(np.asarray(fit_within(img), np.float32), rng, (1.0, 6.0))
    q = int(rng.integers(60, 91))
    return Drawn(to_image(arr), style, text, "jpg", q, extra)


def _rotate_mask(alpha: np.ndarray, degrees: float) -> np.ndarray:
    img = Image.fromarray(np.rint(alpha * 255).astype(np.uint8))
    return np.asarray(img.rotate(degrees, Image.BICUBIC, expand=True), np.float32) / 255.0


def _plate(bg: np.ndarray, rng: np.random.Generator, mx: int, my: int, w: int, h: int) -> np.ndarray:
    """A translucent sign plate behind the text."""
    plate = np.zeros(bg.shape[:2], np.float32)
    px, py = mx // 2, my // 2
    plate[my - py:my + h + py, mx - px:mx + w + px] = rng.uniform(0.55, 0.85)
    tone = (245.0,) * 3 if rng.random() < 0.5 else (20.0,) * 3
    return composite(bg, plate, tone)


def _shadow(bg: np.ndarray, alpha: np.ndarray, rng: np.random.Generator, mx: int, my: int,
            size: int) -> np.ndarray:
    """A soft drop shadow of the text, offset down-right."""
    off = max(1, int(size * rng.uniform(0.03, 0.08)))
    mask = Image.fromarray(np.rint(alpha * 255).astype(np.uint8))
    soft = np.asarray(mask.filter(ImageFilter.GaussianBlur(off * 0.8)), np.float32) / 255.0
    h, w = soft.shape
    x, y = min(mx + off, bg.shape[1] - w), min(my + off, bg.shape[0] - h)
    return composite(bg, soft * rng.uniform(0.4, 0.75), (0.0, 0.0, 0.0), (x, y))


DRAWERS: dict[str, Callable[[FamilyFiles, np.random.Generator], Drawn]] = {
    "clean": draw_clean,
    "photo": draw_photo,
    "scene": draw_scene,
    "weights": draw_weights,
    "short": draw_short,
}
