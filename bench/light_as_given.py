"""Pictures enlarged for OCR, detected as given first (SegmentConfig.detect_as_given) vs
always detected enlarged: reading and top-1 on every benchmark split, from light_stages runs.

    python bench/light_as_given.py SWEEP_A.json SWEEP_B.json

detect_as_given only changes pictures segmentation enlarges (short side under 96 px); for
them it is a first CRAFT look at 1/factor of the enlarged picture's detection scale, which
stands when every box it finds reads at least weak_confidence, else the picture is detected
enlarged as before. So the new default's result on a picture is, exactly (same code path,
deterministic ONNX Runtime): the old behaviour's for factor 1 or a first look that falls
back (checked here per picture, light_as_given_gate.json); else a ``detect_first_scale=0.5``
run's for factor 2, and a direct run's for factors 3-4. CPU seconds of pictures that fall
back are the old path's, without the first look's cost (bench_light.py times the real
path). SWEEP_A: ``light_stages.py`` with variants base (old
code: enlarged) and f50m16 (seg.detect_first_scale=0.5); SWEEP_B: the new code, base (as
given) and enlarged (seg.detect_as_given=false), run on the factor 3-4 pictures only
(``--min-upscale 3``), with the same --images. Writes bench/results/light_as_given.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def first_look_stands(paths: list[str]) -> dict[str, bool]:
    """Per enlarged picture: whether the default's first look (as given) stands, i.e. every
    box it finds reads at least weak_confidence (segmentation.read._first_reads)."""
    import cv2

    from segmentation import SegmentConfig
    from segmentation import easyocr_backend as eb
    from segmentation.image import load_image
    from segmentation.read import _read, _views
    from segmentation.segment import upscale_factor

    out = {}
    for n, path in enumerate(paths):
        rgb = load_image(ROOT / path)
        f = upscale_factor(rgb.shape, SegmentConfig())
        rgb = cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
        cfg = SegmentConfig(engine="onnx", detect_first_scale=1.0 / f)
        engine = eb.get_engine("onnx", cfg.num_threads)
        first = [_read(engine, v, cfg, {}) for v in _views(engine, rgb, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cfg, {})]
        out[path] = bool(first) and all(c is not None and c.confidence >= cfg.weak_confidence for c in first)
        print(f"gate {n + 1}/{len(paths)}", file=sys.stderr, flush=True)
    return out


def combine(a: list[dict], b: list[dict], stands: dict[str, bool]) -> dict[str, dict[tuple[str, str], dict]]:
    """{"old": rows, "new": rows} keyed by (path, mode), one per picture and mode."""
    from bench.light_stages import upscale

    factor = {r["path"]: upscale(ROOT / r["path"]) for r in a}
    by = {(r["variant"], r["path"], r["mode"]): r for r in a}
    direct = {(r["variant"], r["path"], r["mode"]): r for r in b}
    old, new = {}, {}
    for (variant, path, mode), r in by.items():
        if variant != "base":
            continue
        old[(path, mode)] = r
        f = factor[path]
        if f == 1 or not stands[path]:  # not enlarged, or the first look fell back: the old path exactly
            new[(path, mode)] = r  # (CPU time: the old one's, without the first look's cost)
        else:
            new[(path, mode)] = by[("f50m16", path, mode)] if f == 2 else direct[("base", path, mode)]
        if f > 2:  # the direct run's old behaviour must be the first sweep's (same code path)
            assert direct[("enlarged", path, mode)]["top5"] == r["top5"], path
    return {"old": old, "new": new, "factor": factor}


def table(c: dict) -> list[str]:
    from bench.bench_light import _char_agreement

    def norm(t: str) -> str:
        return " ".join(t.split())

    md = ["| split | images (enlarged for OCR) | p50 CPU s, classifier only: enlarged / as given | p50 CPU s, with R&C: "
          "enlarged / as given | reading exact vs truth: enlarged / as given | characters vs truth: enlarged / as "
          "given | reading identical | top-1 accuracy, classifier only: enlarged / as given | top-1 accuracy, "
          "with R&C: enlarged / as given |", "|---|---|---|---|---|---|---|---|---|"]
    splits = list(dict.fromkeys(r["split"] for r in c["old"].values()))
    for split in [*splits, "all"]:
        keys = [k for k, r in c["old"].items() if split in ("all", r["split"])]
        cls = [k for k in keys if k[1] == "cls"]
        rc = [k for k in keys if k[1] == "rc"]

        def both(f, ks):
            return [float(np.mean([f(c[v][k]) for k in ks])) for v in ("old", "new")]

        def p50(ks):
            return [float(np.median([c[v][k]["cpu"] for k in ks])) for v in ("old", "new")]

        exact = both(lambda r: norm(r["text"]) == norm(r["truth"]), cls)
        chars = both(lambda r: _char_agreement(norm(r["text"]), norm(r["truth"])), cls)
        same = np.mean([c["old"][k]["text"] == c["new"][k]["text"] for k in cls])
        acc = [both(lambda r: r["top5"][:1] == [r["family"]], ks) for ks in (cls, rc)]
        big = sum(c["factor"][k[0]] > 1 for k in cls)
        pc, pr = p50(cls), p50(rc)
        md.append(f"| {split} | {len(cls)} ({big}) | {pc[0]:.3f} / {pc[1]:.3f} | {pr[0]:.3f} / {pr[1]:.3f} | "
                  f"{exact[0]:.3f} / {exact[1]:.3f} | {chars[0]:.4f} / {chars[1]:.4f} | {same:.3f} | "
                  f"{acc[0][0]:.3f} / {acc[0][1]:.3f} | {acc[1][0]:.3f} / {acc[1][1]:.3f} |")
    return md


def main() -> int:
    a, b = (json.loads(Path(p).read_text()) for p in sys.argv[1:3])
    from bench.light_stages import upscale

    gate = ROOT / "bench" / "results" / "light_as_given_gate.json"
    paths = sorted({r["path"] for r in a["rows"] if upscale(ROOT / r["path"]) > 1})
    stands = json.loads(gate.read_text()) if gate.is_file() else {}
    if set(paths) - set(stands):
        stands = first_look_stands(paths)
        gate.write_text(json.dumps(stands, indent=0) + "\n")
    c = combine(a["rows"], b["rows"], stands)
    md = ["# Enlarged pictures detected as given first (SegmentConfig.detect_as_given)", "",
          f"`python bench/light_as_given.py {' '.join(sys.argv[1:3])}`: the old behaviour (every picture under 96 px "
          "detected enlarged) against the new default, per picture (see the script's docstring for how the two "
          f"runs combine). Runs: `light_stages.py {a['command']}` (load {a['load']:.1f}, {a['minutes']:.0f} min) and "
          f"`light_stages.py {b['command']}` (load {b['load']:.1f}, {b['minutes']:.0f} min); one thread, ONNX engine, "
          "CPU seconds. Readings compared with the text drawn (spaces and line breaks folded).", "", *table(c), ""]
    out = ROOT / "bench" / "results" / "light_as_given.md"
    out.write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
