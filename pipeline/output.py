"""The edges: a Ranking as JSON (DESIGN.md's JSON Lines object), as a table for
people, and as an explanation picture."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.types import Ranking, Region

# Below this in_catalog probability the text output says the font is not in the catalog. The model is
# fitted on as many known as unknown lines, so 0.5 is its balanced point; bench/results/openset-unknown:
# 70 % of catalog pictures called known and 84 % of non-Google ones unknown at 0.5 (README, webapp too).
IN_CATALOG_THRESHOLD = 0.5


def ranking_to_dict(image: str, ranking: Ranking) -> dict:
    """The JSON object of one image, per shared/DESIGN.md."""
    return {
        "image": image,
        "text": ranking.text,
        "fonts": [asdict(f) for f in ranking.fonts],
        "glyphs": [{**asdict(g), "box": list(g.box)} for g in ranking.glyphs],
        "regions": [region_to_dict(r) for r in ranking.regions],
        "in_catalog": ranking.in_catalog,
        "warnings": list(ranking.warnings),
        "error": None,
    }


TYPOGRAPHY_KEYS = ("size_px", "letter_spacing_em", "line_height", "color", "background", "alignment",
                   "case", "decorations", "css", "fontsource", "css_import", "metrics")


def region_to_dict(r: Region) -> dict:
    """A region's JSON: box, fonts (family, name, score, weight, width, italic), glyphs, then its
    typography fields flat (None where not measured; see README "Typography")."""
    out = {"box": list(r.box),
           "fonts": [{"family": f.family, "name": f.name, "score": f.score, "weight": f.weight,
                      "width": f.width, "italic": f.italic} for f in r.fonts],
           "glyphs": r.glyphs, "in_catalog": r.in_catalog, "trust": r.trust}
    t = r.typography
    for k in TYPOGRAPHY_KEYS:
        v = getattr(t, k) if t is not None else None
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def format_css(ranking: Ranking) -> str:
    """The stylesheet reproducing every region: the fonts to install and @import (first,
    as CSS requires), then one commented rule per region."""
    regions = [r for r in ranking.regions if r.typography is not None]
    if not regions:
        return "/* no text found */"
    imports = list(dict.fromkeys(r.typography.css_import for r in regions))
    packages = " ".join(dict.fromkeys(r.typography.fontsource for r in regions))
    out = [f"/* npm install {packages} */", *imports, ""]
    for r in regions:
        main = "  (main answer)" if r.fonts == ranking.fonts else ""
        out.append(f"/* {r.fonts[0].name} {r.fonts[0].score:.2f}, box {list(r.box)}{main} */")
        out.append(r.typography.css)
    return "\n".join(out)


def error_dict(image: str, message: str) -> dict:
    return {"image": image, "text": "", "fonts": [], "glyphs": [], "regions": [], "in_catalog": None, "warnings": [],
            "error": message}


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
        lines.append(f"  {len(ranking.regions)} text regions; the ranking above is the most prominent "
                     "(largest type). Regions:")
        for k, r in enumerate(ranking.regions, 1):
            if r.fonts:
                t = r.typography
                size = f", {t.size_px:g} px" if t and t.size_px else ""
                main = "  <- main" if r.fonts == ranking.fonts else ""
                lines.append(f"    {k}. box {r.box}: {r.fonts[0].name} ({r.fonts[0].score:.2f}){size}{main}")
    if ranking.fonts[0].similar:
        top = ranking.fonts[0]
        cut = f" at {top.width} % width" if top.width != 100 else ""  # the look-alikes of that cut
        lines.append("  free look-alikes of " + top.name + cut + ": "
                     + ", ".join(f"{s.name} ({s.similarity:.2f})" for s in ranking.fonts[0].similar))
    if ranking.in_catalog is not None and ranking.in_catalog < IN_CATALOG_THRESHOLD:
        lines.append(f"  probably not in the catalog (probability it is a known font: {ranking.in_catalog:.2f}; "
                     f"the scores above are among known fonts); closest: {', '.join(f.name for f in ranking.fonts[:3])}")
    main = next((r for r in ranking.regions if r.fonts == ranking.fonts), None)
    n = len(main.glyphs) if main is not None else len(ranking.glyphs)
    whole = f" ({len(ranking.glyphs)} in the picture)" if n != len(ranking.glyphs) else ""
    lines.append(f"  evidence: {n} character{'' if n == 1 else 's'}{' of the main text' + whole if whole else ''}")
    decorations = main.typography.decorations if main is not None and main.typography is not None else ()
    if decorations:
        lines.append(f"  drawn with: {', '.join(decorations)}")
    lines += [f"  warning: {w}" for w in ranking.warnings]
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
    _draw_regions(draw, ranking)
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


def _draw_regions(draw: Any, ranking: Ranking) -> None:
    """Each region's box (blue; thicker for the main answer's) with its number, font and size."""
    from PIL import ImageFont

    small = ImageFont.load_default(14)
    for k, r in enumerate(ranking.regions, 1):
        if not r.fonts:
            continue
        x0, y0, x1, y1 = r.box
        box = (max(0, x0 - 4), max(0, y0 - 4), x1 + 4, y1 + 4)
        draw.rectangle(box, outline=(30, 90, 220), width=3 if r.fonts == ranking.fonts else 1)
        size = f" {r.typography.size_px:g}px" if r.typography and r.typography.size_px else ""
        label = f"{k}. {r.fonts[0].name}{size}"
        ly = box[1] - 17 if box[1] >= 17 else box[3] + 2
        tb = draw.textbbox((box[0], ly), label, font=small)
        draw.rectangle(tb, fill=(30, 90, 220))
        draw.text((box[0], ly), label, font=small, fill=(255, 255, 255))
