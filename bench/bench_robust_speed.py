"""What issue 11's steps cost plain straight text: CPU seconds per picture and per stage,
the path before issue 11 ("old") vs the shipped one ("new"), paired in one run.

    OMP_NUM_THREADS=1 nice -n 15 .venv/bin/python bench/bench_robust_speed.py [--images 30]
        [--old_index runs/index-named]

Reads the first --images pictures of bench/testsets/clean (draw them with `python cli.py
benchmark --make-testsets --split clean`) twice each, alternating which goes first.
"old" turns off everything issue 11 added on the way of a plain line: SegmentConfig
orientations/effects (reading direction, lettering effects), render-and-compare's axis pass
(VerifyConfig.axis_top 0) and, with --old_index, the font index's axis-end styles (an index
built with `index build --no-axis-ends`). The template cache is emptied before every reading,
as for a picture whose words were never drawn. Times are CPU seconds of this process
(time.process_time), so other jobs on a shared machine count less than in wall time; the
ratio of p50s comes with a 95 % bootstrap interval over the pictures (2,000 resamples of
the pairs, seed 0). Each stage is timed by wrapping the function that does it (inclusive:
"recognize" inside "sideways" counts in both), with its number of calls.
Writes bench/results/robustness_speed.md and .json.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (module, attribute, stage name): what each stage of one identification calls.
STAGES = (
    ("segmentation", "segment", "segment (all)"),
    ("segmentation.easyocr_backend", "detect_regions", "detect"),
    ("segmentation.easyocr_backend", "recognize", "recognize"),
    ("segmentation.read", "_quad_view", "quad views (skew)"),
    ("segmentation.read", "_stacks", "vertical stacks"),
    ("segmentation.read", "_sideways", "sideways (90/270)"),
    ("segmentation.read", "letter_parts", "ink parts"),
    ("segmentation.effects", "remove_shadow", "effects: shadow"),
    ("segmentation.effects", "remove_rules", "effects: rules"),
    ("segmentation.hollow", "fill_outlines", "effects: outlines"),
    ("segmentation.chars", "segment_crop", "cut characters"),
    ("segmentation.bend", "bent_view", "bent line check"),
    ("segmentation.read", "hangs", "upside-down check"),
    ("segmentation.curve", "baseline_curve", "curve fit"),
    ("segmentation.curve", "upright_letters", "curve straighten"),
    ("pipeline.rank", "letter_agreement", "letter agreement"),
    ("pipeline.rank.Identifier", "rank_glyphs", "score + verify"),
    ("pipeline.rank.Identifier", "axis_pass", "axis pass"),
)


@dataclass(frozen=True)
class SpeedConfig:
    images: int = 30
    testsets: str = "bench/testsets"
    out: str = "bench/results"
    old_index: str = ""  # the index of the old path ('' = the shipped one for both), e.g. runs/index-named


class StageClock:
    """Wraps each STAGES function to add its CPU seconds and calls to ``self.now``."""

    def __init__(self) -> None:
        self.now: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def install(self) -> None:
        import importlib

        for mod, attr, name in STAGES:
            parts = mod.split(".")
            owner = importlib.import_module(mod) if not parts[-1][0].isupper() else getattr(
                importlib.import_module(".".join(parts[:-1])), parts[-1])
            setattr(owner, attr, self._wrap(getattr(owner, attr), name))

    def _wrap(self, fn, name: str):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                cell = self.now[name]
                cell[0] += time.process_time() - t0
                cell[1] += 1
        return timed

    def take(self) -> dict[str, list[float]]:
        out, self.now = dict(self.now), defaultdict(lambda: [0.0, 0])
        return out


def run(cfg: SpeedConfig) -> list[dict]:
    from bench.bench_robustness import rank_of
    from pipeline import get_identifier

    clock = StageClock()
    clock.install()
    ident = get_identifier()
    new = (ident.segment_config, ident.verify_config, ident.openset)
    old = (replace(new[0], orientations=False, effects=False), replace(new[1], axis_top=0),
           _openset(ident, cfg.old_index) if cfg.old_index else new[2])
    samples = json.loads((Path(cfg.testsets) / "clean" / "manifest.json").read_text())["samples"][: cfg.images]
    for path in (old, new):  # warm: models loaded, fonts opened, both indexes' pages touched
        ident.segment_config, ident.verify_config, ident.openset = path
        ident.rank(Path(cfg.testsets) / samples[0]["image"])
    clock.take()
    rows = []
    for i, s in enumerate(samples):
        order = [("old", old), ("new", new)]
        for name, path in order if i % 2 == 0 else order[::-1]:
            ident.segment_config, ident.verify_config, ident.openset = path
            if ident.fonts is not None:
                ident.fonts.templates.clear()
            t0 = time.process_time()
            r = ident.rank(Path(cfg.testsets) / s["image"], top=5)
            rows.append({"path": name, "image": s["image"], "family": s["family"], "rank": rank_of(r, s["family"]),
                         "cpu": time.process_time() - t0, "text": r.text, "stages": clock.take()})
        cpu = {r["path"]: r["cpu"] for r in rows[-2:]}
        print(f"{i + 1}/{len(samples)} old {cpu['old']:.2f} new {cpu['new']:.2f}", file=sys.stderr, flush=True)
    ident.segment_config, ident.verify_config, ident.openset = new
    return rows


def _openset(ident, index_dir: str):
    """The identifier's OpenSet over another index folder (same catalog restriction)."""
    from fontindex import load_index
    from pipeline.openset import OpenSet

    return OpenSet.for_catalog(load_index(index_dir), ident.model.labels, ident.verify_config.catalog)


