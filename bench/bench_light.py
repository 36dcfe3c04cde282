"""Light and fast (issue 13): the ONNX Runtime path against the torch path, in one run.

    python bench/bench_light.py [--testsets bench/testsets] [--per-split 60] [--cold-runs 3]

Measures, paired:
- cold ``python cli.py identify examples/sample.png`` (subprocess wall time and peak RSS),
  before ``fonts fetch`` (an empty fonts dir) and with render-and-compare (the font cache);
  the ONNX runs start with torch made unimportable, as on a server without it;
- warm seconds per image in one process, one thread, on the test sets: classifier only,
  render-and-compare as before (every top-30 candidate drawn) and as now (template cache +
  early stop); top-1 agreement and accuracy of the two paths, and agreement of what was read;
- the base install's size in a fresh venv (``pip install`` of pyproject's base dependencies).
Writes bench/results/light.md and light.json. Test sets: ``python cli.py benchmark --make-testsets``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
SAMPLE = ROOT / "examples" / "sample.png"
NO_TORCH = "import sys\nfor m in ('torch', 'torchvision', 'easyocr', 'onnx'):\n    sys.modules[m] = None\n"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
# The torch paths paired with ONNX: "torch" runs the same float networks; "torch-int8" is EasyOCR's
# own default (recogniser quantised to int8), the torch path as it was before this comparison.
TORCH_ENGINES = ("torch", "torch-int8")


# --------------------------------------------------------------------------- cold start
def cold_identify(engine: str, fonts_dir: Path, shim: Path, onnx_cache: Path | None = None,
                  root: Path = ROOT) -> dict:
    """One ``cli.py identify`` of the sample in a fresh process: wall s, peak RSS MB, answer.
    onnx_cache: where ONNX Runtime's optimised graphs are cached (segmentation.ort_cache).
    root: the source tree run; ROOT runs with Python's bytecode cache as a user has it after
    any first start, another tree (source_copy) with none and PYTHONDONTWRITEBYTECODE=1, so
    every start compiles the project's modules again (how this machine's shells run)."""
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, **ONE_THREAD,
           "PYTHONPATH": str(root)}
    if root != ROOT:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.setdefault("FREEFONTFINDER_OCR_DIR", str(ROOT / "models" / "ocr"))
    if onnx_cache is not None:
        env["FREEFONTFINDER_ONNX_CACHE"] = str(onnx_cache)
    if engine == "onnx":
        env["PYTHONPATH"] = os.pathsep.join([str(shim), str(root)])
    cmd = ["/usr/bin/time", "-f", "MAXRSS_KB %M %U %S", sys.executable, str(root / "cli.py"), "identify", str(SAMPLE),
           "--json", "--engine", engine, "--fonts-dir", str(fonts_dir)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=env, timeout=600)
    wall = time.perf_counter() - t0
    stats = [line.split()[1:] for line in p.stderr.splitlines() if line.startswith("MAXRSS_KB")]
    rss, cpu = (int(stats[0][0]) / 1024, float(stats[0][1]) + float(stats[0][2])) if stats else (np.nan, np.nan)
    row = json.loads(p.stdout.splitlines()[0]) if p.returncode == 0 and p.stdout else {}
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "rc": p.returncode,
            "top1": (row.get("fonts") or [{}])[0].get("family"), "text": row.get("text")}


def cold_table(runs: int, fonts_cache: Path) -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        shim, empty = Path(tmp) / "shim", Path(tmp) / "nofonts"
        shim.mkdir()
        empty.mkdir()
        (shim / "sitecustomize.py").write_text(NO_TORCH)
        cache = Path(tmp) / "onnx-cache"  # empty: the first run optimises and caches the ONNX graphs
        first = cold_identify("onnx", empty, shim, cache)
        print(f"cold first run on this machine: {first['cpu_s']:.2f} CPU s, {first['rss_mb']:.0f} MB", file=sys.stderr)
        out["first run on a machine (fills the ONNX graph cache)"] = {"onnx": [first]}
        src = source_copy(Path(tmp) / "src")
        for label, fonts in (("before fonts fetch", empty), ("with render-and-compare", fonts_cache)):
            for r in range(runs):  # interleaved, so load changes on this shared machine hit both
                for engine in ("onnx", "torch", "onnx, no bytecode cache") if fonts == empty else ("onnx", "torch"):
                    no_pyc = engine.endswith("cache")
                    res = cold_identify(engine.split(",")[0], fonts, shim, cache, src if no_pyc else ROOT)
                    print(f"cold {label} {engine} run {r}: {res['wall_s']:.2f} s ({res['cpu_s']:.2f} CPU s), "
                          f"{res['rss_mb']:.0f} MB, "
                          f"{res['top1']}", file=sys.stderr)
                    key = f"{label}, no bytecode cache (PYTHONDONTWRITEBYTECODE=1)" if no_pyc else label
                    out.setdefault(key, {}).setdefault(engine.split(",")[0], []).append(res)
    return out


def source_copy(dest: Path) -> Path:
    """The project's source tree (no __pycache__, git, test sets or results; the OCR networks are
    read from ROOT's models/ocr) at ``dest``."""
    import shutil

    skip = {ROOT / "models" / "ocr", ROOT / "bench" / "testsets", ROOT / "bench" / "results", ROOT / ".git"}

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n == "__pycache__" or Path(folder) / n in skip]

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


