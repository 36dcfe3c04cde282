"""The font files the server shows candidates in: a lookup from (family id, weight,
italic) to a file found in the font cache at start-up. Requests name a family id and a
weight, never a path; an id that is not in the catalog is simply not found.

Browsers draw woff2/woff/ttf/otf files themselves (``@font-face``); a family whose only
files are something else (a TTC collection from a user's folder) is drawn here into a
PNG with glyphs.render.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from glyphs.catalog import FamilyFiles, FontFile, catalog_families

MEDIA_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}
SPECIMEN_MAX_CHARS = 120
SPECIMEN_SIZES = (24, 32, 48, 64)  # px; other sizes snap to the nearest (bounded caching)


class FontNotFoundError(LookupError):
    """No such family, or no file of it on this server."""


@dataclass(frozen=True)
class WebFont:
    path: Path
    media_type: str
    weight: int | None  # None: a variable font (draws any weight on its axis)
    italic: bool


def _web_usable(f: FontFile) -> bool:
    return f.index == 0 and f.path.suffix.lower() in MEDIA_TYPES


class FontShelf:
    """Families of the catalog (plus a user's folder) and their files, read once."""

    def __init__(self, families: Sequence[FamilyFiles]) -> None:
        self._families = {f.family.id: f for f in families}

    @classmethod
    def from_catalog(cls, catalog: str = "default", cache: str | None = None,
                     fonts_dir: str | None = None) -> FontShelf:
        return cls(catalog_families(catalog, cache, fonts_dir))

    def catalog(self) -> list[dict]:
        """GET /api/fonts: one object per family, catalog order."""
        return [{"family": f.family.id, "name": f.family.name, "weights": list(f.family.weights),
                 "italic": f.family.has_italic, "files": f.present,
                 "webfont": any(_web_usable(x) for x in f.static + f.variable)}
                for f in self._families.values()]

    def files(self, family: str) -> FamilyFiles:
        f = self._families.get(family)
        if f is None or not f.present:
            raise FontNotFoundError(f"no font files of {family!r} on this server")
        return f

    def webfont(self, family: str, weight: int, italic: bool) -> WebFont:
        """The file a browser should use for ``weight``/``italic``: the exact static
        weight, else a variable file, else the nearest static weight (same slant first)."""
        files = self.files(family)
        for want_italic in (italic, not italic):
            static = [f for f in files.static if f.italic == want_italic and _web_usable(f)]
            exact = [f for f in static if f.weight == weight]
            variable = [f for f in files.variable if f.italic == want_italic and _web_usable(f)]
            pick = (exact or variable or sorted(static, key=lambda f: (abs((f.weight or 400) - weight),
                                                                        f.weight or 400)))
            if pick:
                f = pick[0]
                return WebFont(f.path, MEDIA_TYPES[f.path.suffix.lower()], f.weight, f.italic)
        raise FontNotFoundError(f"no web font file of {family!r} on this server")

    def specimen_png(self, family: str, weight: int, italic: bool, text: str, size: int) -> bytes:
        """``text`` drawn in the family at ``weight`` as a PNG (dark ink, transparent paper)."""
        self.files(family)  # raises for unknown ids before anything is cached
        size = min(SPECIMEN_SIZES, key=lambda s: abs(s - size))
        return _specimen(self, family, weight, italic, text[:SPECIMEN_MAX_CHARS] or family, size)


@lru_cache(maxsize=256)
def _specimen(shelf: FontShelf, family: str, weight: int, italic: bool, text: str, size: int) -> bytes:
    from PIL import Image

    from glyphs.render import FontStyle, open_font, pick_file, render_text

    style = FontStyle(weight, 100, italic)
    font, _ = open_font(pick_file(shelf.files(family), style), style, size)
    mask = render_text(font, text).mask  # (H, W) uint8, 255 = ink
    img = Image.new("RGBA", (mask.shape[1], mask.shape[0]), (28, 28, 36, 0))
    img.putalpha(Image.fromarray(mask))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
