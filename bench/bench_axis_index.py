"""Axis ends in the font index (issue 11, item 3) on held-out axis pictures, and the end prior's sweep.

    python cli.py index build --no-axis-ends --out runs/index-named   # once: named weights only (or
                                                                      # the index shipped before, from git)
    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_axis_index.py --named runs/index-named --set top
    OMP_NUM_THREADS=1 .venv/bin/python bench/bench_axis_index.py --named runs/index-named --set beyond

Pictures: the robustness benchmark's axis kind (bench/bench_robustness.py: a variable family's
default instance, axis-control, and one end of an axis, axis; drawn with PIL from its variable
file) for families the benchmark does not draw: --set top takes the top 300's variable families
after the benchmark's first 40 (bench_robustness.axis_families order), --set beyond the full
catalog's variable families outside the top 300 (width and optical-size ones first); two texts
each from another seed than the benchmark's. Each picture is read once (OCR, segmentation), then
ranked with the index without axis ends (--named) and with the shipped one at each end prior
(fontindex.scoring.END_PENALTY candidates, --penalties). Writes bench/results/axis_index-SET.json
and regenerates bench/results/axis_index.md from every set present. --speed N: instead, the first
N clean-split images of --testsets, each read once and ranked with both indexes (random order,
the template cache emptied before each ranking, as bench/bench_axis.py does): the CPU seconds the
axis ends add to a plain picture (bench/results/axis_index-speed.json).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_robustness import SIZE, RobustnessConfig, axis_families, pick_end, rank_of, texts_for  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SEED = 1  # texts and drawings: not the robustness benchmark's seed 0


def families(which: str, first: int, last: int) -> list:
    """(family files, default instance, ends) of the held-out variable families."""
    if which == "top":
        return axis_families(RobustnessConfig(families=10_000))[first:last]
    from bench.fonts import axis_extremes, default_instance
    from bench.make_testsets import catalog_files
    from glyphs.catalog import load_catalog

    top = {f.id for f in load_catalog("top300")}
    found = []
    for fam in catalog_files("all", None, 0)[0]:
        if fam.family.id not in top and (base := default_instance(fam)) is not None and (ends := axis_extremes(fam)):
            found.append((fam, base, ends))
    rich = [f for f in found if any(n.split("-")[0] in ("wdth", "opsz") for n, _ in f[2])]
    return (rich + [f for f in found if f not in rich])[first:last]


def run(named_dir: str, which: str, first: int, last: int, penalties: list[float]) -> list[dict]:
    import fontindex
    from bench.fonts import covers
    from bench.robust_draw import KINDS
    from fontindex.store import load_index
    from pipeline import get_identifier
    from segmentation import load_image, segment

    ident = get_identifier()
    shipped, named = ident.openset.index, load_index(named_dir)
    if named.family_ids != shipped.family_ids:
        named = named.only(set(shipped.family_ids))
    match = fontindex.family_match
    rows, counts = [], {}
    try:
        for fi, (fam, base, ends) in enumerate(families(which, first, last)):
            used: set[str] = set()
            for ti, text in enumerate(texts_for(fam.family.id, 2, SEED)):
                name, style = pick_end(ends, counts, used)
                if not covers(style, text):
                    continue
                for kind, st in (("axis-control", base), ("axis", style)):
                    rgb = load_image(KINDS["control"](st, text, SIZE, np.random.default_rng([SEED, fi, ti])))
                    seg = segment(rgb, norm=ident.model.labels.norm, config=ident.segment_config,
                                  likeness=ident.likeness)
                    row = {"kind": kind, "end": name, "family": fam.family.id, "text": text, "ranks": {}}
                    for label, index, pen in [("named", named, 0.0)] + [(f"ends {p:g}", shipped, p) for p in penalties]:
                        ident.openset = replace(ident.openset, index=index)
                        fontindex.family_match = functools.partial(match, end_penalty=pen)
                        r = ident.rank_glyphs(seg.glyphs, seg.text, 5, rgb, words=seg.words)
                        row["ranks"][label] = rank_of(r, fam.family.id)
                    rows.append(row)
                    print(f"{fi + 1} {fam.family.id} {kind} {name}: {row['ranks']}", file=sys.stderr, flush=True)
    finally:
        fontindex.family_match = match
    return rows


def speed(named_dir: str, testsets: str, n: int) -> list[dict]:
    """Paired CPU seconds of ranking each clean image with the named-only and the shipped index."""
    import time

    from fontindex.store import load_index
    from pipeline import get_identifier
    from segmentation import load_image, segment

    ident = get_identifier()
    shipped, named = ident.openset.index, load_index(named_dir)
    named = named.only(set(shipped.family_ids)) if named.family_ids != shipped.family_ids else named
    samples = json.loads((Path(testsets) / "clean" / "manifest.json").read_text())["samples"][:n]
    rows, rng = [], np.random.default_rng(0)
    for k, s in enumerate(samples):
        rgb = load_image(Path(testsets) / s["image"])
        seg = segment(rgb, norm=ident.model.labels.norm, config=ident.segment_config, likeness=ident.likeness)
        row = {"image": s["image"], "family": s["family"]}
        order = [("named", named), ("ends", shipped)]
        for label, index in (order if rng.random() < 0.5 else order[::-1]):
            ident.openset = replace(ident.openset, index=index)
            if ident.fonts is not None:
                ident.fonts.templates.clear()
            t0 = time.process_time()
            r = ident.rank_glyphs(seg.glyphs, seg.text, 5, rgb, words=seg.words)
            row[f"cpu_{label}"], row[f"rank_{label}"] = time.process_time() - t0, rank_of(r, s["family"])
        if k > 0:  # the first ranking warms up (fonts, caches)
            rows.append(row)
    ident.openset = replace(ident.openset, index=shipped)
    return rows


def speed_lines(path: Path) -> list[str]:
    rows = json.loads(path.read_text())["rows"]
    a, b = (np.array([r[f"cpu_{k}"] for r in rows]) for k in ("named", "ends"))
    top1 = [np.mean([r[f"rank_{k}"] == 1 for r in rows]) for k in ("named", "ends")]
    return ["## Speed on plain pictures (clean split, ranking only, paired)", "",
            f"{len(rows)} images; CPU s p50 named {np.median(a):.3f}, with ends {np.median(b):.3f} (ratio of p50 "
            f"{np.median(b) / np.median(a):.3f}, of means {b.mean() / a.mean():.3f}); top-1 {top1[0]:.3f} -> "
            f"{top1[1]:.3f}. OCR and segmentation (the same for both) not counted. Per-image pairs scatter widely "
            "(the second ranking of a picture finds its font files open), so only the p50 and mean compare.", ""]


def table() -> list[str]:
    lines = ["# Axis ends in the font index (issue 11, item 3): held-out pictures", "",
             "Generated by `bench/bench_axis_index.py` (see its docstring for the pictures: families and texts the "
             "robustness benchmark does not draw). `named`: the index of named weights only "
             "(`index build --no-axis-ends`); `ends P`: the shipped index with axis ends, end prior P per glyph. "
             "Top-1 / top-5.", ""]
    for path in sorted(p for p in RESULTS.glob("axis_index-*.json") if p.name != "axis_index-speed.json"):
        d = json.loads(path.read_text())
        rows = d["rows"]
        labels = list(rows[0]["ranks"]) if rows else []
        lines += [f"## {d['set']} (families {d['first']}-{d['last']}, {len(rows) // 2} pictures per kind)", "",
                  "| kind | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]
        for kind in ("axis-control", "axis"):
            sel = [r["ranks"] for r in rows if r["kind"] == kind]
            cells = [f"{np.mean([s[k] == 1 for s in sel]):.3f} / {np.mean([1 <= s[k] <= 5 for s in sel]):.3f}"
                     for k in labels]
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        lines.append("")
    if (RESULTS / "axis_index-speed.json").is_file():
        lines += speed_lines(RESULTS / "axis_index-speed.json")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--named", required=True, help="index folder built with `index build --no-axis-ends`")
    ap.add_argument("--set", choices=("top", "beyond"), default="top")
    ap.add_argument("--first", type=int, default=None, help="first family (default: 40 for top, 0 for beyond)")
    ap.add_argument("--last", type=int, default=None, help="end of the families (default: 127 for top, 45 beyond)")
    ap.add_argument("--penalties", default="0,0.02,0.04,0.08", help="end prior values, comma-separated")
    ap.add_argument("--speed", type=int, default=0, help="instead: paired ranking CPU time on this many clean images")
    ap.add_argument("--testsets", default=str(ROOT / "bench" / "testsets"), help="with --speed: test sets folder")
    a = ap.parse_args()
    if a.speed:
        rows = speed(a.named, a.testsets, a.speed)
        (RESULTS / "axis_index-speed.json").write_text(json.dumps({"testsets": a.testsets, "rows": rows}, indent=1) + "\n")
        text = "\n".join(table()) + "\n"
        (RESULTS / "axis_index.md").write_text(text)
        print(text)
        return 0
    first = a.first if a.first is not None else (40 if a.set == "top" else 0)
    last = a.last if a.last is not None else (127 if a.set == "top" else 45)
    rows = run(a.named, a.set, first, last, [float(x) for x in a.penalties.split(",")])
    (RESULTS / f"axis_index-{a.set}.json").write_text(json.dumps(
        {"set": a.set, "first": first, "last": last, "seed": SEED, "rows": rows}, indent=1) + "\n")
    text = "\n".join(table()) + "\n"
    (RESULTS / "axis_index.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
