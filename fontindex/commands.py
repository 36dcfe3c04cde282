"""The font-index commands (`index build`, `fonts add`, `fonts remove`, `similar`): exit statuses."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

from fontindex.config import FontsAddConfig, IndexBuildConfig
from fontindex.manage import INDEX_DIR, FontsAddError, add_fonts, remove_fonts
from fontindex.store import FontIndexError, save_index

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "default"


def _model_dir(model: str | None) -> Path:
    return Path(model) if model else DEFAULT_MODEL


def index_build(cfg: IndexBuildConfig) -> int:
    """Draw and embed every catalog family (and --fonts-dir) into <model>/index."""
    from classifier import ModelError
    from fontindex.build import build_index
    from fontindex.manage import glyph_model
    from glyphs.catalog import CatalogError, catalog_families

    model_dir = _model_dir(cfg.model)
    out = Path(cfg.out) if cfg.out else model_dir / INDEX_DIR
    try:
        model = glyph_model(model_dir)
        families = [f for f in catalog_families(cfg.catalog, cfg.cache, cfg.fonts_dir) if f.present]
    except (ModelError, CatalogError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not families:
        print("error: no font files found: run `python cli.py fonts fetch` first", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    try:
        index = build_index(families, model, model_dir, variants=cfg.variants, augment=cfg.augment,
                            seed=cfg.seed, workers=cfg.workers or os.cpu_count() or 1, axis_ends=cfg.axis_ends)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    from fontindex.similar import nearest_trained, neighbour_lists

    index = replace(index, config={**index.config, "build": asdict(cfg)},  # the resolved config, saved beside
                    nearest=nearest_trained(index, {f.family for f in model.labels.fonts}))
    index = replace(index, similar=neighbour_lists(index))
    save_index(index, out)
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"index: {index.num_families} families, {len(index.styles)} styles, {size / 1e6:.1f} MB in {out} "
          f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0


def fonts_add(cfg: FontsAddConfig) -> int:
    try:
        ids = add_fonts(cfg.targets, _model_dir(cfg.model), cache=Path(cfg.cache) if cfg.cache else None,
                        variants=cfg.variants, seed=cfg.seed, workers=cfg.workers)
    except (FontsAddError, FontIndexError) as e:
        print(f"error: {e}; nothing was changed", file=sys.stderr)
        return 1
    print(f"added {len(ids)} famil{'y' if len(ids) == 1 else 'ies'}: {', '.join(ids)}", file=sys.stderr)
    return 0


def fonts_remove(cfg: FontsAddConfig) -> int:
    try:
        ids = remove_fonts(cfg.targets)
    except FontsAddError as e:
        print(f"error: {e}; nothing was changed", file=sys.stderr)
        return 1
    print(f"removed: {', '.join(ids)}", file=sys.stderr)
    return 0
