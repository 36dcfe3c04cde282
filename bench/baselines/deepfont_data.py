"""Training lines for the DeepFont baseline, rendered from the catalog's fonts.

Texts come from the glyph classifier's training words (``glyphs.words``), never
from the benchmark's texts: train words at even positions, validation words at
odd ones. Each line is drawn with PIL in the family's regular or another of its
styles, lightly degraded (blur, noise, rescale, tilt, JPEG), then normalised
exactly as at test time (:func:`deepfont.normalize_line`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from bench.baselines.deepfont import normalize_line
from bench.draw import composite, fit_size, ink_mask, solid, to_image
from bench.fonts import Style, covers, other_styles, regular_style
from glyphs.catalog import FamilyFiles
from glyphs.words import TRAIN_WORDS

MAX_LINE_W = 420  # normalised line width kept (4 patches)


@dataclass(frozen=True)
class LineSet:
    lines: tuple[np.ndarray, ...]  # (105, W) uint8, ink high
    labels: np.ndarray  # (N,) int64 font index


def word_pool(part: str) -> tuple[str, ...]:
    """Training words (even positions) or validation words (odd positions)."""
    return tuple(TRAIN_WORDS[0::2] if part == "train" else TRAIN_WORDS[1::2])


def phrase(words: tuple[str, ...], rng: np.random.Generator) -> str:
    """1-3 words in lower, Title or UPPER case, sometimes with a number."""
    picked = [words[int(i)] for i in rng.integers(0, len(words), size=int(rng.integers(1, 4)))]
    case = rng.random()
    picked = [w.upper() if case < 0.2 else w.capitalize() if case < 0.6 else w for w in picked]
    if rng.random() < 0.2:
        picked.append(str(int(rng.integers(0, 2100))))
    return " ".join(picked)


def style_for(files: FamilyFiles, rng: np.random.Generator) -> Style:
    others = other_styles(files)
    if others and rng.random() < 0.4:
        return others[int(rng.integers(0, len(others)))]
    return regular_style(files)


def render_line(files: FamilyFiles, words: tuple[str, ...], rng: np.random.Generator) -> np.ndarray:
    """One degraded, normalised training line: (105, <=MAX_LINE_W) uint8, ink high."""
    style = style_for(files, rng)
    text = phrase(words, rng)
    for _ in range(10):
        if covers(style, text):
            break
        text = phrase(words, rng)
    size = fit_size(style, text, int(rng.integers(36, 72)), 1400)
    alpha = ink_mask(style, text, size, (int(rng.integers(4, 30)), int(rng.integers(4, 20))))
    paper, ink = float(rng.uniform(170, 255)), float(rng.uniform(0, 90))
    img = to_image(composite(solid(*alpha.shape, (paper,) * 3), alpha, (ink,) * 3)).convert("L")
    img = _degrade(img, rng)
    line = normalize_line(np.asarray(img))
    squeeze = float(rng.uniform(0.85, 1.15))
    w = max(1, int(line.shape[1] * squeeze))
    line = np.asarray(Image.fromarray((line * 255).astype(np.uint8)).resize((w, line.shape[0]),
                                                                             Image.BILINEAR))
    return line[:, :MAX_LINE_W].copy()


def _degrade(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    if rng.random() < 0.3:  # small: on a long line a tilt inflates the ink box's height
        img = img.rotate(float(rng.uniform(-1.0, 1.0)), Image.BICUBIC, expand=True, fillcolor=int(paper_of(img)))
    if rng.random() < 0.6:
        img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.2, 1.4))))
    if rng.random() < 0.4:
        f = float(rng.uniform(0.4, 0.9))
        small = img.resize((max(1, int(img.width * f)), max(1, int(img.height * f))), Image.BILINEAR)
        img = small.resize(img.size, Image.BICUBIC)
    arr = np.asarray(img, np.float32)
    arr = arr + rng.normal(0, rng.uniform(0, 8), size=arr.shape)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if rng.random() < 0.3:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=int(rng.integers(50, 90)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    return img


def paper_of(img: Image.Image) -> float:
    """The paper tone: the median of the image (text covers far less than half of it)."""
    return float(np.median(np.asarray(img)))


def render_lines(families: list[FamilyFiles], per_font: int, part: str, seed: int) -> LineSet:
    """``per_font`` lines of every family; each line's generator is seeded by (seed, part, font, k)."""
    words = word_pool(part)
    lines, labels = [], []
    part_id = 0 if part == "train" else 1
    for fi, files in enumerate(families):
        for k in range(per_font):
            rng = np.random.default_rng([seed, part_id, fi, k])
            lines.append(render_line(files, words, rng))
            labels.append(fi)
    return LineSet(tuple(lines), np.asarray(labels, np.int64))


def random_crops(data: LineSet, idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(B, 1, 105, 105) float32 random crops of the chosen lines, with contrast jitter."""
    out = np.zeros((len(idx), 1, 105, 105), np.float32)
    for b, i in enumerate(idx):
        line = data.lines[int(i)]
        w = line.shape[1]
        if w <= 105:
            left = int(rng.integers(0, 105 - w + 1))
            out[b, 0, :, left:left + w] = line / 255.0
        else:
            x = int(rng.integers(0, w - 105 + 1))
            out[b, 0] = line[:, x:x + 105] / 255.0
    gain = rng.uniform(0.7, 1.0, size=(len(idx), 1, 1, 1)).astype(np.float32)
    return np.clip(out * gain + rng.normal(0, 0.03, size=out.shape).astype(np.float32), 0, 1)
