"""``python cli.py sweep CONFIG``: short training runs over a small grid; a comparison table and plot.

CONFIG (JSON):
    {"data": "data/glyphs-sweep-40",          # dataset per glyph size ...
     "data_by_size": {"32": "data/glyphs-sweep-32"},
     "base": {"epochs": 3, "batch_size": 256},   # TrainConfig fields for every run
     "runs": [{"name": "w16", "arch_overrides": {"widths": [16, 32, 64, 96]}, "size": 32}, ...]}

Runs usually train for the same number of epochs (equal samples): on a shared
CPU, wall-time budgets measure the neighbours' load more than the model. Each
row carries the model's size and its measured inference and training speed,
so accuracy per sample and cost per sample are read side by side. A
"time_budget_min" in "base" compares at equal wall time instead.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields, replace
from pathlib import Path

from classifier.config import SweepConfig, TrainConfig


class SweepError(ValueError):
    """A sweep config that cannot be run."""


def _run_configs(spec: dict, runs_dir: Path) -> list[tuple[str, TrainConfig]]:
    names = {f.name for f in fields(TrainConfig)}
    base = spec.get("base", {})
    bad = [k for r in [base, *spec.get("runs", [])] for k in r if k not in names | {"name"}]
    if bad or not spec.get("runs"):
        raise SweepError(f"sweep config needs 'runs' and only TrainConfig fields (unknown: {bad})")
    runs = []
    for r in spec["runs"]:
        r = {**base, **r}
        name = r.pop("name")
        if isinstance(r.get("arch_overrides"), dict):
            r["arch_overrides"] = json.dumps(r["arch_overrides"], sort_keys=True)
        size = r.get("size")
        data = spec.get("data_by_size", {}).get(str(size), spec["data"]) if size else spec["data"]
        cfg = TrainConfig(**{**r, "data": data, "out": str(runs_dir / name), "progress": False})
        runs.append((name, cfg))
    return runs


def _measure(name: str, cfg: TrainConfig, seconds: float) -> dict:
    from classifier.speed import inference_rate, train_rate, weights_mb
    from classifier.store import read_model_dir

    net, _, config = read_model_dir(cfg.out)
    m = config["metrics"]
    a = net.args
    return {"name": name, "size": a.size, "widths": "-".join(map(str, a.widths)), "convs": a.convs_per_stage,
            "embed": a.embed_dim, "params_k": sum(p.numel() for p in net.parameters()) / 1e3,
            "mb": weights_mb(net), "best_epoch": config["epoch"], "val_top1": m["val_top1"],
            "val_top5": m["val_top5"], "val_top1_nochar": m["val_top1_nochar"],
            "weight_mae": m["val_weight_mae"], "train_glyphs_s": m["samples_per_s"],
            "infer_glyphs_s_b64": inference_rate(net, 64, seconds),
            "bench_train_glyphs_s": train_rate(net, cfg.batch_size, seconds),
            "head_vs_prototypes": config.get("head_vs_prototypes", {})}


def _table(rows: list[dict]) -> str:
    cols = ["name", "size", "widths", "convs", "embed", "params_k", "mb", "best_epoch", "val_top1", "val_top5",
            "val_top1_nochar", "weight_mae", "train_glyphs_s", "infer_glyphs_s_b64"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(f"{r[c]:.3g}" if isinstance(r[c], float) else str(r[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for r in rows:
        a.scatter(r["infer_glyphs_s_b64"], r["val_top1"])
        a.annotate(r["name"], (r["infer_glyphs_s_b64"], r["val_top1"]), fontsize=7)
        b.scatter(r["mb"], r["val_top1"])
        b.annotate(r["name"], (r["mb"], r["val_top1"]), fontsize=7)
    a.set_xscale("log"), a.set_xlabel("inference glyphs/s (batch 64, CPU)"), a.set_ylabel("val top-1")
    b.set_xlabel("weights (MB)"), b.set_ylabel("val top-1")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def sweep(cfg: SweepConfig) -> int:
    from classifier.train import train

    spec = json.loads(Path(cfg.config).read_text())
    out = Path(cfg.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    runs = _run_configs(spec, Path(cfg.runs))
    rows = []
    for name, tc in runs:
        done = (Path(tc.out) / "checkpoint" / "state.json").is_file() and json.loads(
            (Path(tc.out) / "checkpoint" / "state.json").read_text()).get("done")
        print(f"sweep: {name} {'(already done)' if done else ''}", file=sys.stderr, flush=True)
        if not done:
            train(replace(tc, threads=cfg.threads) if cfg.threads > 0 else tc)
        rows.append(_measure(name, tc, cfg.bench_seconds))
        (out.parent / f"{out.name}.json").write_text(json.dumps(rows, indent=1) + "\n")
    md = f"# Classifier sweep\n\nconfig `{cfg.config}`: {json.dumps(spec.get('base', {}))}\n\n" + _table(rows)
    (out.parent / f"{out.name}.md").write_text(md)
    _plot(rows, out.parent / f"{out.name}.png")
    print(md)
    return 0
