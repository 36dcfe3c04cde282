"""Glyph dataset generation: words rendered from font files, cut into glyphs.

Work is split into units (family f, variant v). Each unit has its own RNG
seeded from (seed, crc32(family id), v), picks one style (weight, width,
italic, size, augmentations), renders real words that together contain every
character of the glyph set, and normalises each character of those words.
Unit u = f * variants + v goes to shard u % num_shards, so ``--shard i/n`` runs
together write exactly the shards of one whole run, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zlib
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from tqdm import tqdm

from glyphs.augment import AugmentConfig, augment_word, jitter_box, preset, sample_size
from glyphs.catalog import FamilyFiles, catalog_families
from glyphs.config import GenerateConfig
from glyphs.dataset import FIELDS, shard_name
from glyphs.labels import FontLabel, LabelMap, NormSettings
from glyphs.normalize import estimate_line_metrics, normalize_glyph
from glyphs.render import (
    FontFileError,
    FontStyle,
    check_font,
    open_font,
    pick_file,
    render_text,
    with_real_axes,
)
from glyphs.words import word_for


class GenerateError(RuntimeError):
    """Generation cannot start (no fonts, bad shard spec...)."""


@dataclass(frozen=True)
class Unit:
    family_index: int
    variant: int


def sample_style(files: FamilyFiles, rng: np.random.Generator) -> FontStyle:
    """A weight the family has, italic when it has one, and across a variable file's real axis
    ranges: a weight (wght) with p 0.3, a width (wdth) with p 0.4, an optical size (opsz) with
    p 0.3, each at one end of its axis half the time (issue 11: a family's hairline, black,
    most condensed, widest, caption and display cuts are still that family)."""
    fam = files.family
    weight = int(rng.choice(fam.weights))
    italic = bool(fam.has_italic and any(f.italic for f in files.static + files.variable)
                  and rng.random() < 0.25)
    width, opsz = 100, None
    wght = axis_range(files, "wght")
    if wght is not None and rng.random() < 0.3:
        weight = int(round(_axis_value(wght, rng)))
    wdth, optical = axis_range(files, "wdth"), axis_range(files, "opsz")
    if wdth is not None and rng.random() < 0.4:
        width = int(round(_axis_value(wdth, rng)))
    if optical is not None and rng.random() < 0.3:
        opsz = round(float(_axis_value(optical, rng)), 1)
    return FontStyle(weight, width, italic, opsz)


def axis_range(files: FamilyFiles, tag: str) -> tuple[float, float] | None:
    """(min, max) of axis ``tag`` over the family's variable files, None when none has it."""
    from glyphs.render import variation_axes

    spans = [axes[tag] for axes in (variation_axes(f.path) for f in files.variable) if tag in axes]
    spans = [(lo, hi) for lo, _, hi in spans if hi > lo]  # read from the file, not its name
    return (min(lo for lo, _ in spans), max(hi for _, hi in spans)) if spans else None


def _axis_value(span: tuple[float, float], rng: np.random.Generator) -> float:
    """One end of the axis (p 0.25 each), else uniform over it."""
    r, (lo, hi) = rng.random(), span
    return lo if r < 0.25 else hi if r < 0.5 else float(rng.uniform(lo, hi))


def unit_words(glyph_set: str, rng: np.random.Generator) -> list[str]:
    """Real words that together contain every character of the glyph set."""
    missing = set(glyph_set)
    words: list[str] = []
    for ch in rng.permutation(list(glyph_set)):
        if ch in missing:
            w = word_for(str(ch), rng)
            words.append(w)
            missing -= set(w)
    return words


def render_unit(files: FamilyFiles, unit: Unit, labels: LabelMap, aug: AugmentConfig,
                seed: int) -> dict[str, np.ndarray]:
    """All glyph samples of one (family, variant) unit, as arrays (see glyphs.dataset)."""
    rng = np.random.default_rng([seed, zlib.crc32(files.family.id.encode()), unit.variant])
    style = sample_style(files, rng)
    images, chars, actual = render_style(files, style, labels, aug, rng)
    n = len(chars)
    return {
        "images": images,
        "font": np.full(n, unit.family_index, np.int32),
        "char": np.asarray(chars, np.int32),
        "weight": np.full(n, actual.weight, np.int16),
        "width": np.full(n, actual.width, np.int16),
        "italic": np.full(n, int(actual.italic), np.uint8),
        "variant": np.full(n, unit.variant, np.int32),
    }


def render_style(files: FamilyFiles, style: FontStyle, labels: LabelMap, aug: AugmentConfig,
                 rng: np.random.Generator) -> tuple[np.ndarray, list[int], FontStyle]:
    """Real words covering the glyph set, drawn in one style at a sampled size, augmented and
    cut into normalised glyphs: ((M, S, S) uint8 images, M glyph-set indices, style drawn).

    Raises FontFileError when the font cannot be opened at that style.
    """
    size = sample_size(rng, aug)
    font, actual = open_font(pick_file(files, style), style, size)
    images, chars = [], []
    for word in unit_words(labels.glyph_set, rng):
        r = render_text(font, word)
        if not r.boxes:
            continue
        gray, boxes = augment_word(r.mask, r.boxes, size, rng, aug)
        line = estimate_line_metrics(boxes, r.chars)
        for box, ch in zip(boxes, r.chars, strict=True):
            if ch not in labels.glyph_set:
                continue
            box = jitter_box(box, rng, aug, gray.shape)
            images.append(normalize_glyph(gray, box, line, labels.norm))
            chars.append(labels.glyph_set.index(ch))
    s = labels.norm.size
    return (np.stack(images) if images else np.zeros((0, s, s), np.uint8)), chars, actual


