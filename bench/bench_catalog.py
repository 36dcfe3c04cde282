"""The full catalog against the 300 (issue 15), in one run, paired.

    python cli.py benchmark --make-testsets --split clean,photo,clean-beyond300,photo-beyond300 --per-family 1
    python bench/bench_catalog.py [--per-split 100] [--beyond 0]

Two identifiers share one process: ``all`` ranks every family of the full catalog (the shipped
index; the glyph model's 300 classes plus the index for the rest), ``top300`` ranks the 300 the
glyph model was trained on (the model before this issue). Measured:

- top-1 / top-5 on ``clean`` and ``photo`` (families of the 300) for both, image by image, and
  CPU seconds per image (process time, one thread, the two identifiers alternating first);
- top-1 / top-5 and CPU seconds of ``all`` on ``clean-beyond300`` and ``photo-beyond300``
  (one picture per family, families outside the 300, texts never used in training);
- peak RSS of a cold ``identify`` of the sample in a fresh process for each catalog;
- disk: the fonts of each catalog in the cache, the index and the model.

Writes bench/results/catalog.md, catalog.json and catalog.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread, as the light benchmark measures
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
SAMPLE = ROOT / "examples" / "sample.png"
OLD_SPLITS = ("clean", "photo")
NEW_SPLITS = ("clean-beyond300", "photo-beyond300")


def top5(ident, path: Path) -> tuple[list[str], float]:
    """(best five family ids, CPU seconds) of one picture."""
    t0 = time.process_time()
    ranking = ident.rank(path)
    return [f.family for f in ranking.fonts[:5]], time.process_time() - t0


def samples(testsets: Path, split: str, limit: int) -> list:
    from bench.make_testsets import VERSION
    from bench.manifest import as_catalog_names, read_manifest, select
    from glyphs.catalog import resolve_catalog_path
    from glyphs.catalog_files import load_aliases

    _, rows = read_manifest(testsets / split, VERSION)
    return as_catalog_names(select(rows, None, 1, limit), load_aliases(resolve_catalog_path("default")))


def run_split(idents: dict, testsets: Path, split: str, limit: int) -> dict:
    """Every identifier in ``idents`` on the split's first ``limit`` images (one per family)."""
    from tqdm import tqdm

    rows = samples(testsets, split, limit)
    out: dict = {name: {"top1": [], "top5": [], "cpu_s": []} for name in idents}
    names = list(idents)
    for k, s in enumerate(tqdm(rows, desc=split, file=sys.stderr)):
        for name in (names if k % 2 == 0 else names[::-1]):  # alternate who goes first
            got, cpu = top5(idents[name], testsets / s.image)
            out[name]["top1"].append(bool(got[:1] == [s.family]))
            out[name]["top5"].append(s.family in got)
            out[name]["cpu_s"].append(cpu)
    return {name: {"n": len(rows), "families": len({s.family for s in rows}),
                   "top1": float(np.mean(r["top1"])), "top5": float(np.mean(r["top5"])),
                   "p50_cpu_s": float(np.median(r["cpu_s"])), "p90_cpu_s": float(np.percentile(r["cpu_s"], 90))}
            for name, r in out.items()}


def cold_rss(catalog: str) -> dict:
    """Peak RSS (MB) and CPU seconds of ``cli.py identify`` of the sample in a fresh process."""
    cmd = ["/usr/bin/time", "-f", "MAXRSS_KB %M %U %S", sys.executable, str(ROOT / "cli.py"), "identify",
           str(SAMPLE), "--json", "--catalog", catalog]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    stats = [ln.split()[1:] for ln in p.stderr.splitlines() if ln.startswith("MAXRSS_KB")]
    row = json.loads(p.stdout.splitlines()[0]) if p.returncode == 0 and p.stdout else {}
    return {"rss_mb": int(stats[0][0]) / 1024 if stats else None,
            "cpu_s": float(stats[0][1]) + float(stats[0][2]) if stats else None,
            "top1": (row.get("fonts") or [{}])[0].get("family"), "rc": p.returncode}


