"""Where a warm identify spends its CPU time, per stage, and what speed levers cost in quality.

    python bench/light_stages.py [--split clean] [--images 30] [--variant NAME:field=value,...]

One process, one thread, ONNX engine. Every image is ranked by every variant in turn
(paired: load changes on the shared machine hit all of them), with the classifier only
(no font files: the index's cosines) and with render-and-compare (the font cache).
CPU seconds (time.process_time) are summed per stage by wrapping the stage functions:
detection (CRAFT and its post-processing), recognition, lettering effects, glyph cut,
glyph normalisation, glyph CNN, index scoring, render-and-compare, typography.

A variant changes SegmentConfig fields (``seg.detect_max_side=480``) or VerifyConfig
fields (``ver.top_k=20``); ``base`` (no change) is always run first and the others are
compared with it: reading identical, character agreement, top-1 agreement and accuracy.
Writes bench/results/light_stages.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
SAMPLE = ROOT / "examples" / "sample.png"

# stage name -> (module[:Class], attributes...) wrapped with a CPU-time accumulator
STAGES = {
    "detect": ("segmentation.easyocr_backend", "detect_regions"),
    "craft": ("segmentation.ocr_onnx:OnnxOcr", "detect"),  # the network, inside detect
    "recognize": ("segmentation.easyocr_backend", "recognize"),
    "det_post": ("segmentation.easyocr_numpy", "detect_boxes"),  # inside detect
    "shadow": ("segmentation.effects", "remove_shadow"),
    "rules": ("segmentation.effects", "remove_rules"),
    "fill": ("segmentation.hollow", "fill_outlines"),
    "cut": ("segmentation.chars", "segment_crop"),
    "normalize": ("segmentation.segment", "_assemble"),
    "index": ("fontindex", "family_match"),
    "rc": ("pipeline.rank", "verify"),
    "typography": ("typography", "describe_region"),
    "segment": ("segmentation", "segment"),
}


class Clock:
    """CPU seconds per stage, accumulated by wrapped functions (not re-entrant per stage)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            c0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c0
                self.calls[name] = self.calls.get(name, 0) + 1
        return timed

    def install(self) -> None:
        import importlib

        for name, (module, *attrs) in STAGES.items():
            path, _, cls = module.partition(":")  # "package.module:Class" wraps a method
            mod = importlib.import_module(path)
            mod = getattr(mod, cls) if cls else mod
            for attr in attrs:
                setattr(mod, attr, self.wrap(name, getattr(mod, attr)))
        from pipeline.openset import OpenSet

        OpenSet.glyph_similarity = self.wrap("index", OpenSet.glyph_similarity)


def parse_variant(text: str) -> tuple[str, dict, dict]:
    """``NAME:seg.field=value,ver.field=value`` -> (name, SegmentConfig changes, VerifyConfig changes)."""
    from pipeline.config import VerifyConfig
    from segmentation import SegmentConfig

    name, _, spec = text.partition(":")
    seg, ver = {}, {}
    types = {"seg": {f.name: f.type for f in fields(SegmentConfig)}, "ver": {f.name: f.type for f in fields(VerifyConfig)}}
    for item in filter(None, spec.split(",")):
        key, _, value = item.partition("=")
        kind, _, field = key.partition(".")
        typ = types[kind][field]
        conv = {"int": int, "float": float, "bool": lambda v: v.lower() in ("1", "true", "yes")}.get(typ, str)
        (seg if kind == "seg" else ver)[field] = conv(value)
    return name, seg, ver


def identifiers(seg: dict, ver: dict, fonts: str) -> dict[str, Any]:
    """Classifier-only and render-and-compare Identifiers for one variant."""
    from pipeline.config import VerifyConfig
    from pipeline.rank import Identifier
    from segmentation import SegmentConfig

    cfg = replace(SegmentConfig(), **seg)
    empty = Path(os.environ.get("TMPDIR", "/tmp")) / "light-stages-nofonts"
    empty.mkdir(exist_ok=True)
    # before fonts fetch: no files anywhere (index cosines); with R&C: the font cache
    cls = Identifier(segment_config=cfg, engine="onnx",
                     verify=replace(VerifyConfig(), **ver, cache=str(empty), fonts_dir=str(empty)))
    rc = Identifier(segment_config=cfg, engine="onnx", verify=replace(VerifyConfig(), **ver, cache=fonts))
    return {"cls": cls, "rc": rc}


def run(images: list[dict], variants: list[tuple[str, dict, dict]], fonts: str) -> list[dict]:
    clock = Clock()
    clock.install()
    idents = {name: identifiers(seg, ver, fonts) for name, seg, ver in variants}
    for pair in idents.values():
        for ident in pair.values():
            ident.rank(SAMPLE)  # networks loaded, caches as a running server has them
    rows = []
    for n, s in enumerate(images):
        for name, pair in idents.items():
            for mode, ident in pair.items():
                clock.cpu, clock.calls = {}, {}
                c0 = time.process_time()
                r = ident.rank(ROOT / s["path"])
                cpu = time.process_time() - c0
                rows.append({**s, "truth": s["text"], "variant": name, "mode": mode, "cpu": cpu, "stages": dict(clock.cpu), "calls": dict(clock.calls),
                             "top5": [f.family for f in r.fonts], "text": r.text})
        print(f"{n + 1}/{len(images)}", file=sys.stderr, flush=True)
    return rows


