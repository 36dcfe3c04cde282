"""Calibration of the final answer on the benchmark splits: is a top score of 0.7 right 70 % of the time?

    .venv/bin/python bench/bench_calibration.py [--splits clean,photo,scene,short] [--limit 60]

Reads --limit images of each split of bench/testsets, every --stride-th from the first
(one family each; draw them with `python cli.py benchmark --make-testsets`): the even-numbered
ones by default, as bench/calibration_fit.py fits the temperature on the odd-numbered
ones. Ranks each with the pipeline as
users run it, and measures the expected calibration error (ECE, 10 equal-width bins) of the
top score against top-1 correctness, per split and over all. Writes
bench/results/calibration_splits.md, .json and a reliability diagram
bench/results/calibration_splits.png.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.scoring import expected_calibration_error  # noqa: E402


@dataclass(frozen=True)
class CalibrationBenchConfig:
    splits: str = "clean,photo,scene,short"
    limit: int = 60  # images per split
    stride: int = 2  # every stride-th image from the first: the even ones (bench/calibration_fit.py fits on the odd)
    testsets: str = "bench/testsets"
    out: str = "bench/results"


def run(ident, cfg: CalibrationBenchConfig) -> list[dict]:
    rows = []
    for split in cfg.splits.split(","):
        manifest = Path(cfg.testsets) / split / "manifest.json"
        if not manifest.is_file():
            print(f"skip {split}: no {manifest}", file=sys.stderr)
            continue
        for k, s in enumerate(json.loads(manifest.read_text())["samples"][:: cfg.stride][: cfg.limit]):
            t0 = time.perf_counter()
            r = ident.rank(Path(cfg.testsets) / s["image"], top=5)
            top = r.fonts[0] if r.fonts else None
            rows.append({"split": split, "image": s["image"], "family": s["family"],
                         "top": top.family if top else None, "score": top.score if top else 0.0,
                         "warnings": r.warnings, "seconds": time.perf_counter() - t0})
            if (k + 1) % 10 == 0:
                print(f"{split} {k + 1}", file=sys.stderr, flush=True)
    return rows


def summary(rows: list[dict]) -> dict[str, dict]:
    out = {}
    for split in [*dict.fromkeys(r["split"] for r in rows), "all"]:
        sel = [r for r in rows if split in ("all", r["split"])]
        conf = np.array([r["score"] for r in sel])
        correct = np.array([r["top"] == r["family"] for r in sel], dtype=np.float64)
        out[split] = {"n": len(sel), "top1": float(correct.mean()), "mean_score": float(conf.mean()),
                      "ece": expected_calibration_error(conf, correct), "ece_floor": ece_floor(conf)}
    return out


def ece_floor(conf: np.ndarray, draws: int = 200, seed: int = 0) -> float:
    """Mean ECE of a perfectly calibrated answer with these top scores (each right with
    probability equal to its score): what sampling alone gives on this many pictures."""
    rng = np.random.default_rng(seed)
    return float(np.mean([expected_calibration_error(conf, (rng.random(len(conf)) < conf).astype(np.float64))
                          for _ in range(draws)]))


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = np.linspace(0, 1, 11)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    for split in [*dict.fromkeys(r["split"] for r in rows), "all"]:
        sel = [r for r in rows if split in ("all", r["split"])]
        conf = np.array([r["score"] for r in sel])
        correct = np.array([r["top"] == r["family"] for r in sel], dtype=np.float64)
        xs, ys = [], []
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            m = (conf > lo) & (conf <= hi)
            if m.sum() >= 3:
                xs.append(float(conf[m].mean()))
                ys.append(float(correct[m].mean()))
        ax.plot(xs, ys, marker="o", lw=2 if split == "all" else 1, label=split)
    ax.set_xlabel("top score (mean per bin)")
    ax.set_ylabel("top-1 correct (share per bin)")
    ax.set_title("Reliability of the final answer")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f, default in asdict(CalibrationBenchConfig()).items():
        p.add_argument("--" + f, type=type(default), default=default)
    cfg = CalibrationBenchConfig(**vars(p.parse_args(argv)))
    from pipeline import get_identifier

    rows = run(get_identifier(), cfg)
    summ = summary(rows)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# Calibration of the final answer on the benchmark splits", "",
             f"{cfg.limit} images per split of `{cfg.testsets}`, every {cfg.stride}th from the first (one family each; "
             "the temperature is fitted on the others by `bench/calibration_fit.py`), pipeline as users run it "
             "(render-and-compare on). ECE: 10 equal-width bins of the top score vs top-1 correct. "
             "Generated by `bench/bench_calibration.py`.", "",
             "ECE floor: the mean ECE a perfectly calibrated score would show on the same number of pictures "
             "(sampling noise).", "",
             "| split | n | top-1 | mean top score | ECE | ECE floor |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {k} | {s['n']} | {s['top1']:.3f} | {s['mean_score']:.3f} | {s['ece']:.3f} | {s['ece_floor']:.3f} |"
              for k, s in summ.items()]
    lines += ["", "![reliability diagram](calibration_splits.png)", ""]
    (out / "calibration_splits.md").write_text("\n".join(lines))
    (out / "calibration_splits.json").write_text(json.dumps({"config": asdict(cfg), "summary": summ, "rows": rows},
                                                            indent=1))
    plot(rows, out / "calibration_splits.png")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
