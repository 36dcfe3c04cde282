"""`fonts fetch` and `fonts list`: the catalog's font files, from fontsource packages.

Fetching packs ``@fontsource/<id>`` (and ``@fontsource-variable/<id>`` where the
family has one) with npm, keeps only the latin ``.woff2`` files and the LICENSE,
and lays them out as ``glyphs.catalog`` documents. Each family is built in a
temporary folder inside the cache, renamed into place, then marked ``.complete``:
an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

from glyphs.catalog import (
    CatalogError,
    Family,
    FamilyFiles,
    catalog_families,
    default_cache_dir,
    load_catalog,
)
from glyphs.config import FetchConfig
from glyphs.npm import NpmMissingError, PackResult, npm_executable, pack

STATIC_SCOPE = "@fontsource/"
VARIABLE_SCOPE = "@fontsource-variable/"
COMPLETE_MARKER = ".complete"
_LICENSE_RE = re.compile(r"^package/(LICEN[CS]E|OFL)(\.[A-Za-z]+)?$")
_STATIC_TAG_RE = re.compile(r"\d{3}")


class FetchError(RuntimeError):
    """A package that was packed but gave no usable font files."""


def cache_path(cfg: FetchConfig) -> Path:
    return Path(cfg.cache) if cfg.cache else default_cache_dir()


def is_complete(family_id: str, cache: Path) -> bool:
    return (cache / family_id / COMPLETE_MARKER).is_file()


# --------------------------------------------------------------------------- fetch
def fetch_fonts(cfg: FetchConfig) -> int:
    """Fetch every catalog family not yet complete in the cache; exit status."""
    from tqdm import tqdm

    try:
        families = load_catalog(cfg.catalog)
    except CatalogError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    cache = cache_path(cfg)
    todo = [f for f in families if not is_complete(f.id, cache)]
    if not todo:
        print(f"all {len(families)} families are already in {cache}", file=sys.stderr)
        return 0
    try:
        npm = npm_executable()
    except NpmMissingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    cache.mkdir(parents=True, exist_ok=True)
    failures: dict[str, str] = {}
    started = time.monotonic()
    size = max(1, cfg.batch)
    batches = [todo[i:i + size] for i in range(0, len(todo), size)]
    pool = ThreadPoolExecutor(max_workers=max(1, cfg.jobs))
    try:
        with tqdm(total=len(todo), desc="fonts fetch", unit="family", file=sys.stderr) as bar:
            # npm spends its time waiting on the network: several calls at once, one thread each
            for done in as_completed([pool.submit(_fetch_batch, b, cache, npm, bar) for b in batches]):
                failures.update(done.result())
    finally:  # on Ctrl-C: batches not started are dropped, running ones finish and clean up
        pool.shutdown(wait=True, cancel_futures=True)
    _print_summary(len(families), len(families) - len(todo), failures, cache)
    print(f"fonts fetch: {_duration(time.monotonic() - started)}; the catalog's {len(families)} families "
          f"take {catalog_disk_bytes(families, cache) / 1e6:.0f} MB in the cache", file=sys.stderr)
    return 1 if failures else 0


def catalog_disk_bytes(families: tuple[Family, ...], cache: Path) -> int:
    """Bytes of the files (apparent sizes) of ``families`` in ``cache``."""
    return sum(p.stat().st_size for f in families if (cache / f.id).is_dir()
               for p in (cache / f.id).rglob("*") if p.is_file())


def _duration(seconds: float) -> str:
    minutes, sec = divmod(round(seconds), 60)
    return f"{minutes} min {sec} s" if minutes else f"{seconds:.1f} s"


def _fetch_batch(batch: list[Family], cache: Path, npm: str, bar: Any) -> dict[str, str]:
    """Fetch one batch of families; {family id: why it failed}."""
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=cache) as tmp_name:
        tmp = Path(tmp_name)
        static = pack([STATIC_SCOPE + f.id for f in batch], tmp, npm)
        variable = pack(
            [VARIABLE_SCOPE + f.id for f in batch
             if STATIC_SCOPE + f.id in static.tarballs
             and _has_variable(static.tarballs[STATIC_SCOPE + f.id])],
            tmp, npm,
        )
        for family in batch:
            try:
                _install_one(family, static, variable, cache, tmp)
            except FetchError as e:
                failures[family.id] = str(e)
                bar.write(f"error: {family.name} ({family.id}): {e}", file=sys.stderr)
            bar.update(1)
    return failures


def _install_one(family: Family, static: PackResult, variable: PackResult,
                 cache: Path, tmp: Path) -> None:
    name = STATIC_SCOPE + family.id
    if name in static.failed:
        raise FetchError(f"npm could not pack {name} ({static.failed[name]})")
    var_name = VARIABLE_SCOPE + family.id
    if var_name in variable.failed and "E404" not in variable.failed[var_name]:
        raise FetchError(f"npm could not pack {var_name} ({variable.failed[var_name]})")
    install_family(family.id, static.tarballs[name], variable.tarballs.get(var_name), cache, tmp)


def _has_variable(tgz: Path) -> bool:
    """Whether fontsource's metadata.json says the family has a variable version
    (True when the metadata cannot be read: then npm is asked)."""
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            member = tar.extractfile("package/metadata.json")
            meta = json.loads(member.read()) if member else {}
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError):
        return True
    return bool(meta.get("variable", True)) if isinstance(meta, dict) else True


def install_family(family_id: str, static_tgz: Path, variable_tgz: Path | None,
                   cache: Path, tmp: Path) -> Path:
    """Extract one family into ``tmp``, rename it into ``cache``, mark it complete."""
    stage = tmp / family_id
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    count = _extract(static_tgz, family_id, stage)
    if variable_tgz is not None:
        count += _extract(variable_tgz, family_id, stage)
    if count == 0:
        raise FetchError(f"{static_tgz.name} has no files/{family_id}-latin-*.woff2")
    if not (stage / "LICENSE").exists():
        (stage / "LICENSE").write_text(_license_note(static_tgz))
    final = cache / family_id
    if final.exists():
        shutil.rmtree(final)  # an earlier, interrupted run
    os.replace(stage, final)
    packages = [static_tgz.name] + ([variable_tgz.name] if variable_tgz else [])
    marker_tmp = final / (COMPLETE_MARKER + ".tmp")
    marker_tmp.write_text(json.dumps({"packages": packages, "files": count}) + "\n")
    os.replace(marker_tmp, final / COMPLETE_MARKER)
    return final


def _extract(tgz: Path, family_id: str, stage: Path) -> int:
    """Copy the latin .woff2 files and the LICENSE of one tarball; font files copied."""
    font_re = re.compile(
        rf"^package/files/{re.escape(family_id)}-latin-(?!ext-)([a-z0-9-]+?)-(normal|italic)\.woff2$"
    )
    count = 0
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                m = font_re.match(member.name)
                if m:
                    sub = "static" if _STATIC_TAG_RE.fullmatch(m.group(1)) else "variable"
                    _copy_member(tar, member, stage / sub / Path(member.name).name)
                    count += 1
                elif _LICENSE_RE.match(member.name) and not (stage / "LICENSE").exists():
                    _copy_member(tar, member, stage / "LICENSE")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise FetchError(f"cannot read {tgz.name} ({e})") from e
    return count


def _license_note(tgz: Path) -> str:
    """A LICENSE for the (old, 4.x) packages that ship none: what their metadata says."""
    said = []
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            for member, what in (("package/package.json", "the package (package.json)"),
                                 ("package/metadata.json", "the font (metadata.json)")):
                fh = tar.extractfile(member)
                meta = json.loads(fh.read()) if fh else {}
                if isinstance(meta, dict) and meta.get("license"):
                    said.append(f"Licence of {what}: {json.dumps(meta['license'])}")
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError):
        pass
    return "\n".join([f"{tgz.name} ships no licence file.", *said,
                      "Check the family's licence on its Google Fonts page before redistributing."]) + "\n"


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise FetchError(f"cannot read {member.name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with source, open(dest, "wb") as out:
        shutil.copyfileobj(source, out)


def _print_summary(total: int, skipped: int, failures: dict[str, str], cache: Path) -> None:
    fetched = total - skipped - len(failures)
    line = f"fonts fetch: {fetched} fetched, {skipped} already complete"
    if failures:
        line += f", {len(failures)} failed: {', '.join(failures)}"
    print(f"{line} (cache: {cache})", file=sys.stderr)


# --------------------------------------------------------------------------- list
def list_fonts(cfg: FetchConfig, added: tuple[FamilyFiles, ...] = ()) -> int:
    """Print a table of the families (catalog, then --fonts-dir, then ``added`` ones) and their files."""
    try:
        rows = catalog_families(cfg.catalog, cache_path(cfg), cfg.fonts_dir)
    except CatalogError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    rows = rows + tuple(replace(f, extra={**f.extra, "source": "added"}) for f in added)
    header = ("id", "name", "weights", "italic", "variable axes", "source", "files")
    table = [header] + [_row(ff) for ff in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    present = sum(ff.present for ff in rows)
    users = sum(1 for ff in rows if ff.extra.get("source") == "user")
    extra = f", {len(added)} added with `fonts add`" if added else ""
    print(f"{len(rows)} families ({users} from --fonts-dir{extra}): {present} with files, "
          f"{len(rows) - present} without (cache: {cache_path(cfg)})")
    return 0


def _row(ff: FamilyFiles) -> tuple[str, ...]:
    f = ff.family
    axes = variable_axes(ff)
    return (f.id, f.name, ",".join(str(w) for w in f.weights), "yes" if f.has_italic else "no",
            ",".join(axes) if axes else "-", ff.extra.get("source", "catalog"), "yes" if ff.present else "no")


def variable_axes(ff: FamilyFiles) -> tuple[str, ...]:
    """Axis tags found in the family's variable files (read from the files themselves)."""
    from fontTools.ttLib import TTFont, TTLibError

    tags: list[str] = []
    for vf in ff.variable:
        try:
            with TTFont(vf.path, lazy=True, fontNumber=vf.index) as font:
                file_tags = [a.axisTag for a in font["fvar"].axes] if "fvar" in font else []
        except (TTLibError, OSError, KeyError) as e:
            print(f"warning: cannot read the axes of {vf.path} ({e})", file=sys.stderr)
            file_tags = list(vf.axes)
        tags += [t for t in file_tags if t not in tags]
    return tuple(tags)