def _char_agreement(a: str, b: str) -> float:
    from bench.bench_light import _char_agreement as agree

    return agree(a, b)


def report(rows: list[dict], variants: list[str], a: argparse.Namespace) -> list[str]:
    stages = ["detect", "craft", "det_post", "recognize", "shadow", "rules", "fill", "cut", "normalize", "cnn+other", "index", "rc", "typography"]
    md = ["| variant | mode | images | p50 CPU s | mean CPU s | " + " | ".join(f"{s} mean" for s in stages)
          + " | CRAFT runs | recogniser runs | reading identical to base | char agreement | top-1 agree with base "
          "| accuracy |", "|" + "---|" * (11 + len(stages)) + ""]
    base = {(r["path"], r["mode"]): r for r in rows if r["variant"] == "base"}
    for v in variants:
        for mode in ("cls", "rc"):
            rs = [r for r in rows if r["variant"] == v and r["mode"] == mode]
            if not rs:
                continue
            mean = {s: float(np.mean([r["stages"].get(s, 0.0) for r in rs])) for s in STAGES}
            seg_parts = sum(mean[s] for s in ("detect", "recognize", "shadow", "rules", "fill", "cut", "normalize"))
            # glyph CNN and the rest of rank(): everything not in a named stage
            mean["cnn+other"] = float(np.mean([r["cpu"] for r in rs])) - mean["segment"] - mean["index"] \
                - mean["rc"] - mean["typography"]
            mean["normalize"] += mean["segment"] - seg_parts  # segment's own remainder (grayscale, upscale)
            b = [base[(r["path"], mode)] for r in rs]

            def calls(stage: str, rs: list[dict] = rs) -> float:
                return float(np.mean([r["calls"].get(stage, 0) for r in rs]))
            same = np.mean([r["text"] == o["text"] for r, o in zip(rs, b, strict=True)])
            chars = np.mean([_char_agreement(r["text"], o["text"]) for r, o in zip(rs, b, strict=True)])
            agree = np.mean([r["top5"][:1] == o["top5"][:1] for r, o in zip(rs, b, strict=True)])
            acc = np.mean([r["top5"][:1] == [r["family"]] for r in rs])
            md.append(f"| {v} | {mode} | {len(rs)} | {np.median([r['cpu'] for r in rs]):.3f} | "
                      f"{np.mean([r['cpu'] for r in rs]):.3f} | " + " | ".join(f"{mean[s]:.3f}" for s in stages)
                      + f" | {calls('craft'):.2f} | {calls('recognize'):.2f} | {same:.3f} | {chars:.4f} | {agree:.3f} | {acc:.3f} |")
    return md


def split_rows(rows: list[dict], variants: list[str]) -> list[str]:
    """Per split and variant: p50 CPU s, reading identical to base, top-1 agreement, accuracy."""
    base = {(r["path"], r["mode"]): r for r in rows if r["variant"] == "base"}
    md = ["| split | variant | images | p50 CPU s cls / rc | reading identical to base | char agreement "
          "| top-1 agree with base cls / rc | accuracy cls / rc |", "|---|---|---|---|---|---|---|---|"]
    for split in sorted({r["split"] for r in rows}, key=[r["split"] for r in rows].index):
        for v in variants:
            by = {m: [r for r in rows if r["split"] == split and r["variant"] == v and r["mode"] == m]
                  for m in ("cls", "rc")}
            cls, rc = by["cls"], by["rc"]
            same = np.mean([r["text"] == base[(r["path"], "cls")]["text"] for r in cls])
            chars = np.mean([_char_agreement(r["text"], base[(r["path"], "cls")]["text"]) for r in cls])
            agree = [np.mean([r["top5"][:1] == base[(r["path"], m)]["top5"][:1] for r in by[m]]) for m in by]
            acc = [np.mean([r["top5"][:1] == [r["family"]] for r in by[m]]) for m in by]
            md.append(f"| {split} | {v} | {len(cls)} | {np.median([r['cpu'] for r in cls]):.3f} / "
                      f"{np.median([r['cpu'] for r in rc]):.3f} | {same:.3f} | {chars:.4f} | "
                      f"{agree[0]:.3f} / {agree[1]:.3f} | {acc[0]:.3f} / {acc[1]:.3f} |")
    return md


def upscale(path: Path) -> int:
    """How many times segmentation enlarges this picture for OCR (segmentation.segment.upscale_factor)."""
    from segmentation import SegmentConfig
    from segmentation.image import load_image
    from segmentation.segment import upscale_factor

    return upscale_factor(load_image(path).shape, SegmentConfig())