# --------------------------------------------------------------------------- warm, in one process
def worker(engine: str, images: list[dict], old_rc_splits: set[str], out: Path) -> None:
    """Rank every image with the classifier alone, old and new render-and-compare; write rows."""
    from pipeline.config import VerifyConfig
    from pipeline.rank import Identifier

    if engine.startswith("torch"):
        import torch

        torch.set_num_threads(1)
    idents = {"classifier": Identifier(engine=engine, verify=VerifyConfig(enabled=False)),
              "rc_old": Identifier(engine=engine, verify=VerifyConfig(stop_margin=0.0))}
    idents["rc_old"].fonts.templates.max_bytes = 0  # no drawings kept between pictures: as before
    if engine == "onnx":  # the torch path is the old one: classifier, and R&C drawing all 30 candidates
        idents["rc_new"] = Identifier(engine=engine)
    idents["classifier"].rank(SAMPLE)  # load the networks before timing
    rows = []
    for n, s in enumerate(images):
        row = {**s, "engine": engine}
        for name, ident in idents.items():
            if name == "rc_old" and engine == "onnx" and s["split"] not in old_rc_splits:
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            r = ident.rank(ROOT / s["path"])
            row[name] = {"s": time.perf_counter() - t0, "cpu": time.process_time() - c0, "top5": [f.family for f in r.fonts],
                         "score": r.fonts[0].score if r.fonts else 0.0, "text": r.text}
        rows.append(row)
        print(f"{engine} {n + 1}/{len(images)} {s['split']}", file=sys.stderr, flush=True)
    cache = idents["rc_new"].fonts.templates if "rc_new" in idents else None
    out.write_text(json.dumps({"rows": rows, "cache": {"hits": cache.hits, "misses": cache.misses} if cache else {}}))


def warm(images: list[dict], old_rc_splits: set[str]) -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "images.json").write_text(json.dumps(images))
        for engine in ("onnx", *TORCH_ENGINES):
            res = Path(tmp) / f"{engine}.json"
            subprocess.run([sys.executable, __file__, "--worker", engine, "--images", str(Path(tmp) / "images.json"),
                            "--old-rc-splits", ",".join(sorted(old_rc_splits)), "--out", str(res)],
                           check=True, cwd=ROOT, env={**os.environ, **ONE_THREAD, "PYTHONPATH": str(ROOT)})
            out[engine] = json.loads(res.read_text())
    return out


