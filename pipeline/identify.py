"""The identify command: many images, one model load, JSON Lines or tables."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from pipeline.config import IdentifyConfig, VerifyConfig
from pipeline.output import error_dict, format_css, format_table, ranking_to_dict, write_explanation
from pipeline.rank import DEFAULT_MODEL, Identifier


def identify(cfg: IdentifyConfig) -> int:
    """Exit status: 0 every image read, 1 any could not be read (or no model/OCR)."""
    from classifier import ModelError
    from glyphs.catalog import CatalogError
    from segmentation import ImageError, OcrUnavailableError, SegmentConfig, load_image

    try:
        ident = Identifier(cfg.model or DEFAULT_MODEL,
                           segment_config=replace(SegmentConfig(), backend=cfg.backend),
                           verify=VerifyConfig(enabled=cfg.verify, cache=cfg.fonts_dir, catalog=cfg.catalog),
                           engine=cfg.engine)
    except (ModelError, OSError) as e:
        print(f"error: cannot load the model: {e}", file=sys.stderr)
        return 1
    except CatalogError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OcrUnavailableError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if cfg.engine == "auto" and ident.engine == "torch":
        print("note: running on torch because the ONNX networks are not exported; "
              "`python cli.py export --ocr` makes them (faster start, less memory)", file=sys.stderr)
    if cfg.verify and ident.fonts is not None and len(ident.fonts) == 0:
        how = "the glyph model and the font index" if ident.openset is not None else "the glyph model alone"
        print(f"note: no catalog font files found, so fonts are ranked by {how}; "
              "`python cli.py fonts fetch` enables render-and-compare (more accurate)", file=sys.stderr)
    status = 0
    for n, path in enumerate(cfg.images, 1):
        try:
            rgb = load_image(path)
            ranking = ident.rank(rgb, top=cfg.top)
        except ImageError as e:
            status = 1
            if cfg.json:  # the contract: one object per image on stdout, the error in it
                _emit(cfg, error_dict(path, str(e)), "")
            else:  # text: errors on stderr, so `identify *.png > fonts.txt` keeps only results; the
                print(f"error: {e}", file=sys.stderr, flush=True)  # message names the path as given
            continue
        except OcrUnavailableError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        table = format_table(path, ranking)
        _emit(cfg, ranking_to_dict(path, ranking), table + ("\n\n" + format_css(ranking) if cfg.css else ""))
        if cfg.explain:
            out = _explain_path(cfg.explain, n, len(cfg.images))
            write_explanation(rgb, ranking, out, _specimen_fonts(ranking, cfg.fonts_dir))
            print(f"explanation written to {out}", file=sys.stderr)
    return status


def _emit(cfg: IdentifyConfig, obj: dict, text: str) -> None:
    print(json.dumps(obj) if cfg.json else text + "\n", flush=True)


def _explain_path(base: str, n: int, total: int) -> Path:
    p = Path(base)
    return p if total == 1 else p.with_name(f"{p.stem}-{n}{p.suffix or '.png'}")


def _specimen_fonts(ranking, cache: str | None, size: int = 40) -> list:
    """A PIL font per ranked font, at its estimated weight and italic (None where its
    files are not in the font cache)."""
    from glyphs.catalog import Family, default_cache_dir, family_files
    from glyphs.render import FontFileError, FontStyle, open_font, pick_file

    out = []
    for f in ranking.fonts:
        files = family_files(Family(f.family, f.name, (f.weight,), f.italic),
                             Path(cache) if cache else default_cache_dir())
        style = FontStyle(f.weight, 100, f.italic)
        try:
            out.append(open_font(pick_file(files, style), style, size)[0])
        except (FontFileError, OSError):
            out.append(None)
    return out
