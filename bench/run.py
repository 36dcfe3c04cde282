"""``python cli.py benchmark``: our pipeline and the DeepFont baseline over the test sets.

    python cli.py benchmark --make-testsets                 # draw bench/testsets/
    python cli.py benchmark --train-baseline --minutes 30   # train runs/deepfont
    python cli.py benchmark --baseline runs/deepfont [--split clean,photo] [--limit 100]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.config import BenchmarkConfig, DeepFontConfig, TestsetConfig
from bench.make_testsets import VERSION, catalog_files, make_testsets, parse_splits
from bench.manifest import ManifestError, Sample, as_catalog_names, read_manifest, select
from bench.report import RankFn, SystemFailedError, SystemRun, evaluate, write_report
from glyphs.catalog import resolve_catalog_path
from glyphs.catalog_files import load_aliases


class BenchmarkError(RuntimeError):
    """The benchmark cannot run as asked (missing system, test sets or model)."""


def pipeline_rank_fn(model: str | None, catalog: str = "default") -> RankFn:
    """Our pipeline ranking ``catalog``'s families as a RankFn; imported here, lazily, so the
    rest works without it."""
    try:
        from pipeline import DEFAULT_MODEL, Identifier
        from pipeline.config import VerifyConfig
    except ImportError as e:
        raise BenchmarkError(f"cannot import the pipeline package ({e})") from e
    try:
        ident = Identifier(model or DEFAULT_MODEL, verify=VerifyConfig(catalog=catalog))
    except (OSError, ValueError, RuntimeError) as e:
        raise BenchmarkError(f"cannot load our model: {e}") from e

    def rank_fn(image_path: Path) -> list[tuple]:
        ranking = ident.rank(image_path)
        return [(f.family, f.score, f.weight, f.width) for f in ranking.fonts]

    return rank_fn


def baseline_rank_fn(model_dir: str) -> RankFn:
    from bench.baselines import deepfont

    model = deepfont.load(model_dir)

    def rank_fn(image_path: Path) -> list[tuple]:
        return [(fam, score, None, None) for fam, score in deepfont.predict(model, image_path)[:5]]

    return rank_fn


def load_samples(cfg: BenchmarkConfig) -> tuple[list[Sample], dict]:
    """The selected rows of every requested split, and the first split's manifest meta."""
    families = None
    if cfg.families:
        present, missing = catalog_files(cfg.catalog, cfg.cache, cfg.families)
        families = [f.family.id for f in present] + missing
    samples, meta = [], {}
    aliases = load_aliases(resolve_catalog_path(cfg.catalog))
    for split in parse_splits(cfg.split):
        m, rows = read_manifest(Path(cfg.testsets) / split, VERSION)
        meta = meta or m
        samples += as_catalog_names(select(rows, families, cfg.per_family, cfg.limit), aliases)
    if not samples:
        raise BenchmarkError(f"no test samples selected from {cfg.testsets}")
    return samples, meta


def systems(cfg: BenchmarkConfig) -> dict[str, RankFn]:
    wanted = [s.strip() for s in cfg.systems.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in ("ours", "baseline")]
    if unknown:
        raise BenchmarkError(f"unknown system(s) {unknown}: choose ours, baseline")
    out: dict[str, RankFn] = {}
    if "ours" in wanted:
        out["ours"] = pipeline_rank_fn(cfg.model, cfg.catalog)
    if "baseline" in wanted:
        if cfg.baseline:
            out["baseline"] = baseline_rank_fn(cfg.baseline)
        else:
            print("[benchmark] no --baseline model dir given: skipping the baseline", file=sys.stderr)
    if not out:
        raise BenchmarkError("no system to run")
    return out


def run_benchmark(cfg: BenchmarkConfig) -> dict[str, Path]:
    samples, manifest_meta = load_samples(cfg)
    fns = systems(cfg)
    runs: list[SystemRun] = []
    failed = {}
    for name, fn in fns.items():
        print(f"[benchmark] {name}: {len(samples)} images", file=sys.stderr, flush=True)
        try:
            runs.append(evaluate(name, fn, samples, Path(cfg.testsets)))
        except SystemFailedError as e:
            print(f"[benchmark] skipping {name}: {e}", file=sys.stderr)
            failed[name] = str(e)
    if not runs:
        raise BenchmarkError("every system failed: " + "; ".join(failed.values()))
    meta = {"testsets": cfg.testsets, "version": manifest_meta.get("version"),
            "seed": manifest_meta.get("seed"), "catalog": cfg.catalog, "model": cfg.model,
            "baseline": cfg.baseline, "when": time.strftime("%Y-%m-%d %H:%M"), "failed_systems": failed}
    present, _ = catalog_files(cfg.catalog, cfg.cache)
    fonts = {f.family.id: f for f in present}
    return write_report(runs, meta, Path(cfg.results), fonts, cfg.confusions)


def main(bench: BenchmarkConfig, testsets: TestsetConfig, deepfont: DeepFontConfig,
         make: bool = False, train_baseline: bool = False) -> int:
    """What ``cli.py benchmark`` runs: with ``make`` and/or ``train_baseline`` it prepares
    (draws the test sets, trains the baseline) and stops; otherwise it benchmarks."""
    try:
        if make:
            make_testsets(testsets)
        if train_baseline:
            from bench.baselines.deepfont_train import train

            print(f"baseline model: {train(deepfont)}", file=sys.stderr)
        if make or train_baseline:
            return 0
        paths = run_benchmark(bench)
    except (BenchmarkError, ManifestError, ValueError, OSError) as e:
        print(f"benchmark: {e}", file=sys.stderr)
        return 1
    print(paths["md"])
    return 0