def pick_images(testsets: Path, splits: list[str], per_split: int) -> list[dict]:
    """``per_split`` rows of each split, spread evenly over its families."""
    from bench.manifest import read_manifest

    out = []
    for split in splits:
        _, rows = read_manifest(testsets / split)
        step = max(1, len(rows) // per_split)
        for s in rows[::step][:per_split]:
            out.append({"split": split, "path": str(testsets / s.image), "family": s.family, "text": s.text})
    return out


# --------------------------------------------------------------------------- install size
def install_size(log: Path) -> dict:
    """Base dependencies (pyproject) into a fresh venv: MB on disk, minutes, and whether that
    venv (no torch in it) identifies the sample."""
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        with open(log, "w") as f:
            p = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-cache-dir", *deps], stdout=f,
                               stderr=subprocess.STDOUT)
        minutes = (time.perf_counter() - t0) / 60
        du = subprocess.run(["du", "-sm", str(venv)], capture_output=True, text=True).stdout.split()[0]
        (Path(tmp) / "nofonts").mkdir()
        run = subprocess.run([str(venv / "bin" / "python"), str(ROOT / "cli.py"), "identify", str(SAMPLE), "--json",
                              "--fonts-dir", str(Path(tmp) / "nofonts")], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, **ONE_THREAD, "PYTHONPATH": str(ROOT)}, timeout=600)
        torch_there = subprocess.run([str(venv / "bin" / "python"), "-c", "import torch"], capture_output=True).returncode == 0
        top1 = json.loads(run.stdout)["fonts"][0]["family"] if run.returncode == 0 else run.stderr[-300:]
        return {"ok": p.returncode == 0, "mb": int(du), "minutes": minutes, "deps": deps,
                "identify": top1, "torch_importable": torch_there}


# --------------------------------------------------------------------------- report
def _p50(xs: list[float]) -> float:
    return float(np.median(xs)) if xs else float("nan")


def _char_agreement(a: str, b: str) -> float:
    """1 - Levenshtein(a, b) / max(len): how alike two readings are, character by character."""
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))


def agreement_rows(w: dict, splits: list[str], ref: str = "torch") -> list[str]:
    """Per split: top-1 agreement, accuracy and reading agreement of the ONNX path and ``ref``."""
    o, t = w["onnx"]["rows"], w[ref]["rows"]
    lines = ["| split | images | top-1 agree, classifier only | top-1 agree, with R&C | accuracy onnx / torch, "
             "classifier only | accuracy onnx / torch, with R&C | reading identical | reading, char agreement |",
             "|---|---|---|---|---|---|---|---|"]
    for split in [*splits, "all"]:
        pairs = [(a, b) for a, b in zip(o, t, strict=True) if split in ("all", a["split"])]

        def rate(f, pairs=pairs):
            return sum(f(a, b) for a, b in pairs) / max(len(pairs), 1)
        cells = [rate(lambda a, b: a["classifier"]["top5"][:1] == b["classifier"]["top5"][:1]),
                 rate(lambda a, b: a["rc_new"]["top5"][:1] == b["rc_old"]["top5"][:1])]
        acc = [rate(lambda a, b, r=r, k=k: (a if r == "onnx" else b)[k]["top5"][:1] == [a["family"]])
               for k, r in (("classifier", "onnx"), ("classifier", "torch"), ("rc_new", "onnx"), ("rc_old", "torch"))]
        same = rate(lambda a, b: a["classifier"]["text"] == b["classifier"]["text"])
        chars = rate(lambda a, b: _char_agreement(a["classifier"]["text"], b["classifier"]["text"]))
        lines.append(f"| {split} | {len(pairs)} | {cells[0]:.3f} | {cells[1]:.3f} | {acc[0]:.3f} / {acc[1]:.3f} | "
                     f"{acc[2]:.3f} / {acc[3]:.3f} | {same:.3f} | {chars:.4f} |")
    return lines