# --------------------------------------------------------------------------- running
_WORKER: dict = {}


def _init_worker(families, labels, aug, seed) -> None:
    _WORKER.update(families=families, labels=labels, aug=aug, seed=seed)


def _work(unit: Unit) -> dict[str, np.ndarray]:
    w = _WORKER
    try:
        return render_unit(w["families"][unit.family_index], unit, w["labels"], w["aug"], w["seed"])
    except FontFileError as e:
        print(f"warning: {e}; unit skipped", file=sys.stderr)
        return render_unit_empty(w["labels"])


def render_unit_empty(labels: LabelMap) -> dict[str, np.ndarray]:
    s = labels.norm.size
    dtypes = {"font": np.int32, "char": np.int32, "weight": np.int16, "width": np.int16,
              "italic": np.uint8, "variant": np.int32}
    return {"images": np.zeros((0, s, s), np.uint8), **{k: np.zeros(0, t) for k, t in dtypes.items()}}


def parse_shard(spec: str | None, num_shards: int) -> tuple[list[int], int]:
    if spec is None:
        return list(range(num_shards)), num_shards
    try:
        i, n = (int(x) for x in spec.split("/"))
    except ValueError as e:
        raise GenerateError(f"--shard must look like i/n (e.g. 0/8), got {spec!r}") from e
    if not 0 <= i < n:
        raise GenerateError(f"--shard {spec}: i must be in 0..{n - 1}")
    return [i], n


def usable_families(cfg: GenerateConfig) -> tuple[FamilyFiles, ...]:
    """Families with at least one font file that opens; broken files are named and skipped.
    Variable files get their real axes (read from the file)."""
    out = []
    for files in catalog_families(cfg.catalog, cfg.cache, cfg.fonts_dir):
        good = [with_real_axes(f) for f in files.static + files.variable if _opens(f)]
        if not good:
            print(f"warning: family {files.family.id} has no usable font files; skipped",
                  file=sys.stderr)
            continue
        out.append(replace(files, static=tuple(f for f in good if f.weight is not None),
                           variable=tuple(f for f in good if f.weight is None)))
    if not out:
        raise GenerateError("no font files found: run `python cli.py fonts fetch` first "
                            "or pass --cache/--fonts-dir")
    return tuple(out)


def _opens(file) -> bool:
    try:
        check_font(file)
        return True
    except FontFileError as e:
        print(f"warning: {e}; skipped", file=sys.stderr)
        return False


def generate(cfg: GenerateConfig) -> int:
    """Write the dataset (or one shard of it) to cfg.out; returns an exit status."""
    try:
        shard_ids, n_shards = parse_shard(cfg.shard, cfg.num_shards)
        families = usable_families(cfg)
        aug = preset(cfg.augment)
    except (GenerateError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    labels = LabelMap(tuple(FontLabel(f.family.id, f.family.name) for f in families),
                      norm=NormSettings(size=cfg.size))
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    units = [Unit(f, v) for f in range(len(families)) for v in range(cfg.variants)]
    workers = cfg.workers or os.cpu_count() or 1
    ctx = get_context("fork")
    with ctx.Pool(workers, _init_worker, (families, labels, aug, cfg.seed)) as pool:
        for s in shard_ids:
            mine = [u for i, u in enumerate(units) if i % n_shards == s]
            parts = list(tqdm(pool.imap(_work, mine, chunksize=4), total=len(mine),
                              desc=f"shard {s}/{n_shards}", unit="unit", file=sys.stderr))
            _write_shard(out / shard_name(s, n_shards), parts)
    _write_labels(out, labels, cfg, n_shards, families)
    if 0 in shard_ids:
        from glyphs.preview import write_preview

        write_preview(out / shard_name(0, n_shards), labels, out / "preview.png")
    return 0


def _write_shard(d: Path, parts: list[dict[str, np.ndarray]]) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for k in FIELDS:
        np.save(d / f"{k}.npy", np.concatenate([p[k] for p in parts]))


def _write_labels(out: Path, labels: LabelMap, cfg: GenerateConfig, n_shards: int,
                  families: tuple[FamilyFiles, ...]) -> None:
    """labels.json and config.json; identical whichever shard wrote them."""
    conf = {k: v for k, v in asdict(cfg).items() if k not in ("shard", "workers", "out")}
    files = {f.family.id: [p.path.name for p in f.static + f.variable] for f in families}
    fp_src = json.dumps([labels.to_dict(), conf, files], sort_keys=True).encode()
    meta = {"shards": [shard_name(i, n_shards) for i in range(n_shards)], "config": conf,
            "fingerprint": hashlib.sha256(fp_src).hexdigest()[:16],
            "augment": asdict(preset(cfg.augment)), "font_files": files}
    labels.save(out, extra=meta)
    (out / "config.json").write_text(json.dumps(conf, indent=1, sort_keys=True) + "\n")
