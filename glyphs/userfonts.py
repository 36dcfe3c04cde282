"""A user's own font folder (``--fonts-dir``): TTF, OTF, WOFF, WOFF2, TTC/OTC.

Each font's family comes from its name table (typographic family, nameID 16,
else nameID 1); its id is derived the fontsource way (``Open Sans`` ->
``open-sans``). Weight comes from OS/2 usWeightClass, italic from OS/2
fsSelection, head.macStyle or the style name. Files that cannot be read are
skipped with a warning naming them.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from glyphs.catalog import CatalogError, Family, FamilyFiles, FontFile
from glyphs.labels import DEFAULT_GLYPH_SET

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".woff", ".woff2", ".ttc", ".otc"})
Warn = Callable[[str], None]


class UserFontsError(CatalogError):
    """A --fonts-dir that does not exist or is not a folder."""


class UnreadableFontError(ValueError):
    """One font file that cannot be used."""


@dataclass(frozen=True)
class UserFont:
    path: Path
    index: int  # font number in a collection, 0 otherwise
    family_id: str
    family_name: str
    weight: int  # 100..900
    italic: bool
    axes: tuple[str, ...]  # variable axes; () for a static font
    weight_range: tuple[int, int] | None  # the wght axis range of a variable font


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def family_id(name: str) -> str:
    """fontsource id of a family name: lowercase ASCII words joined by '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(w for w in re.split(r"[^a-z0-9]+", ascii_name.lower()) if w)


def round_weight(us_weight_class: int) -> int:
    """OS/2 usWeightClass to the 100..900 scale (old fonts use 1..9)."""
    w = us_weight_class * 100 if 0 < us_weight_class < 10 else us_weight_class
    return min(900, max(100, int(w / 100.0 + 0.5) * 100))  # halves round up


def font_paths(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise UserFontsError(f"--fonts-dir {directory} is not a folder")
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and p.suffix.lower() in FONT_SUFFIXES)


def read_font_file(path: Path) -> list[UserFont]:
    """Every font in one file (several for a collection)."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        with open(path, "rb") as fh:
            is_collection = fh.read(4) == b"ttcf"
        if is_collection:
            with TTCollection(path, lazy=True) as coll:
                return [_describe(f, path, i) for i, f in enumerate(coll.fonts)]
        with TTFont(path, lazy=True) as font:
            return [_describe(font, path, 0)]
    except UnreadableFontError:
        raise
    except Exception as e:  # noqa: BLE001 -- untrusted file: any parser failure means unreadable
        raise UnreadableFontError(f"not a readable font ({type(e).__name__}: {e})") from e


def _describe(font, path: Path, index: int) -> UserFont:
    names = font["name"]
    family_name = (names.getDebugName(16) or names.getDebugName(1) or "").strip()
    fid = family_id(family_name)
    if not fid:
        raise UnreadableFontError("its name table gives no family name")
    cmap = font.getBestCmap() or {}
    if not any(ord(c) in cmap for c in DEFAULT_GLYPH_SET):
        raise UnreadableFontError("it has none of the characters A-Z a-z 0-9")
    os2 = font["OS/2"] if "OS/2" in font else None
    weight = round_weight(os2.usWeightClass) if os2 is not None else 400
    style = (names.getDebugName(17) or names.getDebugName(2) or "").lower()
    italic = bool(
        (os2 is not None and os2.fsSelection & 0b10_0000_0001)  # ITALIC or OBLIQUE bits
        or font["head"].macStyle & 0b10
        or "italic" in style or "oblique" in style
    )
    axes, weight_range = (), None
    if "fvar" in font:
        axes = tuple(a.axisTag for a in font["fvar"].axes)
        for a in font["fvar"].axes:
            if a.axisTag == "wght":
                weight_range = (int(a.minValue), int(a.maxValue))
    return UserFont(path, index, fid, family_name, weight, italic, axes, weight_range)


def scan(directory: Path, warn: Warn = _warn) -> list[UserFont]:
    """The readable fonts in ``directory`` (recursively), in path order."""
    fonts: list[UserFont] = []
    for path in font_paths(directory):
        try:
            fonts.extend(read_font_file(path))
        except UnreadableFontError as e:
            warn(f"skipping font file {path}: {e}")
    return fonts


def _weights(fonts: list[UserFont]) -> tuple[int, ...]:
    weights = {f.weight for f in fonts if not f.axes}
    for f in fonts:
        if f.axes and f.weight_range:
            lo, hi = f.weight_range
            weights |= {w for w in range(100, 1000, 100) if lo <= w <= hi}
        elif f.axes:
            weights.add(f.weight)
    return tuple(sorted(weights))


def _family_files(fonts: list[UserFont], directory: Path) -> FamilyFiles:
    """One family's FamilyFiles; a face given twice (e.g. .ttf and .woff2) is kept once."""
    static: dict[tuple, FontFile] = {}
    variable: dict[tuple, FontFile] = {}
    for f in fonts:
        if f.axes:
            variable.setdefault((f.axes, f.italic), FontFile(f.path, f.italic, None, f.axes, f.index))
        else:
            static.setdefault((f.weight, f.italic), FontFile(f.path, f.italic, f.weight, (), f.index))
    first = fonts[0]
    family = Family(first.family_id, first.family_name, _weights(fonts),
                    any(f.italic for f in fonts))
    return FamilyFiles(
        family,
        tuple(static[k] for k in sorted(static)),
        tuple(variable[k] for k in sorted(variable)),
        extra={"source": "user", "dir": str(directory)},
    )


def user_families(directory: str | Path, warn: Warn = _warn) -> tuple[FamilyFiles, ...]:
    """The families of a user's font folder, sorted by id."""
    directory = Path(directory)
    by_id: dict[str, list[UserFont]] = {}
    for f in scan(directory, warn):
        by_id.setdefault(f.family_id, []).append(f)
    return tuple(_family_files(by_id[fid], directory) for fid in sorted(by_id))


def merge_user_families(catalog: Iterable[FamilyFiles], directory: Path,
                        warn: Warn = _warn) -> tuple[FamilyFiles, ...]:
    """Catalog families first, then user families whose id the catalog lacks."""
    merged = list(catalog)
    known = {ff.family.id for ff in merged}
    for ff in user_families(directory, warn):
        if ff.family.id in known:
            warn(f"{directory}: family '{ff.family.id}' is already in the catalog; "
                 "its catalog files are used")
            continue
        merged.append(ff)
    return tuple(merged)
