"""Segmentation benchmark: character recall on rendered lines with known boxes, and seconds per stage.

    .venv/bin/python bench/bench_segmentation.py [--fonts-dir DIR ...] [--texts N] [--sizes 640,960,1280]

Every line is rendered (segmentation.synth) in catalog fonts of four styles,
clean and under each degradation; a true character counts as found when a
glyph has IoU >= 0.5 with its ink box and the same letter. Writes
bench/results/segmentation.md (+ .json). Timings are wall-clock on whatever
machine runs it: on a shared 2-core box they are noisy.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from segmentation import SegmentConfig, segment  # noqa: E402
from segmentation.synth import CONDITIONS, char_hits, degrade, iou, render_line  # noqa: E402

FONTS = {  # id -> style
    "roboto": "sans", "open-sans": "sans", "montserrat": "sans", "oswald": "sans", "lato": "sans",
    "libre-baskerville": "serif", "playfair-display": "serif", "merriweather": "serif", "lora": "serif",
    "eb-garamond": "serif",
    "dancing-script": "script", "great-vibes": "script", "pacifico": "script", "caveat": "script",
    "satisfy": "script", "sacramento": "script", "kaushan-script": "script",
    "lobster": "display", "bebas-neue": "display", "abril-fatface": "display", "righteous": "display",
    "cinzel": "display",
}
TEXTS = (
    "Sphinx of black quartz 1984", "Hamburgefonstiv jumps 27", "Pack my box with five jugs",
    "Quick zephyrs blow, vexing daft Jim", "Grumpy wizards make toxic brew", "The Five Boxing Wizards 360",
    "Jackdaws love my big sphinx", "Waltz, bad nymph, for quick jigs",
)
PRINT = ("sans", "serif")
CAPS_ONLY = {"bebas-neue", "cinzel"}  # no lowercase design: their lines are rendered in capitals


def find_fonts(dirs: list[Path]) -> dict[str, Path]:
    """font id -> its 400 normal static file, first folder that has it."""
    out = {}
    for fid in FONTS:
        for d in dirs:
            f = d / fid / "static" / f"{fid}-latin-400-normal.woff2"
            if f.is_file():
                out[fid] = f
                break
    return out


def run_case(font: Path, text: str, condition: str, seed: int, cfg: SegmentConfig,
             size: tuple[int, int] = (1000, 200)) -> dict:
    line, masks = render_line(font, text.upper() if font.parent.parent.name in CAPS_ONLY else text, size=size,
                              max_px=int(size[1] * 0.45))
    line = degrade(line, masks, condition, seed=seed)
    t0 = time.perf_counter()
    seg = segment(line.image, config=cfg)
    wall = time.perf_counter() - t0
    found = [(g.char, g.box) for g in seg.glyphs]
    boxed = sum(any(iou(tb, fb) >= 0.5 for _, fb in found) for tb in line.boxes)
    return {
        "n": len(line.chars), "hits": char_hits(line, found), "hits_nocase": char_hits(line, found, True),
        "boxed": boxed, "read": difflib.SequenceMatcher(None, seg.text.replace("\n", " "), line.text).ratio(),
        "t_wall": wall, **{f"t_{k}": v for k, v in seg.timings.items()},
    }


def evaluate(fonts: dict[str, Path], conditions: list[str], texts: list[str], cfg: SegmentConfig,
             size: tuple[int, int] = (1000, 200)) -> list[dict]:
    rows = []
    for fid, path in fonts.items():
        for cond in conditions:
            for k, text in enumerate(texts):
                r = run_case(path, text, cond, seed=k, cfg=cfg, size=size)
                rows.append({"font": fid, "style": FONTS[fid], "condition": cond, **r})
            last = rows[-len(texts):]
            rec = sum(r["hits"] for r in last) / max(1, sum(r["n"] for r in last))
            print(f"{fid:18s} {cond:14s} recall {rec:.3f}", file=sys.stderr, flush=True)
    return rows


def summarise(rows: list[dict], key: callable) -> dict:
    groups: dict = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = {}
    for g, rs in sorted(groups.items()):
        n = sum(r["n"] for r in rs)
        out[g] = {"chars": n, "recall": sum(r["hits"] for r in rs) / n,
                  "recall_nocase": sum(r["hits_nocase"] for r in rs) / n,
                  "box_recall": sum(r["boxed"] for r in rs) / n, "read": float(np.mean([r["read"] for r in rs])),
                  "images": len(rs)}
    return out


def stage_seconds(rows: list[dict]) -> dict:
    keys = sorted({k for r in rows for k in r if k.startswith("t_") and k != "t_load"})
    return {k[2:]: float(np.mean([r.get(k, 0.0) for r in rows])) for k in keys} | {
        "wall_median": float(np.median([r["t_wall"] for r in rows])),
        "wall_p90": float(np.percentile([r["t_wall"] for r in rows], 90))}


def size_tradeoff(fonts: dict[str, Path], sizes: list[int], texts: list[str], cfg: SegmentConfig) -> dict:
    """Recall and seconds per detection size, on 1600x320 lines (so that every cap downscales)."""
    out = {}
    for s in sizes:
        rows = evaluate(fonts, ["clean", "photo"], texts, replace(cfg, detect_max_side=s), size=(1600, 320))
        n = sum(r["n"] for r in rows)
        out[s] = {"recall": sum(r["hits"] for r in rows) / n, **stage_seconds(rows)}
    return out


def table(title: str, summary: dict) -> list[str]:
    lines = [f"### {title}", "", "| group | chars | recall (IoU≥0.5 + letter) | ignoring case | box only | text read |",
             "|---|---|---|---|---|---|"]
    for g, s in summary.items():
        name = " / ".join(g) if isinstance(g, tuple) else str(g)
        lines.append(f"| {name} | {s['chars']} | {s['recall']:.3f} | {s['recall_nocase']:.3f} | "
                     f"{s['box_recall']:.3f} | {s['read']:.3f} |")
    return lines + [""]


def timing_1000x200(cfg: SegmentConfig, font: Path, sizes: list[int], repeats: int = 7) -> dict:
    """Warm seconds per stage for one 1000x200 one-line image (the issue's speed target),
    per (torch threads, detection size); threads 0 = torch's default (one per core)."""
    line, _ = render_line(font, "Sphinx of black quartz 1984", size=(1000, 200))
    out = {}
    for threads in sorted({cfg.num_threads, 0}, reverse=True):
        for side in sizes:
            c = replace(cfg, detect_max_side=side, num_threads=threads)
            segment(line.image, config=c)  # warm-up (model load, first-call allocations)
            runs = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                seg = segment(line.image, config=c)
                runs.append({"wall": time.perf_counter() - t0, **seg.timings})
            out[f"{threads or 'default'} / {side}"] = {
                k: float(np.median([r.get(k, 0.0) for r in runs])) for k in runs[0] if k != "load"}
    return out


def report(args: argparse.Namespace, rows: list[dict], trade: dict, speed: dict, load_s: float,
           speed_load: str = "") -> str:
    print_rows = [r for r in rows if r["style"] in PRINT]
    md = ["# Segmentation benchmark", "",
          f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {platform.processor() or platform.machine()}"
          f" · torch threads {args.threads or 'torch default'} · recogniser height {args.recog_height} · fonts {len(set(r['font'] for r in rows))} · "
          f"{len(rows)} images. Timings are wall-clock on a shared machine: noisy, upper bounds.", "",
          f"Reader load (first call in the process): {load_s:.2f} s.", "",
          "## Speed: one 1000×200 line, warm (median of 7), seconds per stage", "",
          f"Load average when measured: {speed_load}.", "",
          "| threads / detect_max_side | " + " | ".join(next(iter(speed.values()))) + " |",
          "|---|" + "---|" * len(next(iter(speed.values())))]
    md += [f"| {side} | " + " | ".join(f"{v:.3f}" for v in st.values()) + " |" for side, st in speed.items()]
    md += [""]
    if not rows:
        return "\n".join(md)
    md += table("Recall per condition (all styles)", summarise(rows, lambda r: r["condition"]))
    md += table("Recall per condition, print fonts (sans + serif)", summarise(print_rows, lambda r: r["condition"]))
    md += table("Recall per style, clean", summarise([r for r in rows if r["condition"] == "clean"],
                                                    lambda r: r["style"]))
    md += table("Recall per style, all degraded", summarise([r for r in rows if r["condition"] != "clean"],
                                                           lambda r: r["style"]))
    md += table("Recall per style and condition", summarise(rows, lambda r: (r["style"], r["condition"])))
    md += table("Recall per font (all conditions)", summarise(rows, lambda r: r["font"]))
    md += ["## Seconds per image per stage (all evaluated images)", ""]
    md += [f"- {k}: {v:.3f}" for k, v in stage_seconds(rows).items()] + [""]
    if trade:
        md += ["## Detection input size (longest side) trade-off: 1600×320 lines, clean + photo", "",
               "| detect_max_side | recall | detect s | recognize s | segment s | wall s |", "|---|---|---|---|---|---|"]
        md += [f"| {s} | {t['recall']:.3f} | {t.get('detect', 0):.3f} | {t.get('recognize', 0):.3f} | "
               f"{t.get('segment', 0):.3f} | {t['wall']:.3f} |" for s, t in trade.items()] + [""]
    return "\n".join(md)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fonts-dir", action="append", type=Path, default=[],
                   help="font cache folder(s) (<id>/static/<id>-latin-400-normal.woff2); "
                        "default: tests/fixtures/fonts and ~/.cache/freefontfinder/fonts")
    p.add_argument("--texts", type=int, default=4, help="lines per font and condition")
    p.add_argument("--conditions", default=",".join(CONDITIONS))
    p.add_argument("--sizes", default="640,960,1280", help="detection sizes to compare ('' to skip)")
    p.add_argument("--threads", type=int, default=SegmentConfig().num_threads, help="torch threads (0 = torch default)")
    p.add_argument("--speed-only", action="store_true", help="print the 1000x200 timing table only")
    p.add_argument("--detect-max-side", type=int, default=SegmentConfig().detect_max_side)
    p.add_argument("--recog-height", type=int, default=SegmentConfig().recog_height,
                   help="recogniser input height in pixels")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "segmentation")
    args = p.parse_args(argv)
    from glyphs.catalog import default_cache_dir

    dirs = args.fonts_dir + [ROOT / "tests" / "fixtures" / "fonts", default_cache_dir()]
    fonts = find_fonts(dirs)
    if not fonts:
        print("no fonts found; run `python cli.py fonts fetch` or pass --fonts-dir", file=sys.stderr)
        return 1
    cfg = SegmentConfig(num_threads=args.threads, detect_max_side=args.detect_max_side,
                        recog_height=args.recog_height)
    from segmentation import get_reader

    t0 = time.perf_counter()
    get_reader()
    load_s = time.perf_counter() - t0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    speed = timing_1000x200(cfg, next(iter(fonts.values())), sorted(set(sizes + [cfg.detect_max_side])))
    speed_load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    if args.speed_only:
        print(report(args, [], {}, speed, load_s, speed_load))
        return 0
    rows = evaluate(fonts, args.conditions.split(","), list(TEXTS[: args.texts]), cfg)
    trade = size_tradeoff(fonts, sizes, list(TEXTS[: max(1, args.texts // 2)]), cfg) if sizes else {}
    md = report(args, rows, trade, speed, load_s, speed_load)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(md + "\n")
    args.out.with_suffix(".json").write_text(json.dumps({"rows": rows, "tradeoff": trade, "speed": speed}, indent=1))
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
