"""freefontfinder command line: which free font is this text set in?

Only this file parses flags. Each command builds its package's config
dataclass (defaults live there, in one place) and calls one function.
Heavy modules (torch, easyocr) are imported inside the commands, never here.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _config(cls: type, args: argparse.Namespace, **extra: Any) -> Any:
    """Config dataclass from its defaults, overridden by the flags the user gave."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)
             if getattr(args, f.name, None) is not None}
    return cls(**{**given, **extra})


def _add(p: argparse.ArgumentParser, flag: str, cls: type, help: str, **kw: Any) -> None:
    """A flag whose default is shown from the config dataclass (argparse default None)."""
    name = flag.lstrip("-").replace("-", "_")
    default = {f.name: f.default for f in dataclasses.fields(cls)}.get(name)
    p.add_argument(flag, dest=name, default=None, help=f"{help} (default: {default})", **kw)


# --------------------------------------------------------------------------- fonts
def cmd_fonts_fetch(args: argparse.Namespace) -> int:
    from glyphs.config import FetchConfig
    from glyphs.fetch import fetch_fonts

    return fetch_fonts(_config(FetchConfig, args))


def cmd_fonts_list(args: argparse.Namespace) -> int:
    from glyphs.config import FetchConfig
    from glyphs.fetch import list_fonts

    return list_fonts(_config(FetchConfig, args))


def _fonts_parsers(sub: Any) -> None:
    from glyphs.config import FetchConfig

    fonts = sub.add_parser("fonts", help="fetch and list the font files of the catalog")
    fsub = fonts.add_subparsers(dest="fonts_cmd", required=True)
    for name, fn, help in (
        ("fetch", cmd_fonts_fetch, "download the catalog's font files with npm (resumable)"),
        ("list", cmd_fonts_list, "show families, weights, italics, axes and whether files are present"),
    ):
        p = fsub.add_parser(name, help=help, description=help)
        _add(p, "--catalog", FetchConfig, "catalog file, or 'default' for the shipped 300 families")
        _add(p, "--cache", FetchConfig, "font cache directory (env FREEFONTFINDER_FONTS)")
        _add(p, "--fonts-dir", FetchConfig, "a folder of your own TTF/OTF/WOFF/WOFF2/TTC files to add")
        p.set_defaults(func=fn)
    fsub.choices["fetch"].add_argument("--batch", dest="batch", type=int, default=None,
                                       help="packages per npm call (default: 30)")


# --------------------------------------------------------------------------- glyphs
def cmd_glyphs_generate(args: argparse.Namespace) -> int:
    from glyphs.config import GenerateConfig
    from glyphs.generate import generate

    return generate(_config(GenerateConfig, args))


def _glyphs_parsers(sub: Any) -> None:
    from glyphs.config import GenerateConfig

    g = sub.add_parser("glyphs", help="render glyph datasets straight from font files")
    gsub = g.add_subparsers(dest="glyphs_cmd", required=True)
    desc = ("Render every catalog family's glyphs (words cut into characters) at its weights, "
            "widths and italics, with augmentations, into .npy shards + labels.json + preview.png. "
            "Deterministic: the same command gives byte-identical output.")
    p = gsub.add_parser("generate", help="write a sharded glyph dataset", description=desc)
    _add(p, "--out", GenerateConfig, "output directory", required=True)
    _add(p, "--catalog", GenerateConfig, "catalog file or 'default'")
    _add(p, "--cache", GenerateConfig, "font cache directory")
    _add(p, "--fonts-dir", GenerateConfig, "extra folder of your own fonts")
    _add(p, "--variants", GenerateConfig, "renderings of each character per family", type=int)
    _add(p, "--size", GenerateConfig, "glyph image size in pixels", type=int)
    _add(p, "--shard", GenerateConfig, "write only shard i of n, as 'i/n' (0-based)")
    _add(p, "--num-shards", GenerateConfig, "shards of a whole run", type=int)
    _add(p, "--seed", GenerateConfig, "random seed", type=int)
    _add(p, "--workers", GenerateConfig, "processes (0 = all cores)", type=int)
    _add(p, "--augment", GenerateConfig, "augmentation preset: none, default, heavy, heldout")
    p.set_defaults(func=cmd_glyphs_generate)


# --------------------------------------------------------------------------- identify
def cmd_identify(args: argparse.Namespace) -> int:
    from pipeline.config import IdentifyConfig
    from pipeline.identify import identify

    return identify(_config(IdentifyConfig, args, images=tuple(args.images)))


def _identify_parsers(sub: Any) -> None:
    from pipeline.config import IdentifyConfig

    desc = ("Tell which catalog fonts the text in each image is set in. Every character the OCR "
            "finds is scored by the glyph model and the scores are summed. With --json: one JSON "
            "object per image on stdout (JSON Lines), in input order. Exit status 0 when every "
            "image was read, 1 when any could not be, 2 for wrong usage.")
    p = sub.add_parser("identify", help="which font is this text set in?", description=desc)
    p.add_argument("images", nargs="+", metavar="IMAGE", help="JPEG, PNG, WebP, BMP, TIFF or GIF files")
    _add(p, "--top", IdentifyConfig, "how many fonts to list", type=int)
    p.add_argument("--json", dest="json", action="store_true", default=None,
                   help="JSON Lines on stdout, one object per image")
    _add(p, "--model", IdentifyConfig, "model directory (None = the shipped models/default)")
    _add(p, "--explain", IdentifyConfig, "write an explanation picture to this PNG")
    _add(p, "--backend", IdentifyConfig, "OCR backend: easyocr or tesseract")
    p.set_defaults(func=cmd_identify)


# --------------------------------------------------------------------------- main
PARSER_BUILDERS: list[Callable[[Any], None]] = [_fonts_parsers, _glyphs_parsers, _identify_parsers]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cli.py",
        description="freefontfinder: find which free (Google Fonts) family a photo or "
        "screenshot of text is set in.",
    )
    sub = parser.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    for build in PARSER_BUILDERS:
        build(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
