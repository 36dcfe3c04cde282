"""Pictures and JSON of a Segmentation, for people and for the `segment` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from segmentation.types import Segmentation

_COLOURS = ((230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240))


def draw_overlay(rgb: np.ndarray, seg: Segmentation, truth: list[tuple[int, ...]] | None = None) -> Image.Image:
    """The image with every glyph box and its letter drawn on it (word colours alternate).

    rgb: (H, W, 3) uint8. ``truth`` boxes, when given, are drawn thin in grey.
    """
    im = Image.fromarray(rgb).convert("RGB")
    scale = max(1.0, max(im.size) / 1200.0)
    d = ImageDraw.Draw(im)
    font = _label_font(max(10, int(12 * scale)))
    width = max(1, int(round(scale)))
    for b in truth or []:
        d.rectangle([b[0], b[1], b[2] - 1, b[3] - 1], outline=(150, 150, 150), width=1)
    for box in seg.lines:
        d.rectangle([box[0] - 2, box[1] - 2, box[2] + 1, box[3] + 1], outline=(255, 215, 0), width=width)
    for g in seg.glyphs:
        colour = _COLOURS[g.word_index % len(_COLOURS)]
        x0, y0, x1, y1 = g.box
        d.rectangle([x0, y0, x1 - 1, y1 - 1], outline=colour, width=width)
        label_y = y1 + 1 if g.line_index % 2 else max(0, y0 - font.size - 2)
        d.text((x0, label_y), g.char, fill=colour, font=font)
    return im


def _label_font(px: int) -> Any:
    try:
        return ImageFont.load_default(size=px)
    except (TypeError, OSError):
        return ImageFont.load_default()


def save_overlay(rgb: np.ndarray, seg: Segmentation, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_overlay(rgb, seg).save(path)
    return path


def segmentation_to_dict(image: str, seg: Segmentation | None, error: str | None = None) -> dict:
    """The `segment --json` object: {"image", "text", "glyphs": [{"char", "box", "ocr_confidence"}], "error"}."""
    glyphs = [] if seg is None else [
        {"char": g.char, "box": [int(v) for v in g.box], "ocr_confidence": round(float(g.ocr_confidence), 4)}
        for g in seg.glyphs]
    return {"image": image, "text": "" if seg is None else seg.text, "glyphs": glyphs, "error": error}


def format_text(image: str, seg: Segmentation) -> str:
    """Readable report: the text, then one line per glyph."""
    out = [f"{image}", f"  text: {seg.text!r}" if seg.text else "  no text found"]
    for i, g in enumerate(seg.glyphs):
        out.append(f"  {i:4d} {g.char!r:5s} box {list(g.box)}  conf {g.ocr_confidence:.2f}  "
                   f"word {g.word_index} line {g.line_index} ({g.method})")
    timing = ", ".join(f"{k} {v:.2f}s" for k, v in seg.timings.items())
    return "\n".join(out + ([f"  timings: {timing}"] if timing else []))