def rc_rows(w: dict, old_splits: set[str]) -> list[str]:
    """Render-and-compare as before vs now, both on the ONNX engine, per split, and the
    engines with the old R&C."""
    tor = {r["path"]: r for r in w["torch"]["rows"]}
    out = ["| split | images | p50 wall s: classifier only / R&C before / R&C now | p50 CPU s: classifier only / "
           "R&C before / R&C now | R&C CPU cost before / now | top-1 agree now vs before | top-5 list identical | "
           "accuracy before / now | top-1 agree onnx vs torch, both R&C before |", "|---|---|---|---|---|---|---|---|---|"]
    for split in sorted(old_splits):
        rows = [r for r in w["onnx"]["rows"] if "rc_old" in r and r["split"] == split]
        if not rows:
            continue
        wall = [_p50([r[k]["s"] for r in rows]) for k in ("classifier", "rc_old", "rc_new")]
        cpu = [_p50([r[k]["cpu"] for r in rows]) for k in ("classifier", "rc_old", "rc_new")]
        agree = np.mean([r["rc_old"]["top5"][:1] == r["rc_new"]["top5"][:1] for r in rows])
        top5 = np.mean([r["rc_old"]["top5"] == r["rc_new"]["top5"] for r in rows])
        engines = np.mean([r["rc_old"]["top5"][:1] == tor[r["path"]]["rc_old"]["top5"][:1] for r in rows])
        acc = [np.mean([r[k]["top5"][:1] == [r["family"]] for r in rows]) for k in ("rc_old", "rc_new")]
        out.append(f"| {split} | {len(rows)} | {wall[0]:.3f} / {wall[1]:.3f} / {wall[2]:.3f} | "
                   f"{cpu[0]:.3f} / {cpu[1]:.3f} / {cpu[2]:.3f} | "
                   f"{(cpu[1] - cpu[0]) / max(cpu[2] - cpu[0], 1e-9):.2f}x | {agree:.3f} | {top5:.3f} | "
                   f"{acc[0]:.3f} / {acc[1]:.3f} | {engines:.3f} |")
    return out


