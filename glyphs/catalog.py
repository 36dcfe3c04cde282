"""The font catalog: families, their weights/italics, and where their files are.

Catalog file format (one family a line, tab separated):
``id<TAB>Display Name<TAB>100,400,700<TAB>has_italic(0|1)``

Font cache layout, shared by ``fonts fetch``, the test fixtures and users::

    <cache>/<id>/static/<id>-latin-<weight>-<normal|italic>.woff2
    <cache>/<id>/variable/<id>-latin-<axes>-<normal|italic>.woff2   (optional)
    <cache>/<id>/LICENSE
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

TOP300_CATALOG = Path(__file__).with_name("catalog-300.txt")
FULL_CATALOG = Path(__file__).with_name("catalog-all.txt")
# Named catalogs (`--catalog NAME`); anything else is a path to a catalog file.
# `default` = `all`: every Latin Google Fonts family (glyphs/full_catalog.py builds it,
# glyphs/twins.py folds identical-glyph families), what identify, similar, the web page and the
# benchmark use. `top300`: the 300 most used families, the glyph model's training classes (what
# `glyphs generate`, `train` and `calibrate` use) and a quick catalog for tests.
NAMED_CATALOGS = {
    "default": FULL_CATALOG,
    "all": FULL_CATALOG,
    "top300": TOP300_CATALOG,
}
DEFAULT_CATALOG = FULL_CATALOG
CACHE_ENV = "FREEFONTFINDER_FONTS"


class CatalogError(ValueError):
    """A catalog file that cannot be read."""


@dataclass(frozen=True)
class Family:
    id: str
    name: str
    weights: tuple[int, ...]
    has_italic: bool


@dataclass(frozen=True)
class FontFile:
    path: Path
    italic: bool
    weight: int | None  # None for a variable font
    axes: tuple[str, ...] = ()  # variable axes present in the file, e.g. ("wght", "wdth")
    index: int = 0  # font number inside a TTC/OTC collection (0 for a single font)


@dataclass(frozen=True)
class FamilyFiles:
    family: Family
    static: tuple[FontFile, ...] = ()
    variable: tuple[FontFile, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def present(self) -> bool:
        return bool(self.static or self.variable)


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "freefontfinder" / "fonts"


def resolve_catalog_path(catalog: str | Path) -> Path:
    """A catalog name (``default``, ``top300``, ``all``) or a file path -> the file."""
    return NAMED_CATALOGS.get(str(catalog), Path(catalog))


def load_catalog(catalog: str | Path = "default") -> tuple[Family, ...]:
    """Families in catalog order (that order is the label order of new datasets)."""
    path = resolve_catalog_path(catalog)
    if not path.is_file():
        raise CatalogError(f"catalog {path} does not exist")
    st = path.stat()
    return _parse_catalog(path.absolute(), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _parse_catalog(path: Path, size: int, mtime_ns: int) -> tuple[Family, ...]:
    """The catalog file parsed once per process and file version (a cold identify reads the
    1,566-family catalog for the font files and again for the index)."""
    families = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise CatalogError(f"{path}:{n}: expected 4 tab-separated columns, got {len(parts)}")
        fid, name, weights, italic = parts
        try:
            ws = tuple(int(w) for w in weights.split(","))
        except ValueError as e:
            raise CatalogError(f"{path}:{n}: bad weights {weights!r}") from e
        families.append(Family(fid, name, ws, italic.strip() == "1"))
    return tuple(families)


_STATIC_RE = re.compile(r"-latin-(\d{3})-(normal|italic)\.(woff2|woff|ttf|otf)$")
_VAR_RE = re.compile(r"-latin-([a-z\-]+)-(normal|italic)\.(woff2|ttf)$")


def family_files(family: Family, cache: Path) -> FamilyFiles:
    """The files of one family found in ``cache`` (empty if not fetched)."""
    root = Path(cache) / family.id
    static, variable = [], []
    for p in _listed(root / "static"):
        m = _STATIC_RE.search(p.name)
        if m:
            static.append(FontFile(p, m.group(2) == "italic", int(m.group(1))))
    for p in _listed(root / "variable"):
        m = _VAR_RE.search(p.name)
        if m:
            variable.append(FontFile(p, m.group(2) == "italic", None, _axes_of(m.group(1))))
    return FamilyFiles(family, tuple(static), tuple(variable))


def _listed(folder: Path) -> list[Path]:
    """The entries of ``folder`` sorted by name, [] when it does not exist (os.listdir: a
    cold identify lists 1,566 families' folders, where Path.glob cost 0.1 s)."""
    try:
        return [folder / name for name in sorted(os.listdir(folder))]
    except OSError:  # missing, not a folder, unreadable: no files (as Path.glob)
        return []


def _axes_of(tag: str) -> tuple[str, ...]:
    """fontsource-variable file tags: 'wght', 'wdth', 'opsz', 'full', 'standard'."""
    if tag in ("full", "standard"):
        return ("wght", "wdth")  # refined from the file itself when rendering
    return tuple(tag.split("-"))


def catalog_families(
    catalog: str | Path = "default",
    cache: str | Path | None = None,
    fonts_dir: str | Path | None = None,
) -> tuple[FamilyFiles, ...]:
    """Catalog families (catalog order) with their cached files, then the families
    found in ``fonts_dir`` (sorted by id; ids already in the catalog are skipped)."""
    cache_dir = Path(cache) if cache else default_cache_dir()
    try:  # one listing of the cache: families not fetched have no folder to look into
        fetched = set(os.listdir(cache_dir))
    except OSError:
        fetched = set()
    merged = [family_files(f, cache_dir) if f.id in fetched else FamilyFiles(f) for f in load_catalog(catalog)]
    if fonts_dir is not None:
        from glyphs.userfonts import merge_user_families

        merged = list(merge_user_families(merged, Path(fonts_dir)))
    return tuple(merged)
