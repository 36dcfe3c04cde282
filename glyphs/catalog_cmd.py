"""`fonts catalog build` and `fonts catalog fold-twins`: the full catalog's two passes."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path

from glyphs.catalog import CatalogError, default_cache_dir, load_catalog
from glyphs.catalog_files import (
    aliases_path,
    load_record,
    report_record,
    write_aliases,
    write_catalog,
    write_report,
)
from glyphs.config import CatalogConfig
from glyphs.full_catalog import GOOGLE_FONT_METADATA, Dropped, MetadataError, build_from_metadata
from glyphs.twins import fold


def catalog_build(cfg: CatalogConfig) -> int:
    """First pass: rules on the metadata -> catalog, aliases, report; exit status."""
    try:
        build = build_from_metadata(Path(cfg.metadata) if cfg.metadata else None, shutil.which("npm"))
    except (MetadataError, CatalogError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    out = Path(cfg.out)
    header = (f"Every Latin Google Fonts family: `python cli.py fonts catalog build` from {build.source}\n"
              "(rules: glyphs/full_catalog.py; counts: bench/results/catalog_all.md).\n"
              "Columns: id, display name, weights, has_italic. Order = label order (top300 first).")
    write_catalog(build.families, out, header)
    write_aliases(build.dropped, aliases_path(out))
    record = report_record(build.considered, build.source, build.families, build.dropped,
                           config=dataclasses.asdict(cfg), pinned=GOOGLE_FONT_METADATA)
    write_report(record, Path(cfg.report))
    print(f"catalog build: {build.considered} considered, {len(build.dropped)} dropped, "
          f"{len(build.families)} kept -> {out} (counts: {cfg.report})", file=sys.stderr)
    return 0


def catalog_fold(cfg: CatalogConfig) -> int:
    """Second pass: glyph coverage and twins on the fetched files; rewrites catalog and report."""
    from tqdm import tqdm

    out = Path(cfg.out)
    cache = Path(cfg.cache) if cfg.cache else default_cache_dir()
    try:
        families = load_catalog(out)
        record = load_record(Path(cfg.report))
        if record.get("second_pass"):
            raise CatalogError(f"{out} is already folded: run `fonts catalog build` again first")
        memo = _read_memo(cfg.hash_memo)
        try:
            with tqdm(total=len(families), desc="fold-twins", unit="family", file=sys.stderr) as bar:
                result = fold(families, cache, cfg.drop_unfetched, progress=bar, memo=memo)
        finally:  # hashes computed so far are kept, even when the pass stops
            if cfg.hash_memo:
                Path(cfg.hash_memo).write_text(json.dumps(memo) + "\n")
    except (CatalogError, FileNotFoundError, json.JSONDecodeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    header = "".join(ln[2:] + "\n" for ln in out.read_text().splitlines() if ln.startswith("# "))
    header = header.rstrip("\n") + "\nSecond pass (`fonts catalog fold-twins`) done on the fetched files."
    write_catalog(result.families, out, header)
    first = tuple(Dropped(**d) for d in record["dropped"])
    dropped = first + result.dropped
    write_aliases(dropped, aliases_path(out))
    summary = (f"{len(families)} families read from {cache}: "
               + ", ".join(f"{rule} {sum(d.rule == rule for d in result.dropped)}"
                           for rule in ("not_fetched", "glyphs_missing", "twin")))
    new = report_record(record["considered"], record["source"], result.families, dropped,
                        config=dataclasses.asdict(cfg), pinned=record.get("pinned"), second_pass=summary)
    write_report(new, Path(cfg.report))
    print(f"fold-twins: {summary}; {len(result.families)} kept -> {out}", file=sys.stderr)
    return 0


def _read_memo(path: str | None) -> dict:
    return json.loads(Path(path).read_text()) if path and Path(path).is_file() else {}
