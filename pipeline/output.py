"""The edges: a Ranking as JSON (DESIGN.md's JSON Lines object), as a table for
people, and as an explanation picture."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.types import Ranking


def ranking_to_dict(image: str, ranking: Ranking) -> dict:
    """The JSON object of one image, per shared/DESIGN.md."""
    return {
        "image": image,
        "text": ranking.text,
        "fonts": [asdict(f) for f in ranking.fonts],
        "glyphs": [{**asdict(g), "box": list(g.box)} for g in ranking.glyphs],
        "regions": [{"box": list(r.box),
                     "fonts": [{"family": f.family, "name": f.name, "score": f.score} for f in r.fonts],
                     "glyphs": r.glyphs} for r in ranking.regions],
        "error": None,
    }


def error_dict(image: str, message: str) -> dict:
    return {"image": image, "text": "", "fonts": [], "glyphs": [], "regions": [], "error": message}


def format_table(image: str, ranking: Ranking) -> str:
    """A readable block: what was read, then rank / font / score / weight."""
    lines = [f"{image}", f"  read: {ranking.text!r}" if ranking.text else "  read: (no text found)"]
    if not ranking.fonts:
        return "\n".join(lines)
    lines.append(f"  {'#':>2}  {'font':<28} {'score':>6}  weight  width  italic")
    for i, f in enumerate(ranking.fonts, 1):
        lines.append(f"  {i:>2}  {f.name:<28} {f.score:>6.3f}  {f.weight:>6}  {f.width:>4}%  "
                     f"{'yes' if f.italic else 'no'}")
    if len(ranking.regions) > 1:
        lines.append(f"  {len(ranking.regions)} regions in different fonts; ranking above is the "
                     "largest. Others:")
        for r in ranking.regions:
            if r.fonts and r.fonts != ranking.fonts:
                lines.append(f"    box {r.box}: {r.fonts[0].name} ({r.fonts[0].score:.2f})")
    lines.append(f"  evidence: {len(ranking.glyphs)} characters")
    return "\n".join(lines)


def write_explanation(rgb: np.ndarray, ranking: Ranking, out: Path, fonts: list[Any] | None = None) -> Path:
    """The image with glyph boxes (green where a glyph's own best font is the winner, red
    where not), then one row per ranked font: its name and score, and the text that was
    read drawn in that font (``fonts``: a PIL font per ranked font, None where its file is
    not at hand), so a person can compare the shapes."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.fromarray(rgb).convert("RGB")
    draw = ImageDraw.Draw(img)
    winner = ranking.fonts[0].family if ranking.fonts else None
    for g in ranking.glyphs:
        draw.rectangle(g.box, outline=(0, 170, 0) if g.best_family == winner else (220, 0, 0), width=2)
    row_h = 72
    rows = list(zip(ranking.fonts, fonts or [None] * len(ranking.fonts), strict=False)) or [(None, None)]
    text = " ".join(ranking.text.split()) or "no text found"
    canvas = Image.new("RGB", (max(img.width, 900), img.height + row_h * len(rows)), "white")
    canvas.paste(img, (0, 0))
    pen = ImageDraw.Draw(canvas)
    small = ImageFont.load_default(16)
    for k, (score, font) in enumerate(rows):
        y = img.height + k * row_h
        pen.line([(0, y), (canvas.width, y)], fill=(210, 210, 210))
        label = f"{k + 1}. {score.name}  {score.score:.2f}  ({score.weight})" if score else "no text found"
        pen.text((8, y + 4), label, font=small, fill=(90, 90, 90))
        if font is not None:
            pen.text((8, y + row_h - 12), text, font=font, fill=(0, 0, 0), anchor="ls")
    canvas.save(out)
    return out
