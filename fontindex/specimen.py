"""Specimen sheets: a family and its nearest families, each line drawn in its own font."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fontindex.similar import neighbours
from fontindex.store import FontIndex

SPECIMEN_TEXT = "Hamburgefonstiv 0123"


def _files_of(family_id: str):
    """The family's files: catalog cache, or an added family's folder; None when absent."""
    from fontindex.registry import added_families
    from glyphs.catalog import Family, default_cache_dir, family_files

    ff = family_files(Family(family_id, family_id, (400,), False), default_cache_dir())
    if ff.present:
        return ff
    for a in added_families():
        if a.family.id == family_id and a.present:
            return a
    return None


def _line(family_id: str, size: int) -> np.ndarray | None:
    """(H, W) uint8 ink mask of the specimen text in the family (None without its files)."""
    from glyphs.render import FontFileError, FontStyle, render_sample

    files = _files_of(family_id)
    if files is None:
        return None
    try:
        r, _ = render_sample(files, FontStyle(400, 100, False), size, SPECIMEN_TEXT)
    except (FontFileError, OSError):
        return None
    return r.mask


def specimen_sheet(families: list[str], top: int, index: FontIndex, out: Path, size: int = 30) -> Path:
    """One block per family: its name and specimen line, then its ``top`` nearest families
    (name, similarity, specimen line in that family). Writes a PNG to ``out``."""
    from PIL import Image, ImageDraw, ImageFont

    nb = neighbours(index)
    label = ImageFont.load_default(14)
    rows: list[tuple[str, np.ndarray | None, bool]] = []
    for fid in families:
        rows.append((index.families[index.family_index(fid)].name, _line(fid, size), True))
        for s in nb.similar(fid, top):
            rows.append((f"   {s.name}  {s.similarity:.2f}{'' if s.free else '  (' + s.licence + ')'}",
                         _line(s.family, size), False))
    row_h, label_w = size * 2, 300
    width = label_w + max([m.shape[1] for _, m, _ in rows if m is not None] + [400]) + 20
    sheet = Image.new("RGB", (width, row_h * len(rows) + 10), "white")
    pen = ImageDraw.Draw(sheet)
    for k, (name, mask, head) in enumerate(rows):
        y = k * row_h + 5
        if head and k:
            pen.line([(0, y - 2), (width, y - 2)], fill=(180, 180, 180))
        pen.text((8, y + row_h // 3), name, font=label, fill=(0, 0, 0) if head else (90, 90, 90))
        if mask is not None:
            ink = Image.fromarray(mask)
            colour = Image.new("RGB", ink.size, (0, 0, 0) if head else (40, 60, 140))
            sheet.paste(colour, (label_w, y + (row_h - ink.height) // 2), ink)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out