def disk() -> dict:
    """MB on disk: each catalog's fetched font files, the shipped index, the model files."""
    from glyphs.catalog import default_cache_dir, load_catalog

    cache = default_cache_dir()

    def size(p: Path) -> int:
        if p.is_file():
            return p.stat().st_size
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.exists() else 0

    fonts = {c: sum(size(cache / f.id) for f in load_catalog(c)) / 1e6 for c in ("top300", "all")}
    model = ROOT / "models" / "default"
    return {"fonts_mb": fonts, "index_mb": size(model / "index") / 1e6,
            "model_mb": sum(size(p) for p in model.iterdir() if p.name != "index") / 1e6}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    splits = list(OLD_SPLITS) + list(NEW_SPLITS)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, metric in zip(axes, ("top1", "top5"), strict=True):
        x = np.arange(len(splits))
        names = result.get("systems", ["top300", "all"])
        width = 0.8 / len(names)
        for j, name in enumerate(names):
            vals = [result["splits"].get(s, {}).get(name, {}).get(metric, np.nan) for s in splits]
            ax.bar(x + (j - (len(names) - 1) / 2) * width, vals, width, label=f"catalog {name}")
        ax.axhline(0.85, color="k", lw=0.8, ls="--")
        ax.set_xticks(x, splits, fontsize=8)
        ax.set_title(metric.replace("top", "top-"))
        ax.set_ylim(0, 1)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"The full catalog ({result['families']['all']:,} families) vs the 300; dashed: issue 15's 85 % "
                 "targets", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--testsets", default=str(ROOT / "bench" / "testsets"))
    ap.add_argument("--per-split", type=int, default=100, help="images of clean and photo (one per family)")
    ap.add_argument("--beyond", type=int, default=0, help="images of each beyond-300 split (0 = all)")
    ap.add_argument("--out", default=str(RESULTS / "catalog"))
    ap.add_argument("--model", default="", help="also rank the full catalog with this model directory "
                    "(system 'retrained': e.g. the glyph model fine-tuned on every family, issue 15 option b)")
    ap.add_argument("--priors", default="", help="also rank the full catalog with these trained_prior values "
                    "(comma-separated log-odds, pipeline.config.VerifyConfig.trained_prior)")
    args = ap.parse_args()
    from pipeline import DEFAULT_MODEL, Identifier
    from pipeline.config import VerifyConfig

    testsets, t0 = Path(args.testsets), time.time()
    idents = {c: Identifier(DEFAULT_MODEL, verify=VerifyConfig(catalog=c)) for c in ("top300", "all")}
    if args.model:
        idents["retrained"] = Identifier(Path(args.model), verify=VerifyConfig(catalog="all"))
    for p in [float(x) for x in args.priors.split(",") if x.strip()]:
        idents[f"all+prior{p:g}"] = Identifier(DEFAULT_MODEL, verify=VerifyConfig(trained_prior=p))
    for ident in idents.values():  # warm up: first-call costs (ONNX sessions, caches) are not per image
        ident.rank(SAMPLE)
    result: dict = {"splits": {}, "machine": f"{platform.machine()}, {os.cpu_count()} cores, one thread",
                    "engine": {c: i.engine for c, i in idents.items()},
                    "families": {c: len(i.universe) for c, i in idents.items()}, "systems": list(idents),
                    "render_and_compare": {c: i.verifies for c, i in idents.items()}}
    for split in OLD_SPLITS:
        result["splits"][split] = run_split(idents, testsets, split, args.per_split)
    for split in NEW_SPLITS:
        result["splits"][split] = run_split({k: v for k, v in idents.items() if k != "top300"}, testsets, split,
                                            args.beyond)
    del idents
    result["cold"] = {c: cold_rss(c) for c in ("top300", "all")}
    result["disk"] = disk()
    result["load_average_end"] = os.getloadavg()[0]
    result["minutes"] = (time.time() - t0) / 60
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    plot(result, out.with_suffix(".png"))
    out.with_suffix(".md").write_text(report(result))
    print(report(result))
    return 0


def report(r: dict) -> str:
    s = r["splits"]
    lines = ["# The full catalog vs the 300 (issue 15)", "",
             f"`python bench/bench_catalog.py` on {r['machine']}; load average at the end {r['load_average_end']:.1f}; "
             f"{r['minutes']:.0f} min. Catalogs ranked: all = {r['families']['all']} families, top300 = "
             f"{r['families']['top300']}. Engine {r['engine']['all']}; render-and-compare on: "
             f"{r['render_and_compare']['all']}.", "",
             "| split | images (families) | top-1 all | top-1 top300 | top-5 all | top-5 top300 | p50 CPU s all "
             "| p50 CPU s top300 | p50 ratio |", "|---|---|---|---|---|---|---|---|---|"]
    for split, row in s.items():
        a, b = row["all"], row.get("top300")

        def cell(m: str, b: dict | None = b) -> str:
            return f"{b[m]:.3f}" if b else "–"

        ratio = f"{a['p50_cpu_s'] / b['p50_cpu_s']:.2f}x" if b else "–"
        lines.append(f"| {split} | {a['n']} ({a['families']}) | {a['top1']:.3f} | {cell('top1')} | {a['top5']:.3f} "
                     f"| {cell('top5')} | {a['p50_cpu_s']:.3f} | {cell('p50_cpu_s')} | {ratio} |")
    extra = [n for n in r.get("systems", []) if n.startswith("all+") or n == "retrained"]
    if extra:
        lines += ["", "Other systems on the same pictures (`retrained`: `--model`, a glyph model trained on every "
                  "family; `all+priorP`: VerifyConfig.trained_prior = P log-odds):", "",
                  "| split | system | top-1 | top-5 | p50 CPU s |", "|---|---|---|---|---|"]
        lines += [f"| {split} | {n} | {row[n]['top1']:.3f} | {row[n]['top5']:.3f} | {row[n]['p50_cpu_s']:.3f} |"
                  for split, row in s.items() for n in ["all", *extra] if n in row]
    c, d = r["cold"], r["disk"]
    lines += ["", "| cold `identify examples/sample.png` | peak RSS MB | CPU s | answer |", "|---|---|---|---|"]
    lines += [f"| --catalog {k} | {v['rss_mb']:.0f} | {v['cpu_s']:.2f} | {v['top1']} |" for k, v in c.items()
              if v["rss_mb"] is not None]
    lines += ["", f"Disk: fonts of the 300 {d['fonts_mb']['top300']:.0f} MB, of all {d['fonts_mb']['all']:.0f} MB "
              f"(the fonts cache, never committed); the shipped index {d['index_mb']:.1f} MB; the model "
              f"(safetensors, ONNX, calibration, prototypes) {d['model_mb']:.1f} MB.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
