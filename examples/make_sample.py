"""Make the sample image shipped in examples/ (how it was made, reproducibly).

    python examples/make_sample.py --family playfair-display --weight 700 \
        --text "Quietly jumping over lazy foxes" --out examples/sample.png

Renders one line with glyphs.render straight from the font file in the font
cache (``python cli.py fonts fetch`` first), dark grey on an off-white page,
with slight blur and JPEG-like softness so it is not a pixel-perfect render.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glyphs.catalog import catalog_families  # noqa: E402
from glyphs.render import FontStyle, render_sample  # noqa: E402


def make(family: str, weight: int, text: str, size: int, cache: str | None) -> Image.Image:
    files = {f.family.id: f for f in catalog_families("default", cache)}[family]
    r, _ = render_sample(files, FontStyle(weight), size, text)
    ink = r.mask.astype(np.float32) / 255.0  # (H, W)
    page = np.array([246, 243, 236], np.float32)
    colour = np.array([40, 38, 52], np.float32)
    rgb = page + (colour - page) * ink[..., None]
    img = Image.fromarray(rgb.astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    w, h = img.size
    canvas = Image.new("RGB", (w + 80, h + 60), tuple(int(v) for v in page))
    canvas.paste(img, (40, 30))
    return canvas


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", default="playfair-display")
    ap.add_argument("--weight", type=int, default=700)
    ap.add_argument("--text", default="Quietly jumping over lazy foxes")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--cache", default=None)
    ap.add_argument("--out", default="examples/sample.png")
    a = ap.parse_args()
    make(a.family, a.weight, a.text, a.size, a.cache).save(a.out)
    print(a.out)


if __name__ == "__main__":
    main()
