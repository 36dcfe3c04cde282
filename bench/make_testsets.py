"""Draw the benchmark test sets: one folder per split under ``bench/testsets/``.

Splits (each covers every catalog family whose files are present):

- ``clean``       black on white, one line, 32-64 px (PIL)
- ``screenshot``  web colours and sizes, rendered by headless Chromium
- ``photo``       perspective, rotation, uneven light, blur, noise, rescale, JPEG 55-85
- ``scene``       words on real photographs, with plates, shadows and texture
- ``weights``     non-regular weights, widths (variable ``wdth``) and italics
- ``short``       1-4 characters
- ``clean-beyond300``, ``photo-beyond300``  drawn like ``clean`` and ``photo``, one image per
  family, from every BEYOND_STRIDE-th family of the full catalog outside the first 300 (the
  glyph model's training classes): the families only the font index knows (issue 15)

Deterministic: every sample draws from its own generator seeded by (seed,
split, family, index), so the same config gives byte-identical images and
manifests whatever the worker count or family subset. ``VERSION`` is written
into each manifest; bump it whenever the drawing changes.

    python cli.py benchmark --make-testsets [--split clean,photo] [--per-family 4]
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from bench.config import TestsetConfig
from bench.manifest import MANIFEST, Sample, write_manifest
from bench.splits import DRAWERS, Drawn, NoTextError
from glyphs.catalog import FamilyFiles, default_cache_dir, family_files, load_catalog

VERSION = "1"
SPLITS = ("clean", "screenshot", "photo", "scene", "weights", "short", "clean-beyond300", "photo-beyond300")
DEFAULT_SPLITS = SPLITS[:6]  # what --make-testsets draws unless --split names others
BEYOND = {"clean-beyond300": "clean", "photo-beyond300": "photo"}  # split -> the split it is drawn like
BEYOND_STRIDE = 4  # 1,268 families outside the 300 -> 317 families, one picture each


class TestsetError(ValueError):
    """A bad test-set request (unknown split, no fonts present...)."""

    __test__ = False


@dataclass(frozen=True)
class Job:
    split: str
    files: FamilyFiles
    k: int  # sample index within the family
    seed: int
    root: str  # test-set root


def sample_rng(seed: int, split: str, family: str, k: int) -> np.random.Generator:
    """The generator of one sample: independent of every other sample."""
    return np.random.default_rng([seed, SPLITS.index(split), zlib.crc32(family.encode()), k])


def parse_splits(spec: str) -> list[str]:
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in names if s not in SPLITS]
    if unknown or not names:
        raise TestsetError(f"unknown split(s) {unknown or spec!r}; choose from {', '.join(SPLITS)}")
    return names


def catalog_files(catalog: str, cache: str | None, families: int = 0) -> tuple[list[FamilyFiles], list[str]]:
    """(families with files, ids of those without), in catalog order."""
    fams = load_catalog(catalog)
    fams = fams[:families] if families else fams
    root = Path(cache) if cache else default_cache_dir()
    found = [family_files(f, root) for f in fams]
    return [f for f in found if f.present], [f.family.id for f in found if not f.present]


def plan(split: str, present: list[FamilyFiles], cfg: TestsetConfig) -> list[Job]:
    """Round-robin jobs: every family's sample 0, then every sample 1, ... up to the limit."""
    jobs = [Job(split, f, k, cfg.seed, cfg.testsets) for k in range(cfg.per_family) for f in present]
    return jobs[: cfg.limit] if cfg.limit else jobs


def beyond_files(cache: str | None) -> tuple[list[FamilyFiles], list[str]]:
    """The beyond-300 splits' families: every BEYOND_STRIDE-th family of the full catalog that is
    not in the top 300 (catalog order), (with files, ids without)."""
    top = {f.id for f in load_catalog("top300")}
    root = Path(cache) if cache else default_cache_dir()
    fams = [f for f in load_catalog("all") if f.id not in top][::BEYOND_STRIDE]
    found = [family_files(f, root) for f in fams]
    return [f for f in found if f.present], [f.family.id for f in found if not f.present]


