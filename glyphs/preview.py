"""preview.png: a labelled grid of dataset samples for a person to look at."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from glyphs.labels import LabelMap


def write_preview(shard_dir: Path, labels: LabelMap, out: Path, cols: int = 16, rows: int = 12) -> Path:
    """Grid of evenly spaced samples of one shard, each captioned 'font-id char weight'."""
    images = np.load(shard_dir / "images.npy", mmap_mode="r")  # (N, S, S)
    font = np.load(shard_dir / "font.npy")
    char = np.load(shard_dir / "char.npy")
    weight = np.load(shard_dir / "weight.npy")
    n = len(font)
    s = labels.norm.size
    cell_w, cell_h = max(s, 96), s + 12
    sheet = Image.new("L", (cols * cell_w, rows * cell_h), 255)
    draw = ImageDraw.Draw(sheet)
    picks = np.linspace(0, n - 1, min(n, cols * rows)).astype(int) if n else []
    for k, i in enumerate(picks):
        x, y = (k % cols) * cell_w, (k // cols) * cell_h
        sheet.paste(Image.fromarray(255 - np.asarray(images[i])), (x + (cell_w - s) // 2, y))
        fam = labels.fonts[int(font[i])].family[:12]
        draw.text((x + 2, y + s), f"{fam} {labels.glyph_set[int(char[i])]} {int(weight[i])}", fill=0)
    sheet.save(out)
    return out
