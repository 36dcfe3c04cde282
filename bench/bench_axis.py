"""Axis extremes (issue 11, item 3): top-1/top-5 of variable families drawn at the ends of their
axes, beside the same family and text at its default instance, with render-and-compare's axis
pass (VerifyConfig.axis_top) off and on; and what the pass costs on the clean split.

    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_axis.py [--families 40] [--texts 2] [--clean 40] [--axis-top 3]

Pictures: bench/bench_robustness.py's axis kind (bench.fonts.axis_extremes, drawn with PIL from
the catalog's variable files; phrases never used in training). Every picture is ranked twice,
pass off and on, in a seeded random order, each reading with an empty template cache (as a
picture whose words were never drawn: the second reading would otherwise find the first's
drawings); CPU seconds (time.process_time) of each ranking, paired in one run. The clean part reads the first --clean
images of bench/testsets/clean the same way. Writes bench/results/axis.md and .json, and puts the
table into bench/results/robustness.md between its axis markers.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_robustness import SIZE, RobustnessConfig, axis_families, pick_end, rank_of, texts_for  # noqa: E402
from bench.fonts import covers  # noqa: E402
from bench.robust_draw import KINDS  # noqa: E402

BEGIN, END = "<!-- axis: bench/bench_axis.py -->", "<!-- /axis -->"


@dataclass(frozen=True)
class AxisBenchConfig:
    families: int = 40  # variable families (bench_robustness.axis_families order)
    texts: int = 2  # phrases per family
    clean: int = 40  # clean-split images (0 = skip)
    axis_top: int = 3  # VerifyConfig.axis_top of the "on" reading
    testsets: str = "bench/testsets"
    out: str = "bench/results"
    seed: int = 0
    model: str = ""  # model directory ('' = the shipped models/default), e.g. one retrained across axis ranges


def pictures(cfg: AxisBenchConfig) -> list[dict]:
    """(kind, end, family, text, image) of every axis picture and its default-instance control."""
    out, counts = [], {}
    for fam, base, ends in axis_families(RobustnessConfig(families=cfg.families)):
        used: set[str] = set()
        for text in texts_for(fam.family.id, cfg.texts, cfg.seed):
            name, style = pick_end(ends, counts, used)
            if not covers(style, text):
                continue
            for kind, st in (("axis-control", base), ("axis", style)):
                out.append({"kind": kind, "extreme": name, "family": fam.family.id, "text": text,
                            "image": KINDS["control"](st, text, SIZE, None)})
    return out


def paired(ident, items: list[dict], axis_top: int) -> list[dict]:
    """Each item ranked with the axis pass off and on (order alternating); rank and CPU s of each."""
    off_cfg = replace(ident.verify_config, axis_top=0)
    on_cfg = replace(ident.verify_config, axis_top=axis_top)
    rows, rng = [], np.random.default_rng(0)
    if items:  # warm up (models, OCR reader) outside the timings
        ident.rank(items[0]["image"], top=5)
    for i, it in enumerate(items):
        row = {k: v for k, v in it.items() if k != "image"}
        order = [("off", off_cfg), ("on", on_cfg)]
        for name, vc in (order if rng.random() < 0.5 else order[::-1]):
            ident.verify_config = vc
            if ident.fonts is not None:
                ident.fonts.templates.clear()
            t0 = time.process_time()
            r = ident.rank(it["image"], top=5)
            row[f"cpu_{name}"] = time.process_time() - t0
            row[f"rank_{name}"] = rank_of(r, it["family"])
            row[f"top_{name}"] = r.fonts[0].family if r.fonts else None
        rows.append(row)
        print(f"{i + 1}/{len(items)} {row['kind']} {row['family']} {row['extreme']}: off={row['rank_off']} "
              f"on={row['rank_on']}", file=sys.stderr, flush=True)
    ident.verify_config = off_cfg
    return rows


def clean_items(cfg: AxisBenchConfig) -> list[dict]:
    manifest = Path(cfg.testsets) / "clean" / "manifest.json"
    if cfg.clean <= 0 or not manifest.is_file():
        return []
    return [{"kind": "clean", "extreme": "-", "family": s["family"], "text": s.get("text", ""),
             "image": Path(cfg.testsets) / s["image"]}
            for s in json.loads(manifest.read_text())["samples"][: cfg.clean]]


def stats(rows: list[dict], name: str) -> dict:
    r = np.array([x[f"rank_{name}"] for x in rows])
    cpu = np.array([x[f"cpu_{name}"] for x in rows])
    return {"n": len(rows), "top1": float(np.mean(r == 1)), "top5": float(np.mean((r >= 1) & (r <= 5))),
            "cpu_p50": float(np.median(cpu)), "cpu_mean": float(cpu.mean())}


def report(rows: list[dict], cfg: AxisBenchConfig, minutes: float) -> list[str]:
    lines = [BEGIN, "## Axis extremes (issue 11, item 3)", "",
             f"{cfg.families} variable families x {cfg.texts} texts, {SIZE} px: each drawn at one end of an axis "
             "(`axis`) and at its default instance (`axis-control`, the same file and text). Render-and-compare's "
             f"axis pass off and on (`VerifyConfig.axis_top` {cfg.axis_top}: the best {cfg.axis_top} candidates "
             "with a width or optical-size axis also drawn at its ends), each picture read both ways in one run, "
             f"random order, template cache emptied before each reading; CPU seconds per picture. {platform.node()}, 2 shared cores, {minutes:.0f} min. "
             "Generated by `bench/bench_axis.py`" + (f" --model {cfg.model}" if cfg.model else "") + ".", "",
             "| kind | n | top-1 off | top-5 off | top-1 on | top-5 on | top-5 on vs its control | within 10 points "
             "| CPU s p50 off | CPU s p50 on |", "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    by = {k: [r for r in rows if r["kind"] == k] for k in dict.fromkeys(r["kind"] for r in rows)}
    ctl = stats(by["axis-control"], "on")["top5"] if by.get("axis-control") else float("nan")
    for k, sel in by.items():
        a, b = stats(sel, "off"), stats(sel, "on")
        d = b["top5"] - ctl if k != "clean" else float("nan")
        lines.append(f"| {k} | {a['n']} | {a['top1']:.3f} | {a['top5']:.3f} | {b['top1']:.3f} | {b['top5']:.3f} | "
                     f"{d:+.3f} | {'-' if k == 'clean' else 'yes' if d >= -0.10 else 'no'} | {a['cpu_p50']:.3f} | "
                     f"{b['cpu_p50']:.3f} |")
    if by.get("clean"):
        a, b = stats(by["clean"], "off"), stats(by["clean"], "on")
        lines += ["", f"Clean split, CPU p50 on / off: {b['cpu_p50'] / a['cpu_p50']:.3f} "
                  f"(mean {b['cpu_mean'] / a['cpu_mean']:.3f})."]
    lines += ["", "Per end (axis pictures; top-1 / top-5, pass off -> on; default instance with the pass on):", "",
              "| end | n | off | on | default instance |", "|---|---:|---|---|---|"]
    for end in dict.fromkeys(r["extreme"] for r in by.get("axis", [])):
        x = stats([r for r in by["axis"] if r["extreme"] == end], "off")
        y = stats([r for r in by["axis"] if r["extreme"] == end], "on")
        c = stats([r for r in by["axis-control"] if r["extreme"] == end], "on")
        lines.append(f"| {end} | {x['n']} | {x['top1']:.2f} / {x['top5']:.2f} | {y['top1']:.2f} / {y['top5']:.2f} | "
                     f"{c['top1']:.2f} / {c['top5']:.2f} |")
    return lines + ["", END]


def write(lines: list[str], rows: list[dict], cfg: AxisBenchConfig) -> None:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "axis.md").write_text("\n".join(lines[1:-1]) + "\n")
    (out / "axis.json").write_text(json.dumps({"config": asdict(cfg), "rows": rows}, indent=1))
    md = out / "robustness.md"
    old = md.read_text() if md.is_file() else "# Robustness benchmark\n"
    if BEGIN in old and END in old:
        old = old[: old.index(BEGIN)] + old[old.index(END) + len(END):].lstrip("\n")
    md.write_text(old.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f, default in asdict(AxisBenchConfig()).items():
        p.add_argument("--" + f.replace("_", "-"), type=type(default), default=default)
    cfg = AxisBenchConfig(**vars(p.parse_args(argv)))
    from pipeline import get_identifier

    ident = get_identifier(cfg.model) if cfg.model else get_identifier()
    t0 = time.perf_counter()
    rows = paired(ident, pictures(cfg) + clean_items(cfg), cfg.axis_top)
    lines = report(rows, cfg, (time.perf_counter() - t0) / 60)
    write(lines, rows, cfg)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
