"""The index a process uses (shipped + added), and adding/removing fonts without retraining."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from fontindex import registry
from fontindex.store import (
    FontIndex,
    FontIndexError,
    load_index,
    merge,
    model_fingerprint,
    save_index,
)
from glyphs.catalog import FamilyFiles, default_cache_dir

INDEX_DIR = "index"  # the shipped index, inside the model directory
REQUIRED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")  # digits may be missing


class FontsAddError(ValueError):
    """A font that cannot be added (unreadable, letters missing, id taken); nothing was changed."""


def active_index(model_dir: str | Path) -> FontIndex | None:
    """The shipped index beside the model plus the user's added fonts; None when the model has
    no index. FontIndexError when an index belongs to another model."""
    shipped = Path(model_dir) / INDEX_DIR
    if not shipped.is_dir():
        return None
    base = load_index(shipped)
    if base.model != model_fingerprint(model_dir):
        raise FontIndexError(f"{shipped} was built with another model; rebuild it: python cli.py index build")
    added = registry.added_index_dir()
    if (added / "index.json").is_file():
        extra = load_index(added)
        if extra.model == base.model:
            base = merge(base, extra)
    return base


def glyph_model(model_dir: str | Path):
    """The glyph model for embedding: ONNX Runtime when the model has model.onnx (no torch
    needed), else torch. Both give the same embeddings (classifier.onnx_inference)."""
    from classifier.onnx_inference import has_onnx, load_onnx_model

    if has_onnx(model_dir):
        return load_onnx_model(model_dir, threads=os.cpu_count() or 1)
    from classifier import load_model

    return load_model(model_dir)


def _workers(n: int) -> int:
    return n or os.cpu_count() or 1


def resolve_targets(targets: tuple[str, ...], cache: Path,
                    fetch: Callable[[str, Path], object] | None = None) -> list[FamilyFiles]:
    """FamilyFiles for each target: a folder of font files, or a fontsource id (fetched).

    Raises FontsAddError naming the first problem (unreadable file, no fonts, letters missing).
    """
    from glyphs.fetch import FetchError, fetch_family
    from glyphs.npm import NpmMissingError
    from glyphs.userfonts import user_families

    fetch = fetch or fetch_family
    out: list[FamilyFiles] = []
    for t in targets:
        if Path(t).is_dir():
            problems: list[str] = []
            fams = user_families(Path(t), warn=problems.append)
            if problems:  # userfonts says "skipping font file X: why"; here nothing is skipped, all is refused
                raise FontsAddError(problems[0].replace("skipping font file", "cannot use font file", 1))
            if not fams:
                raise FontsAddError(f"{t} holds no font files (TTF, OTF, WOFF, WOFF2, TTC)")
            out.extend(fams)
            continue
        if Path(t).exists():
            raise FontsAddError(f"{t} is a file; give the folder that holds it, or a fontsource family id")
        try:
            family = fetch(t, cache)
        except (FetchError, NpmMissingError, OSError) as e:
            raise FontsAddError(f"cannot add '{t}': {e}") from e
        from fontindex.registry import fontsource_family

        out.append(registry.added_files(fontsource_family(family, cache)))
    for f in out:
        check_letters(f)
    return out


def check_letters(files: FamilyFiles) -> None:
    """FontsAddError unless the family's first font draws A-Z and a-z."""
    from fontTools.ttLib import TTFont, TTLibError

    first = (files.static + files.variable)[0]
    try:
        with TTFont(first.path, lazy=True, fontNumber=first.index) as font:
            cmap = font.getBestCmap() or {}
    except (TTLibError, OSError) as e:
        raise FontsAddError(f"{first.path} is not a readable font ({e})") from e
    missing = sorted(c for c in REQUIRED if ord(c) not in cmap)
    if missing:
        raise FontsAddError(f"{files.family.name} ({first.path.name}) lacks the letters {''.join(missing)}; "
                            f"a font needs A-Z and a-z to be identified")


def add_fonts(targets: tuple[str, ...], model_dir: str | Path, *, cache: Path | None = None,
              variants: int = 4, seed: int = 0, workers: int = 0,
              fetch: Callable[[str, Path], object] | None = None) -> list[str]:
    """Index the families of ``targets`` (folders or fontsource ids) into the added index and
    the registry; returns the ids added. Raises FontsAddError (nothing changed) for a bad
    font, a family id already known, or no shipped index."""
    from fontindex.build import build_index

    index = active_index(model_dir)
    if index is None:
        raise FontsAddError(f"{model_dir} has no font index to add to; build it: python cli.py index build")
    known = set(index.family_ids)
    for t in targets:  # a path that is not there is not a fontsource id either: say so before npm does
        if not Path(t).exists() and (any(c in t for c in "/\\") or t.startswith((".", "~"))):
            raise FontsAddError(f"no such folder: {t}")
    for t in targets:  # an id already known is refused before anything is fetched
        if not Path(t).exists() and t in known:
            raise FontsAddError(f"'{t}' is already known (catalog or added); nothing to add")
    cache = cache or default_cache_dir()
    families = resolve_targets(targets, cache, fetch)
    ids = [f.family.id for f in families]
    taken = sorted(set(ids) & known) + sorted({i for i in ids if ids.count(i) > 1})
    if taken:
        added = {f.id for f in index.families if f.source != "catalog"}
        hint = (f"remove it first: python cli.py fonts remove {taken[0]}" if taken[0] in added
                else "it is already ranked (catalog family, or given twice)")
        raise FontsAddError(f"family id '{taken[0]}' is already known; {hint}")
    new = build_index(families, glyph_model(model_dir), model_dir, variants=variants, seed=seed,
                      workers=_workers(workers), source="added",
                      augment=index.config.get("augment", "default"))  # drawn as the index it joins was
    records = registry.read_registry()
    for f in families:
        records.append(registry.copy_folder_family(f) if f.extra.get("source") == "user"
                       else registry.fontsource_family(f.family, cache))
    added_dir = registry.added_index_dir()
    old = load_index(added_dir) if (added_dir / "index.json").is_file() else None
    save_index(merge(old, new) if old is not None and old.model == new.model else new, added_dir)
    registry.write_registry(records)
    return ids


def remove_fonts(family_ids: tuple[str, ...]) -> list[str]:
    """Undo ``add_fonts`` for these ids; FontsAddError (nothing changed) for an id not added."""
    records = registry.read_registry()
    by_id = {r.id: r for r in records}
    unknown = [i for i in family_ids if i not in by_id]
    if unknown:
        raise FontsAddError(f"'{unknown[0]}' is not an added font (only fonts added with `fonts add` "
                            "can be removed; `python cli.py fonts list` marks them 'added')")
    added_dir = registry.added_index_dir()
    if (added_dir / "index.json").is_file():
        save_index(load_index(added_dir).without(set(family_ids)), added_dir)
    registry.write_registry([r for r in records if r.id not in family_ids])
    for i in family_ids:
        registry.delete_files(by_id[i])
    return list(family_ids)


