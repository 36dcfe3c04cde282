"""The `similar` command: families that look like a given one, or like the font of a picture."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from fontindex.config import SimilarConfig
from pipeline.rank import DEFAULT_MODEL, Identifier


def similar(cfg: SimilarConfig) -> int:
    """Print the families nearest cfg.family (or the font identified in cfg.image); exit status."""
    from fontindex import FontIndexError, active_index, neighbours

    model_dir = Path(cfg.model) if cfg.model else DEFAULT_MODEL
    try:
        index = active_index(model_dir)
    except FontIndexError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if index is None:
        print("error: the model has no font index; build it: python cli.py index build", file=sys.stderr)
        return 1
    family, width = _font_of_image(cfg.image, model_dir) if cfg.image else (cfg.family, 100)
    if family is None:
        return 1
    if family not in index.family_ids:  # a display name ("Open Sans") -> its id (open-sans)
        from glyphs.userfonts import family_id

        family = family_id(family)
    if family not in index.family_ids:  # an alias: a legacy id, or a twin with the same letters
        from glyphs.catalog import resolve_catalog_path
        from glyphs.catalog_files import load_aliases

        alias, family = family, load_aliases(resolve_catalog_path("default")).get(family, family)
        if family != alias:
            print(f"note: {alias} has the same letters as {family} in the catalog", file=sys.stderr)
    try:
        near = neighbours(index).similar_at_width(family, width, cfg.top, cfg.free_only)  # a width end: that cut's
    except KeyError:
        from difflib import get_close_matches

        close = get_close_matches(family, index.family_ids, n=3, cutoff=0.75)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        print(f"error: '{family}' is not a known family id (see python cli.py fonts list){hint}", file=sys.stderr)
        return 1
    if cfg.json:
        print(json.dumps({"family": family, "similar": [asdict(s) for s in near]}))
    else:
        cut = f" at {width} % width" if width != 100 else ""
        print(f"families most like {index.families[index.family_index(family)].name} ({family}){cut}:")
        for k, s in enumerate(near, 1):
            lic = f"free ({s.licence})" if s.free else f"licence: {s.licence}"
            print(f"  {k}. {s.name:<28} similarity {s.similarity:.3f}  {lic}")
    if cfg.specimen:
        from fontindex.specimen import specimen_sheet

        specimen_sheet([family], cfg.top, index, Path(cfg.specimen))
        print(f"specimen written to {cfg.specimen}", file=sys.stderr)
    return 0


def _font_of_image(image: str, model_dir: Path) -> tuple[str | None, int]:
    """(family id, width in percent) of the main font identified in ``image``; (None, 100) on error."""
    from segmentation import ImageError

    try:
        ranking = Identifier(model_dir).rank(image, top=1)
    except ImageError as e:
        print(f"error: {e}", file=sys.stderr)
        return None, 100
    if not ranking.fonts:
        print(f"error: no text found in {image}", file=sys.stderr)
        return None, 100
    print(f"{image}: {ranking.fonts[0].name} ({ranking.fonts[0].score:.2f})", file=sys.stderr)
    return ranking.fonts[0].family, ranking.fonts[0].width
