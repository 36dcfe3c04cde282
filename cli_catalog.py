"""Flags of `fonts catalog build|fold-twins` (kept out of cli.py, which imports this)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def cmd_catalog_build(args: argparse.Namespace, config: Callable) -> int:
    from glyphs.catalog_cmd import catalog_build
    from glyphs.config import CatalogConfig

    return catalog_build(config(CatalogConfig, args))


def cmd_catalog_fold(args: argparse.Namespace, config: Callable) -> int:
    from glyphs.catalog_cmd import catalog_fold
    from glyphs.config import CatalogConfig

    return catalog_fold(config(CatalogConfig, args))


def add_catalog_parser(fsub: Any, add: Callable, config: Callable) -> None:
    """`fonts catalog ...` under the `fonts` subcommands; ``add``/``config`` are cli.py's helpers."""
    from glyphs.config import CatalogConfig as C  # noqa: N817

    cat = fsub.add_parser("catalog", help="build the full catalog (--catalog all) from Google Fonts' metadata")
    csub = cat.add_subparsers(dest="catalog_cmd", required=True)
    desc = ("First pass: every Latin Google Fonts family from the pinned google-font-metadata package "
            "(npm pack), minus barcode/scribble/icon faces, legacy aliases and families whose latin subset "
            "lacks A-Z a-z 0-9 (rules: glyphs/full_catalog.py). Writes the catalog, its -aliases.txt and "
            "the counts report.")
    p = csub.add_parser("build", help="first pass: rules on the metadata", description=desc)
    add(p, "--metadata", C, "google-fonts-v2.json or the package .tgz (None: npm pack the pinned version)")
    add(p, "--out", C, "catalog file to write")
    add(p, "--report", C, "counts report (.md, and .json beside it)")
    p.set_defaults(func=lambda a: cmd_catalog_build(a, config))
    desc = ("Second pass, after `fonts fetch --catalog all`: drop families whose upright 400 file lacks "
            "A-Z a-z 0-9, fold families whose outlines of those glyphs are identical into the first "
            "one (kept as aliases); rewrites the catalog, aliases and report (rules: glyphs/twins.py).")
    p = csub.add_parser("fold-twins", help="second pass: glyph coverage and twins on the fetched files",
                        description=desc)
    add(p, "--out", C, "catalog file to fold (rewritten)")
    add(p, "--report", C, "counts report written by `build` (updated)")
    add(p, "--cache", C, "font cache directory (env FREEFONTFINDER_FONTS)")
    add(p, "--hash-memo", C, "JSON file keeping each font file's glyph hash between runs")
    p.add_argument("--drop-unfetched", dest="drop_unfetched", action="store_const", const=True, default=None,
                   help="drop families with no files in the cache instead of stopping")
    p.set_defaults(func=lambda a: cmd_catalog_fold(a, config))
