"""End-to-end pipeline benchmark (issue 5): accuracy by text length, speed, memory.

    python bench/bench_pipeline.py [--model models/default] [--families 100] [--seed 0]

Lines are rendered from catalog fonts with glyphs.render (our own engine: the
screenshot/photo/scene splits of `cli.py benchmark` use other engines), texts
from bench/texts.py (never in the training word list), lightly degraded
(grey ink on off-white, blur, noise, JPEG 80). Prints tables and writes
bench/results/pipeline.md, pipeline.json and accuracy_by_length.png.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.texts import PHRASES, SHORT_TEXTS  # noqa: E402
from glyphs.catalog import catalog_families  # noqa: E402
from glyphs.render import FontFileError, FontStyle, render_sample  # noqa: E402
from pipeline.scoring import expected_calibration_error  # noqa: E402

BUCKETS = ((1, 3), (4, 8), (9, 20), (21, 200))
RESULTS = ROOT / "bench" / "results"


def text_for(bucket: tuple[int, int], rng: np.random.Generator) -> str:
    lo, hi = bucket
    pool = [t for t in SHORT_TEXTS + PHRASES if lo <= len(t.replace(" ", "")) <= hi]
    if not pool:  # 20+ characters: join phrases
        words = []
        while len("".join(words).replace(" ", "")) < lo:
            words.append(PHRASES[int(rng.integers(len(PHRASES)))])
        return " ".join(words)
    return pool[int(rng.integers(len(pool)))]


def line_image(files, text: str, rng: np.random.Generator, size: int = 48) -> np.ndarray:
    r, _ = render_sample(files, FontStyle(400 if 400 in files.family.weights else files.family.weights[0]),
                         size, text)
    ink = r.mask.astype(np.float32)[..., None] / 255.0  # (H, W, 1)
    rgb = 242 + (30 - 242) * ink * np.ones(3)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.9))))
    arr = np.asarray(img).astype(np.float32) + rng.normal(0, 3, (img.height, img.width, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=80)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def accuracy(ident, families, n_fam: int, seed: int) -> list[dict]:
    """Each line segmented once, then ranked with the plain and the weighted sum."""
    from dataclasses import replace

    from segmentation import segment

    chosen = ident.calibration.weighting  # the model's calibration.json decides what rows report
    variants = {"plain": replace(ident.calibration, weighting="plain"),
                "weighted": replace(ident.calibration, weighting="weighted")}
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(families), size=min(n_fam, len(families)), replace=False)
    rows = []
    for k, fi in enumerate(picks):
        files = families[int(fi)]
        for bucket in BUCKETS:
            text = text_for(bucket, rng)
            try:
                img = line_image(files, text, rng)
            except FontFileError:
                continue
            t = time.perf_counter()
            seg = segment(img, norm=ident.model.labels.norm, config=ident.segment_config)
            row = {"family": files.family.id, "text": text, "bucket": f"{bucket[0]}-{bucket[1]}",
                   "chars": len(text.replace(" ", "")), "read": seg.text}
            for name, cal in variants.items():
                ident.calibration = cal
                ranking = ident.rank_glyphs(seg.glyphs, seg.text, top=5)
                ids = [f.family for f in ranking.fonts]
                row[name] = {"top": ids, "score": ranking.fonts[0].score if ranking.fonts else 0.0,
                             "top1": bool(ids[:1] == [files.family.id]), "top5": files.family.id in ids}
            ident.calibration = variants[chosen]
            row.update(row[chosen], seconds=time.perf_counter() - t)
            rows.append(row)
        print(f"\r{k + 1}/{len(picks)} families", end="", file=sys.stderr)
    print(file=sys.stderr)
    return rows


def speed_1000x200(ident, families, repeats: int = 15) -> dict:
    """Warm seconds per 1000x200 one-line image."""
    rng = np.random.default_rng(1)
    times = []
    for i in range(repeats):
        files = families[i % len(families)]
        img = Image.fromarray(line_image(files, "Moonlit Harbour Lights", rng, size=64))
        canvas = Image.new("RGB", (1000, 200), (242, 242, 242))
        img.thumbnail((980, 180))
        canvas.paste(img, (10, (200 - img.height) // 2))
        arr = np.asarray(canvas)
        t = time.perf_counter()
        ident.rank(arr)
        times.append(time.perf_counter() - t)
    return {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)), "n": repeats}


def cold_start(model: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "identify", str(ROOT / "examples" / "sample.png"),
                    "--model", model], capture_output=True, check=False, cwd=ROOT)
    return time.perf_counter() - t


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{lo}-{hi}" for lo, hi in BUCKETS]
    t1 = [np.mean([r["top1"] for r in rows if r["bucket"] == b] or [0]) for b in labels]
    t5 = [np.mean([r["top5"] for r in rows if r["bucket"] == b] or [0]) for b in labels]
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(x - 0.2, t1, 0.4, label="top-1")
    ax.bar(x + 0.2, t5, 0.4, label="top-5")
    ax.set(xticks=x, xticklabels=[lb.replace("21-200", "21+") for lb in labels], ylim=(0, 1),
           xlabel="characters in the text", ylabel="accuracy", title="Whole pipeline, rendered lines")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "models" / "default"))
    ap.add_argument("--families", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    from pipeline import Identifier

    families = [f for f in catalog_families("top300") if f.present]
    t = time.perf_counter()
    ident = Identifier(a.model)
    ident.rank(np.asarray(Image.open(ROOT / "examples" / "sample.png").convert("RGB")))  # warm up OCR
    load_s = time.perf_counter() - t
    rows = accuracy(ident, families, a.families, a.seed)
    speed = speed_1000x200(ident, families)
    cold = cold_start(a.model)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    write(a, rows, speed, cold, load_s, rss_mb, ident.calibration.weighting)


def write(a, rows, speed, cold, load_s, rss_mb, chosen: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = ["| characters | lines | top-1 | top-5 |", "|---|---|---|---|"]
    for lo, hi in BUCKETS:
        sel = [r for r in rows if r["bucket"] == f"{lo}-{hi}"]
        if sel:
            lines.append(f"| {lo}-{hi if hi < 200 else '+'} | {len(sel)} | {np.mean([r['top1'] for r in sel]):.3f} | "
                         f"{np.mean([r['top5'] for r in sel]):.3f} |")
    lines.append(f"| all | {len(rows)} | {np.mean([r['top1'] for r in rows]):.3f} | "
                 f"{np.mean([r['top5'] for r in rows]):.3f} |")
    lines += ["", "| sum of glyph scores | top-1 | top-5 | ECE of the top score |", "|---|---|---|---|"]
    for name in ("plain", "weighted"):
        conf = np.array([r[name]["score"] for r in rows])
        ok = np.array([r[name]["top1"] for r in rows])
        lines.append(f"| {name}{' (used)' if name == chosen else ''} | {ok.mean():.3f} | "
                     f"{np.mean([r[name]['top5'] for r in rows]):.3f} | {expected_calibration_error(conf, ok):.3f} |")
    text = (f"# Whole pipeline: rendered lines\n\nModel `{a.model}`; {a.families} random catalog families x "
            f"{len(BUCKETS)} text lengths, texts from bench/texts.py, glyphs.render + light degradation.\n"
            f"Machine: {platform.machine()}, 2 CPU cores, no GPU (shared with other work while measured).\n\n"
            + "\n".join(lines)
            + f"\n\n| speed and memory | value |\n|---|---|\n"
              f"| warm seconds per 1000x200 line, p50 | {speed['p50']:.2f} |\n"
              f"| warm seconds per 1000x200 line, p95 | {speed['p95']:.2f} |\n"
              f"| cold `cli.py identify` start to first result (s) | {cold:.1f} |\n"
              f"| model + OCR load and first image, in process (s) | {load_s:.1f} |\n"
              f"| peak RSS of this benchmark process (MB) | {rss_mb:.0f} |\n")
    print(text)
    (RESULTS / "pipeline.md").write_text(text)
    (RESULTS / "pipeline.json").write_text(json.dumps({"rows": rows, "speed": speed, "cold_s": cold,
                                                        "load_s": load_s, "rss_mb": rss_mb}, indent=1))
    plot(rows, RESULTS / "accuracy_by_length.png")


if __name__ == "__main__":
    main()