def make_testsets(cfg: TestsetConfig) -> dict[str, Path]:
    """Draw every requested split; returns {split: manifest path}."""
    splits = parse_splits(cfg.split)
    out = {}
    for split in splits:
        if split in BEYOND:
            present, missing = beyond_files(cfg.cache)
            jobs = plan(split, present, replace(cfg, per_family=1))
        else:
            present, missing = catalog_files(cfg.catalog, cfg.cache, cfg.families)
            jobs = plan(split, present, cfg)
        if not present:
            raise TestsetError(f"no font files found for the {split} split: run `python cli.py fonts fetch`")
        t0 = time.perf_counter()
        out[split] = make_split(split, jobs, cfg, missing)
        print(f"{split}: {out[split]} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return out


def make_split(split: str, jobs: list[Job], cfg: TestsetConfig, missing: list[str]) -> Path:
    split_dir = Path(cfg.testsets) / split
    _clear(split_dir)
    if split == "screenshot":
        results = _draw_screenshots(jobs)
    else:
        results = _map(_draw_job, jobs, cfg.workers)
    samples = [r for r in results if isinstance(r, Sample)]
    skipped = [r for r in results if isinstance(r, str)]
    meta = {"version": VERSION, "split": split, "seed": cfg.seed, "per_family": cfg.per_family,
            "limit": cfg.limit, "catalog": cfg.catalog, "families": len({j.files.family.id for j in jobs}),
            "missing": missing, "skipped": skipped}
    return write_manifest(split_dir, meta, samples)


def _clear(split_dir: Path) -> None:
    """Remove what an earlier run of this generator wrote (images and manifest only)."""
    split_dir.mkdir(parents=True, exist_ok=True)
    for p in split_dir.iterdir():
        if p.is_file() and (p.suffix in (".png", ".jpg") or p.name == MANIFEST):
            p.unlink()


def _map(fn, jobs: list[Job], workers: int) -> list:
    n = workers or os.cpu_count() or 1
    if n <= 1 or len(jobs) < 8:
        return [fn(j) for j in jobs]
    with get_context("fork").Pool(min(n, len(jobs))) as pool:
        return pool.map(fn, jobs, chunksize=4)


def _draw_job(job: Job) -> Sample | str:
    """Draw and save one sample; a family that cannot draw any text gives a reason string."""
    rng = sample_rng(job.seed, job.split, job.files.family.id, job.k)
    try:
        drawn = DRAWERS[BEYOND.get(job.split, job.split)](job.files, rng)
    except NoTextError as e:
        return f"{job.files.family.id}: {e}"
    except OSError as e:  # FreeType refusing a font, e.g. "execution context too long" (hinting bytecode)
        return f"{job.files.family.id}: FreeType cannot draw it ({e})"
    return save(job, drawn)


def save(job: Job, drawn: Drawn) -> Sample:
    name = f"{job.split}/{job.files.family.id}-{job.k}.{drawn.fmt}"
    path = Path(job.root) / name
    if drawn.fmt == "jpg":
        drawn.image.convert("RGB").save(path, format="JPEG", quality=drawn.quality)
    else:
        drawn.image.save(path, format="PNG", optimize=False)
    extra = {**drawn.extra, **({"jpeg_quality": drawn.quality} if drawn.fmt == "jpg" else {})}
    style = drawn.style
    return Sample(name, job.files.family.id, int(style.weight), float(style.width), bool(style.italic),
                  drawn.text, job.split, extra)


def _draw_screenshots(jobs: list[Job]) -> list[Sample | str]:
    """The screenshot split: plan every line, render them in batched Chromium pages, save."""
    from bench import browser

    planned: dict[int, browser.WebLine] = {}
    results: list[Sample | str] = []
    for i, job in enumerate(jobs):
        try:
            planned[i] = browser.plan_line(job.files, sample_rng(job.seed, job.split, job.files.family.id, job.k))
        except NoTextError as e:
            results.append(f"{job.files.family.id}: {e}")
    order = sorted(planned)
    images = dict(zip(order, browser.render_lines([planned[i] for i in order]), strict=True))
    for i in order:
        line, job = planned[i], jobs[i]
        if images[i] is None:
            results.append(f"{job.files.family.id}: font did not load in Chromium")
            continue
        extra = {"size_px": line.size * line.dsf, "css_px": line.size, "dsf": line.dsf,
                 "fg": line.fg, "bg": line.bg, "engine": "chromium"}
        results.append(save(job, Drawn(images[i], line.style, line.text, "png", 0, extra)))
    return results
