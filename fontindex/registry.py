"""Fonts a user added (``fonts add``): a registry, their font files, and their own index.

Layout under the data folder ($FREEFONTFINDER_DATA, else ~/.local/share/freefontfinder):

    added.json        [{"id", "name", "weights", "italic", "origin": "fontsource"|"folder", "dir"}]
    fonts/<id>/       copies of a folder's font files (fontsource families live in the font cache)
    index/            index.json + index.safetensors of the added families only

The shipped index (beside the model) is never modified; at load time the added
index is appended to it (fontindex.store.merge).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from glyphs.catalog import Family, FamilyFiles, default_cache_dir, family_files

DATA_ENV = "FREEFONTFINDER_DATA"
REGISTRY = "added.json"


@dataclass(frozen=True)
class AddedFamily:
    id: str
    name: str
    weights: tuple[int, ...]
    italic: bool
    origin: str  # fontsource | folder
    dir: str  # where its files are (font cache or data/fonts/<id>)


def data_dir() -> Path:
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else Path.home() / ".local" / "share" / "freefontfinder"


def added_index_dir() -> Path:
    return data_dir() / "index"


def read_registry() -> list[AddedFamily]:
    path = data_dir() / REGISTRY
    if not path.is_file():
        return []
    return [AddedFamily(d["id"], d["name"], tuple(d["weights"]), bool(d["italic"]), d["origin"], d["dir"])
            for d in json.loads(path.read_text())]


def write_registry(families: list[AddedFamily]) -> None:
    path = data_dir() / REGISTRY
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([asdict(f) for f in families], indent=1) + "\n")
    tmp.replace(path)


def added_files(fam: AddedFamily) -> FamilyFiles:
    """The FamilyFiles of an added family, found where its files were put."""
    if fam.origin == "fontsource":
        return family_files(Family(fam.id, fam.name, fam.weights, fam.italic), Path(fam.dir))
    from glyphs.userfonts import user_families

    found = [f for f in user_families(Path(fam.dir), warn=lambda _m: None) if f.family.id == fam.id]
    return found[0] if found else FamilyFiles(Family(fam.id, fam.name, fam.weights, fam.italic))


def added_families() -> tuple[FamilyFiles, ...]:
    """Every added family's files, registry order (for render-and-compare and the web page)."""
    return tuple(added_files(f) for f in read_registry())


def copy_folder_family(files: FamilyFiles) -> AddedFamily:
    """Copy one folder family's font files under data/fonts/<id>/ and describe it."""
    dest = data_dir() / "fonts" / files.family.id
    dest.mkdir(parents=True, exist_ok=True)
    for f in files.static + files.variable:
        shutil.copy2(f.path, dest / f.path.name)
    fam = files.family
    return AddedFamily(fam.id, fam.name, fam.weights, fam.has_italic, "folder", str(dest))


def fontsource_family(family: Family, cache: Path | None = None) -> AddedFamily:
    return AddedFamily(family.id, family.name, family.weights, family.has_italic, "fontsource",
                       str(cache or default_cache_dir()))


def delete_files(fam: AddedFamily) -> None:
    """Remove an added family's files (its copies, or its folder in the font cache)."""
    if fam.origin == "folder":
        target = Path(fam.dir)
        if data_dir() not in target.parents:  # never delete a folder we did not make
            return
    else:
        target = Path(fam.dir) / fam.id
    shutil.rmtree(target, ignore_errors=True)