# --------------------------------------------------------------------------- one family by id
def fetch_family(family_id: str, cache: Path) -> Family:
    """Fetch ``@fontsource/<id>`` (and its variable package) into ``cache`` like ``fonts fetch``
    does, and return the Family its metadata.json describes (name, weights, italic).

    Raises NpmMissingError without npm, FetchError when npm cannot pack it (no such
    family) or it holds no latin font files.
    """
    npm = npm_executable()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=cache) as tmp_name:
        tmp = Path(tmp_name)
        name = STATIC_SCOPE + family_id
        static = pack([name], tmp, npm)
        if name in static.failed:
            raise FetchError(f"npm could not fetch {name} ({static.failed[name]}); is '{family_id}' a "
                             "fontsource family id?")
        family = family_from_metadata(static.tarballs[name], family_id)
        variable = pack([VARIABLE_SCOPE + family_id], tmp, npm) if _has_variable(static.tarballs[name]) \
            else PackResult({}, {})
        install_family(family_id, static.tarballs[name], variable.tarballs.get(VARIABLE_SCOPE + family_id),
                       cache, tmp)
    return family


def family_from_metadata(tgz: Path, family_id: str) -> Family:
    """A Family from a fontsource tarball's metadata.json (FetchError if it has none)."""
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            member = tar.extractfile("package/metadata.json")
            meta = json.loads(member.read()) if member else None
    except (tarfile.TarError, KeyError, OSError, json.JSONDecodeError) as e:
        raise FetchError(f"{tgz.name} has no readable metadata.json ({e})") from e
    if not isinstance(meta, dict) or "latin" not in meta.get("subsets", []):
        raise FetchError(f"{tgz.name} has no latin subset")
    weights = tuple(sorted(int(w) for w in meta.get("weights", [400])))
    return Family(family_id, str(meta.get("family", family_id)), weights or (400,),
                  "italic" in meta.get("styles", []))