def cold_rows(cold: dict) -> list[str]:
    lines = ["| cold `identify examples/sample.png` | onnx wall s | torch wall s | speed-up | onnx CPU s (p50, range) | "
             "torch CPU s | CPU speed-up | onnx peak RSS MB | torch peak RSS MB | answers (onnx / torch) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for label, by in cold.items():
        o, t = by["onnx"], by.get("torch")
        cpu = [r["cpu_s"] for r in o]
        spread = f" ({min(cpu):.2f}-{max(cpu):.2f})" if len(o) > 1 else ""
        if t is None:  # ONNX only: the first start on a machine, the start without bytecode cache
            lines.append(f"| {label} | {_p50([r['wall_s'] for r in o]):.2f} | | | {_p50(cpu):.2f}{spread} | | | "
                         f"{max(r['rss_mb'] for r in o):.0f} | | {o[0]['top1']} |")
            continue
        wo, wt = _p50([r["wall_s"] for r in o]), _p50([r["wall_s"] for r in t])
        co, ct = _p50(cpu), _p50([r["cpu_s"] for r in t])
        ro, rt = max(r["rss_mb"] for r in o), max(r["rss_mb"] for r in t)
        lines.append(f"| {label} | {wo:.2f} | {wt:.2f} | {wt / wo:.1f}x | {co:.2f}{spread} | {ct:.2f} | {ct / co:.1f}x | "
                     f"{ro:.0f} | {rt:.0f} | {o[0]['top1']} / {t[0]['top1']} |")
    return lines


def warm_rows(w: dict) -> list[str]:
    lines = ["| warm, clean split, one thread | onnx p50 wall s | torch p50 wall s | onnx p50 CPU s | "
             "torch p50 CPU s | onnx p90 wall s | torch p90 wall s |", "|---|---|---|---|---|---|---|"]
    for label, ko, kt in (("classifier only (before fonts fetch)", "classifier", "classifier"),
                          ("with render-and-compare (onnx: now; torch: as before)", "rc_new", "rc_old")):
        o = [r[ko]["s"] for r in w["onnx"]["rows"] if r["split"] == "clean"]
        t = [r[kt]["s"] for r in w["torch"]["rows"] if r["split"] == "clean"]
        oc = [r[ko]["cpu"] for r in w["onnx"]["rows"] if r["split"] == "clean"]
        tc = [r[kt]["cpu"] for r in w["torch"]["rows"] if r["split"] == "clean"]
        lines.append(f"| {label} | {_p50(o):.3f} | {_p50(t):.3f} | {_p50(oc):.3f} | {_p50(tc):.3f} | "
                     f"{np.percentile(o, 90):.3f} | {np.percentile(t, 90):.3f} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--testsets", default="bench/testsets")
    ap.add_argument("--splits", default="clean,photo,scene,short,screenshot")
    ap.add_argument("--per-split", type=int, default=60)
    ap.add_argument("--old-rc-splits", default="clean", help="splits also ranked with the old render-and-compare")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--fonts", default=str(Path.home() / ".cache" / "freefontfinder" / "fonts"))
    ap.add_argument("--skip-install", action="store_true", help="do not measure the fresh base install")
    ap.add_argument("--cold-only", action="store_true", help="measure the cold starts again and rewrite the "
                    "report with the warm figures of the previous run (bench/results/light.json)")
    ap.add_argument("--report-only", action="store_true", help="rewrite light.md from light.json (no measuring)")
    ap.add_argument("--worker", choices=["onnx", *TORCH_ENGINES], help=argparse.SUPPRESS)
    ap.add_argument("--images", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    old_splits = set(a.old_rc_splits.split(","))
    if a.worker:
        worker(a.worker, json.loads(Path(a.images).read_text()), old_splits, Path(a.out))
        return 0
    splits = a.splits.split(",")
    RESULTS.mkdir(parents=True, exist_ok=True)
    installer = None
    if a.report_only:
        write_report(json.loads((RESULTS / "light.json").read_text()), a)
        return 0
    if a.cold_only:
        report = json.loads((RESULTS / "light.json").read_text())
        report["cold_before"] = report["cold"]
        report["cold"] = cold_table(a.cold_runs, Path(a.fonts))
        report["load_avg_cold"] = os.getloadavg()
        report["cold_at"] = time.strftime("%Y-%m-%d %H:%M")
        if not a.skip_install:
            report["install"] = install_size(Path(tempfile.gettempdir()) / "light_install.log")
        write_report(report, a)
        return 0
    if not a.skip_install:  # a few minutes of pip in the background while the rest runs
        installer = subprocess.Popen([sys.executable, "-c", "import json, sys; sys.path.insert(0, sys.argv[1]);"
                                      "from bench.bench_light import install_size;"
                                      "print(json.dumps(install_size(__import__('pathlib').Path(sys.argv[2]))))",
                                      str(ROOT), str(Path(tempfile.gettempdir()) / "light_install.log")], stdout=subprocess.PIPE,
                                     text=True)
    t0, load0 = time.perf_counter(), os.getloadavg()
    cold = cold_table(a.cold_runs, Path(a.fonts))
    images = pick_images(Path(a.testsets), splits, a.per_split)
    w = warm(images, old_splits)
    install = json.loads(installer.communicate()[0]) if installer else None
    report = {"cold": cold, "warm": w, "install": install, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "load_avg": os.getloadavg(), "load_avg_start": load0, "minutes": (time.perf_counter() - t0) / 60}
    write_report(report, a)
    return 0


def _load(report: dict) -> str:
    start = report.get("load_avg_start")
    return (f"{start[0]:.1f} at the start, " if start else "") + f"{report['load_avg'][0]:.1f} at the end"


def _cold_note(report: dict, a: argparse.Namespace) -> list[str]:
    """Where the cold rows were measured again on their own (--cold-only), when and at what load."""
    if "load_avg_cold" not in report:
        return []
    runs = len(next(iter(report["cold"].get("before fonts fetch", {}).values()), []))
    return [f"Cold rows measured again on their own (`--cold-only`, {runs} runs each, "
            f"{report.get('cold_at', 'later')}, 1-min load average {report['load_avg_cold'][0]:.1f} at the end):", ""]


def write_report(report: dict, a: argparse.Namespace) -> None:
    """light.json and light.md from the measurements."""
    cold, w, install, splits = report["cold"], report["warm"], report["install"], a.splits.split(",")
    old_splits = set(a.old_rc_splits.split(","))
    (RESULTS / "light.json").write_text(json.dumps(report, separators=(",", ":")) + "\n")
    md = ["# Light and fast: ONNX Runtime path vs torch path (issue 13)", "",
          f"`python bench/bench_light.py --per-split {a.per_split} --splits {a.splits}` on {report['machine']} "
          f"(shared with other work; 1-min load average {_load(report)}), one thread, "
          f"{report.get('minutes', float('nan')):.0f} min. "
          f"Images: the first {a.per_split} of each split spread over its families (of "
          f"`python cli.py benchmark --make-testsets`), not every image.", "", *_cold_note(report, a), *cold_rows(cold), "",
          *warm_rows(w), "",
          "Render-and-compare before (no early stop, nothing kept between pictures) and now (template cache + "
          "early stop; with the font index the index's shortlist is drawn in full either way), same process, "
          "ONNX engine:", "", *rc_rows(w, old_splits), "",
          "Same answers, ONNX path (new R&C) vs torch path (old R&C), per split. The torch path runs the same float "
          "networks (`--engine torch`):", "", *agreement_rows(w, splits), ""]
    if "torch-int8" in w:
        md += ["The same against EasyOCR's own default, its recogniser quantised to int8 by torch on load "
               "(`--engine torch-int8`; what the torch path ran before):", "",
               *agreement_rows(w, splits, "torch-int8"), "",
               "Why the two torch paths differ: EasyOCR quantises its recogniser's LSTM and linear layers to int8 "
               "when it loads on CPU (torch dynamic quantisation, its default `quantize=True`); `export --ocr` writes "
               "the float network, which `--engine torch` now runs too. EasyOCR's float reader, called directly, is "
               "left in training mode (only its `readtext` calls `eval()`; `quantize_dynamic` calls it itself), so "
               "its BatchNorm layers used each crop's own statistics: logits off by up to 24, the earlier "
               "'quantize=False differs from the ONNX file by 12'. In eval mode the torch float recogniser and the "
               "ONNX file agree to 2e-5 (tests/test_onnx_engine.py).", ""]
    md += ["Cold rows: CPU seconds are the process's user + system time (`/usr/bin/time`), p50 of the runs, "
           "interleaved with the torch path's; peak RSS the largest. They run with Python's bytecode cache, as "
           "every start after the first has it; the 'no bytecode cache' row runs a copy of the source tree with "
           "`PYTHONDONTWRITEBYTECODE=1` (this machine's shells set it, and earlier reports' cold figures were "
           "measured that way), so every start compiles the project's modules.", ""]
    if install:
        md += [f"Base install (no torch) in a fresh venv: **{install['mb']} MB** "
               f"({'ok' if install['ok'] else 'FAILED'}, {install['minutes']:.1f} min): {', '.join(install['deps'])}. "
               f"torch importable there: {install.get('torch_importable')}; `identify examples/sample.png` with it "
               f"(and models/ocr): {install.get('identify')}.", ""]
    cache = w["onnx"].get("cache") or {}
    md += [f"Template cache over the run: {cache.get('hits', 0)} hits, {cache.get('misses', 0)} misses.", "",
           "Where the warm time goes, stage by stage, and the speed levers tried (detector scale, ONNX Runtime "
           "session options): `bench/light_stages.py`, [light_stages_sweep2.md](light_stages_sweep2.md) and "
           "[light_as_given.md](light_as_given.md)."]
    (RESULTS / "light.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    sys.exit(main())