def p50_ratio_interval(old: np.ndarray, new: np.ndarray, seed: int = 0, n: int = 2000) -> tuple[float, float]:
    """95 % bootstrap interval of median(new) / median(old), resampling the pictures (pairs)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(old), size=(n, len(old)))  # (n, P)
    r = np.median(new[idx], axis=1) / np.median(old[idx], axis=1)
    return float(np.percentile(r, 2.5)), float(np.percentile(r, 97.5))


def report(rows: list[dict], cfg: SpeedConfig, wall: float) -> str:
    import os

    by = {p: [r for r in rows if r["path"] == p] for p in ("old", "new")}
    o, n = (np.array([r["cpu"] for r in by[p]]) for p in ("old", "new"))
    ranks = {p: np.array([r["rank"] for r in by[p]]) for p in by}
    lo, hi = p50_ratio_interval(o, n)
    old_index = f"the index `{cfg.old_index}`" if cfg.old_index else "the shipped index"
    lines = ["# What issue 11's steps cost plain straight text (clean split)", "",
             f"{len(o)} clean images, each identified by the old path (SegmentConfig orientations/effects off, "
             f"render-and-compare's axis pass off, {old_index}) and the new (as shipped), order alternating, "
             "template cache emptied before every reading; CPU seconds (process_time) of one process, 1 thread; "
             f"{platform.node()} ({platform.machine()}), load average {os.getloadavg()[0]:.1f} at the end, "
             f"wall {wall / 60:.1f} min. Generated by `bench/bench_robust_speed.py`.", "",
             "| path | top-1 | top-5 | CPU s/img p50 | mean | p95 |", "|---|---:|---:|---:|---:|---:|"]
    for p, t in (("old", o), ("new", n)):
        r = ranks[p]
        lines.append(f"| {p} | {np.mean(r == 1):.3f} | {np.mean((r >= 1) & (r <= 5)):.3f} | {np.median(t):.3f} | "
                     f"{t.mean():.3f} | {np.percentile(t, 95):.3f} |")
    lines += ["", f"new / old: p50 {np.median(n) / np.median(o):.3f} (95 % bootstrap interval {lo:.3f}-{hi:.3f}), "
              f"mean {n.mean() / o.mean():.3f}, median of per-image ratios {np.median(n / o):.3f}", "",
              "Per stage (inclusive CPU seconds per image, mean; calls per image):", "",
              "| stage | old s | new s | old calls | new calls |", "|---|---:|---:|---:|---:|"]
    for _, _, name in STAGES:
        def mean(p: str, k: int, name: str = name) -> float:
            return float(np.mean([r["stages"].get(name, [0.0, 0])[k] for r in by[p]]))
        lines.append(f"| {name} | {mean('old', 0):.3f} | {mean('new', 0):.3f} | {mean('old', 1):.2f} | "
                     f"{mean('new', 1):.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f, default in asdict(SpeedConfig()).items():
        p.add_argument("--" + f, type=type(default), default=default)
    cfg = SpeedConfig(**vars(p.parse_args(argv)))
    t0 = time.perf_counter()
    rows = run(cfg)
    md = report(rows, cfg, time.perf_counter() - t0)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "robustness_speed.md").write_text(md)
    (out / "robustness_speed.json").write_text(json.dumps({"config": asdict(cfg), "rows": rows}))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