def ort_options(images: list[dict], repeats: int = 2) -> list[str]:
    """CRAFT alone on ONNX Runtime with other session options, on the images' detector
    inputs: mean CPU s per call, and the largest output difference from the shipped options."""
    import onnxruntime as ort

    from segmentation import easyocr_numpy as en
    from segmentation.image import load_image
    from segmentation.ocr_onnx import DETECTOR, ocr_dir

    level = ort.GraphOptimizationLevel

    def session(opt: Any, arena: bool = False, entries: tuple = ()) -> Any:
        o = ort.SessionOptions()
        o.intra_op_num_threads, o.inter_op_num_threads = 1, 1
        o.graph_optimization_level, o.enable_cpu_mem_arena = opt, arena
        for k, v in (("session.intra_op.allow_spinning", "0"), *entries):
            o.add_session_config_entry(k, v)
        return ort.InferenceSession(str(ocr_dir() / DETECTOR), o, providers=["CPUExecutionProvider"])

    sessions = {"shipped (all optimisations, no arena, no spinning)": session(level.ORT_ENABLE_ALL),
                "extended optimisations": session(level.ORT_ENABLE_EXTENDED),
                "basic optimisations": session(level.ORT_ENABLE_BASIC),
                "memory arena on": session(level.ORT_ENABLE_ALL, arena=True),
                "denormals as zero": session(level.ORT_ENABLE_ALL, entries=(("session.set_denormal_as_zero", "1"),))}
    xs = [en.craft_input(im, max(im.shape[:2]))[0] for im in (load_image(ROOT / s["path"]) for s in images)]
    cpu = dict.fromkeys(sessions, 0.0)
    diff = dict.fromkeys(sessions, 0.0)
    for _ in range(repeats):
        for x in xs:
            ref = None
            for name, sess in sessions.items():  # interleaved: load changes hit every option
                c0 = time.process_time()
                y = sess.run(None, {"image": x})[0]
                cpu[name] += time.process_time() - c0
                ref = y if ref is None else ref
                diff[name] = max(diff[name], float(np.abs(y - ref).max()))
    md = ["| CRAFT session options | CPU s per call | max output difference |", "|---|---|---|"]
    md += [f"| {n} | {cpu[n] / (repeats * len(xs)):.3f} | {diff[n]:.1e} |" for n in sessions]
    return md


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--testsets", default="bench/testsets")
    ap.add_argument("--split", default="clean", help="comma-separated splits")
    ap.add_argument("--images", type=int, default=30, help="images per split, spread over its families")
    ap.add_argument("--variant", action="append", default=[], help="NAME:seg.field=value,ver.field=value")
    ap.add_argument("--fonts", default=str(Path.home() / ".cache" / "freefontfinder" / "fonts"))
    ap.add_argument("--out", default="light_stages", help="report name under bench/results/")
    ap.add_argument("--from-json", action="store_true", help="rewrite the report from --out's .json, no runs")
    ap.add_argument("--min-upscale", type=int, default=1, help="only pictures enlarged at least this many times "
                    "for OCR (short side under SegmentConfig.upscale_below)")
    ap.add_argument("--ort-options", action="store_true", help="only time CRAFT under other ONNX Runtime "
                    "session options (the images as given, no upscaling), print the table")
    a = ap.parse_args()
    from bench.bench_light import pick_images

    if a.ort_options:
        print("\n".join(ort_options(pick_images(Path(a.testsets), a.split.split(","), a.images))))
        return 0

    variants = [("base", {}, {})] + [parse_variant(v) for v in a.variant]
    path = RESULTS / f"{a.out}.json"
    if a.from_json:  # the report again from a previous run's rows
        saved = json.loads(path.read_text())
        saved = saved if isinstance(saved, dict) else {"rows": saved, "command": "?", "load": float("nan"),
                                                         "minutes": float("nan")}
    else:
        images = pick_images(Path(a.testsets), a.split.split(","), a.images)
        if a.min_upscale > 1:  # detect_as_given changes only pictures enlarged for OCR
            images = [s for s in images if upscale(ROOT / s["path"]) >= a.min_upscale]
        t0 = time.perf_counter()
        saved = {"rows": run(images, variants, a.fonts), "command": " ".join(sys.argv[1:]),
                 "load": os.getloadavg()[0], "minutes": (time.perf_counter() - t0) / 60,
                 "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, separators=(",", ":")) + "\n")
    rows = saved["rows"]
    names = list(dict.fromkeys(r["variant"] for r in rows))
    md = [f"# Warm identify, CPU seconds per stage ({', '.join(dict.fromkeys(r['split'] for r in rows))}, "
          "one thread, ONNX engine)", "",
          f"`python bench/light_stages.py {saved['command']}` on {saved.get('machine', platform.machine())} "
          f"(shared; load average at the end {saved['load']:.1f}), {saved['minutes']:.1f} min. "
          "cls: classifier and font index only (no font files); rc: with render-and-compare. Stage columns are "
          "mean CPU s per image (detect includes craft, the network, and det_post); cnn+other is the glyph CNN "
          "and the rest of rank().", "",
          *report(rows, names, a), "", *split_rows(rows, names), ""]
    (RESULTS / f"{a.out}.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
