"""Robustness benchmark: top-1/top-5 per kind of picture beside its plain straight control,
and the clean split's speed and accuracy with the direction/effect steps off and on (paired).

    .venv/bin/python bench/bench_robustness.py [--families 40] [--texts 2] [--clean 40] [--kinds all] [--ablate]

Every (family, text) is drawn once per kind (bench/robust_draw.py) from the catalog's
font files at the family's regular style, with phrases of bench/texts.py (no word of
them is in the training word list). The clean part reads the first --clean images of
bench/testsets/clean (draw them with `python cli.py benchmark --make-testsets --split
clean`) twice per image, old path (SegmentConfig orientations/effects off) and new,
alternating which goes first. With --ablate every picture is also read by the old path
(the "old path" columns: what turning and undoing effects buy). Writes bench/results/robustness.md, .json and .png.
Timings are CPU seconds of this process (time.process_time: other jobs on a shared machine
count less than in wall time). The section bench/bench_axis.py writes into robustness.md is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fonts import axis_extremes, covers, default_instance, regular_style  # noqa: E402
from bench.make_testsets import catalog_files  # noqa: E402
from bench.robust_draw import KINDS  # noqa: E402
from bench.texts import PHRASES  # noqa: E402

SIZE = 56  # px, font size of every drawn line


@dataclass(frozen=True)
class RobustnessConfig:
    families: int = 40  # first N catalog families with font files
    texts: int = 2  # phrases per family (each drawn in every kind)
    kinds: str = "all"  # comma-separated names of bench.robust_draw.KINDS, and axis (AXIS_KINDS)
    clean: int = 40  # clean-split images read with the old and the new path (0 = skip)
    ablate: bool = False  # also read every picture with the old path (directions/effects off)
    testsets: str = "bench/testsets"
    out: str = "bench/results"
    seed: int = 0
    model: str = ""  # model directory ('' = the shipped models/default), e.g. one with another font index


def texts_for(family: str, n: int, seed: int) -> list[str]:
    """n distinct phrases for a family, the same on every run."""
    rng = np.random.default_rng([seed, sum(map(ord, family))])
    return [PHRASES[i] for i in rng.choice(len(PHRASES), size=n, replace=False)]


def rank_of(ranking, family: str) -> int:
    """1-based rank of ``family`` in the answer (0 = absent)."""
    ids = [f.family for f in ranking.fonts]
    return ids.index(family) + 1 if family in ids else 0


def run_kinds(ident, cfg: RobustnessConfig) -> list[dict]:
    kinds = list(KINDS) if cfg.kinds == "all" else ["control"] + [k for k in cfg.kinds.split(",") if k in KINDS]
    if kinds == ["control"] and cfg.kinds != "control":
        return []  # only the axis kind asked for (run_axis)
    present, _ = catalog_files("top300", None, 0)
    rows = []
    for fi, fam in enumerate(present[: cfg.families]):
        style = regular_style(fam)
        for ti, text in enumerate(texts_for(fam.family.id, cfg.texts, cfg.seed)):
            for kind in kinds:
                # seeded by the kind's place in KINDS: a run of some kinds draws the full run's pictures
                rng = np.random.default_rng([cfg.seed, fi, ti, list(KINDS).index(kind)])
                img = KINDS[kind](style, text, SIZE, rng)
                t0 = time.process_time()
                r = ident.rank(img, top=5)
                rows.append({"kind": kind, "family": fam.family.id, "text": text, "read": r.text,
                             "rank": rank_of(r, fam.family.id), "top_score": r.fonts[0].score if r.fonts else 0.0,
                             "warnings": r.warnings, "seconds": time.process_time() - t0})
                if cfg.ablate:
                    rows[-1]["rank_old"] = rank_of(_old_path(ident, img), fam.family.id)
            print(f"{fi + 1}/{cfg.families} {fam.family.id} {text!r}: "
                  + " ".join(f"{x['kind']}={x['rank']}" for x in rows[-len(kinds):]), file=sys.stderr, flush=True)
    return rows


AXIS_KINDS = ("axis-control", "axis")  # default instance, and an end of an axis, of the same variable file


def axis_families(cfg: RobustnessConfig) -> list[tuple[object, object, list]]:
    """(family files, default instance, extremes) of the first cfg.families variable families
    of the model's catalog: those with a width or optical-size axis first (catalog order), then
    weight-only ones, so every kind of end is drawn."""
    present, _ = catalog_files("top300", None, 0)
    found = []
    for fam in present:
        base, ends = default_instance(fam), axis_extremes(fam)
        if base is not None and ends:
            found.append((fam, base, ends))
    rich = [f for f in found if any(n.split("-")[0] in ("wdth", "opsz") for n, _ in f[2])]
    return (rich + [f for f in found if f not in rich])[: cfg.families]


def pick_end(ends: list, counts: dict[str, int], used: set[str]) -> tuple[str, object]:
    """The family's end drawn least so far in the run (not yet used for this family while others
    remain; ties in bench.fonts.EXTREMES order), so every kind of end gets its share."""
    pool = [e for e in ends if e[0] not in used] or ends
    name, style = min(pool, key=lambda e: counts.get(e[0], 0))
    counts[name] = counts.get(name, 0) + 1
    used.add(name)
    return name, style


def run_axis(ident, cfg: RobustnessConfig) -> list[dict]:
    """Each (variable family, text) drawn at the default instance (axis-control) and at one end
    of an axis (axis; pick_end: narrowest or widest width, display or caption optical size,
    hairline or black weight)."""
    rows, counts = [], {}
    for fi, (fam, base, ends) in enumerate(axis_families(cfg)):
        used: set[str] = set()
        for ti, text in enumerate(texts_for(fam.family.id, cfg.texts, cfg.seed)):
            name, style = pick_end(ends, counts, used)
            if not covers(style, text):
                continue
            for kind, st in (("axis-control", base), ("axis", style)):
                img = KINDS["control"](st, text, SIZE, np.random.default_rng([cfg.seed, fi, ti]))
                t0 = time.process_time()
                r = ident.rank(img, top=5)
                rows.append({"kind": kind, "extreme": name, "family": fam.family.id, "text": text, "read": r.text,
                             "rank": rank_of(r, fam.family.id), "top_score": r.fonts[0].score if r.fonts else 0.0,
                             "top": r.fonts[0].family if r.fonts else None, "warnings": r.warnings,
                             "seconds": time.process_time() - t0})
            print(f"axis {fi + 1}/{cfg.families} {fam.family.id} {name} {text!r}: "
                  f"control={rows[-2]['rank']} axis={rows[-1]['rank']}", file=sys.stderr, flush=True)
    return rows


def _old_path(ident, img):
    """The picture read as before issue 11: no turning, no lettering effects undone."""
    new_cfg = ident.segment_config
    ident.segment_config = replace(new_cfg, orientations=False, effects=False)
    try:
        return ident.rank(img, top=5)
    finally:
        ident.segment_config = new_cfg


def run_clean(ident, cfg: RobustnessConfig) -> list[dict]:
    """Paired: each clean image read by the old path and the new, alternating the order."""
    manifest = Path(cfg.testsets) / "clean" / "manifest.json"
    if cfg.clean <= 0 or not manifest.is_file():
        return []
    samples = json.loads(manifest.read_text())["samples"][: cfg.clean]
    new_cfg = ident.segment_config
    old_cfg = replace(new_cfg, orientations=False, effects=False)
    rows = []
    for i, s in enumerate(samples):
        path = Path(cfg.testsets) / s["image"]
        order = [("old", old_cfg), ("new", new_cfg)]
        for name, seg_cfg in (order if i % 2 == 0 else order[::-1]):
            ident.segment_config = seg_cfg
            t0 = time.process_time()
            r = ident.rank(path, top=5)
            rows.append({"path": name, "image": s["image"], "family": s["family"], "rank": rank_of(r, s["family"]),
                         "seconds": time.process_time() - t0})
    ident.segment_config = new_cfg
    return rows


def summarise(rows: list[dict], key: str) -> dict[str, dict]:
    out = {}
    for k in dict.fromkeys(r[key] for r in rows):
        sel = [r for r in rows if r[key] == k]
        ranks = np.array([r["rank"] for r in sel])
        secs = np.array([r["seconds"] for r in sel])
        out[k] = {"n": len(sel), "top1": float(np.mean(ranks == 1)), "top5": float(np.mean((ranks >= 1) & (ranks <= 5))),
                  "p50": float(np.median(secs)), "p95": float(np.percentile(secs, 95))}
        if all("rank_old" in r for r in sel):
            old = np.array([r["rank_old"] for r in sel])
            out[k] |= {"top1_old": float(np.mean(old == 1)), "top5_old": float(np.mean((old >= 1) & (old <= 5)))}
    return out


def axis_table(rows: list[dict]) -> list[str]:
    """Markdown: top-1/top-5 of the axis kind per end of an axis, beside the same pictures'
    default instance."""
    sel = [r for r in rows if r["kind"] in AXIS_KINDS]
    if not sel:
        return []
    lines = ["", "## Axis extremes, per end (each beside the same family and text at its default instance)", "",
             "| end | n | top-1 | top-5 | default instance top-1 | default instance top-5 |",
             "|---|---:|---:|---:|---:|---:|"]
    for end in dict.fromkeys(r["extreme"] for r in sel):
        a = summarise([r for r in sel if r["extreme"] == end], "kind")
        c, x = a.get("axis-control", {}), a.get("axis", {})
        lines.append(f"| {end} | {x.get('n', 0)} | {x.get('top1', 0):.3f} | {x.get('top5', 0):.3f} | "
                     f"{c.get('top1', 0):.3f} | {c.get('top5', 0):.3f} |")
    return lines


def write_report(kinds: dict, clean: dict, cfg: RobustnessConfig, wall: float, axis: list[str] = ()) -> Path:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    ctl = kinds.get("control", {}).get("top5", float("nan"))
    axis_ctl = kinds.get("axis-control", {}).get("top5", float("nan"))
    lines = ["# Robustness benchmark", "",
             f"{cfg.families} families x {cfg.texts} texts per kind, {SIZE} px, seed {cfg.seed}; "
             f"{platform.node()} ({platform.machine()}), wall {wall / 60:.1f} min, load average "
             f"{os.getloadavg()[0]:.1f} at the end; CPU seconds per picture. Generated by "
             "`bench/bench_robustness.py` (pictures: `bench/robust_draw.py`).", "",
             "| kind | n | top-1 | top-5 | top-5 vs control | within 10 points | old path top-1 | old path top-5 "
             "| CPU s/img p50 |", "|---|---:|---:|---:|---:|---|---:|---:|---:|"]
    for k, s in kinds.items():
        d = s["top5"] - (axis_ctl if k in AXIS_KINDS else ctl)
        old = (f"{s['top1_old']:.3f} | {s['top5_old']:.3f}" if "top5_old" in s else "– | –")
        lines.append(f"| {k} | {s['n']} | {s['top1']:.3f} | {s['top5']:.3f} | {d:+.3f} | "
                     f"{'yes' if round(d, 6) >= -0.10 else 'no'} | {old} | {s['p50']:.2f} |")
    lines += list(axis)
    if clean:
        o, n = clean["old"], clean["new"]
        lines += ["", f"## Clean split, paired ({o['n']} images, each read by both paths, order alternating)", "",
                  "| path | n | top-1 | top-5 | CPU s/img p50 | CPU s/img p95 |", "|---|---:|---:|---:|---:|---:|"]
        for name, s in (("old (directions/effects off)", o), ("new", n)):
            lines.append(f"| {name} | {s['n']} | {s['top1']:.3f} | {s['top5']:.3f} | {s['p50']:.3f} | {s['p95']:.3f} |")
        lines += ["", f"p50 new / old: {n['p50'] / o['p50']:.3f}"]
    lines += ["", "![top-5 per kind](robustness.png)", ""]
    md = out / "robustness.md"
    lines += _kept_axis_section(md)
    md.write_text("\n".join(lines))
    _plot(kinds, out / "robustness.png")
    return md


AXIS_BEGIN, AXIS_END = "<!-- axis: bench/bench_axis.py -->", "<!-- /axis -->"  # bench_axis.py's section


def _kept_axis_section(md: Path) -> list[str]:
    """The section bench/bench_axis.py wrote into ``md`` (between its markers), kept when
    this report is rewritten; [] when there is none."""
    old = md.read_text() if md.is_file() else ""
    if AXIS_BEGIN not in old or AXIS_END not in old:
        return []
    return old[old.index(AXIS_BEGIN):old.index(AXIS_END) + len(AXIS_END)].split("\n") + [""]


def _plot(kinds: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(kinds)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(names)), 4))
    ax.bar(x - 0.2, [kinds[k]["top1"] for k in names], 0.4, label="top-1")
    ax.bar(x + 0.2, [kinds[k]["top5"] for k in names], 0.4, label="top-5")
    if "control" in kinds:
        ax.axhline(kinds["control"]["top5"] - 0.10, color="grey", ls="--", lw=1, label="control top-5 - 10 points")
    ax.set_xticks(x, names, rotation=40, ha="right")
    ax.set_ylim(0, 1)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("Font identification per kind of picture")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f, default in asdict(RobustnessConfig()).items():
        if isinstance(default, bool):
            p.add_argument("--" + f, action="store_true", help=f"(default: {default})")
        else:
            p.add_argument("--" + f.replace("_", "-"), type=type(default), default=default)
    cfg = RobustnessConfig(**vars(p.parse_args(argv)))
    from pipeline import get_identifier

    ident = get_identifier(cfg.model) if cfg.model else get_identifier()
    t0 = time.perf_counter()
    kind_rows = run_kinds(ident, cfg) if cfg.families > 0 else []
    if cfg.families > 0 and (cfg.kinds == "all" or "axis" in cfg.kinds.split(",")):
        kind_rows += run_axis(ident, cfg)
    clean_rows = run_clean(ident, cfg)
    kinds, clean = summarise(kind_rows, "kind"), summarise(clean_rows, "path")
    md = write_report(kinds, clean, cfg, time.perf_counter() - t0, axis_table(kind_rows))
    (Path(cfg.out) / "robustness.json").write_text(json.dumps(
        {"config": asdict(cfg), "kinds": kinds, "clean": clean, "rows": kind_rows, "clean_rows": clean_rows}, indent=1))
    print(md.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
