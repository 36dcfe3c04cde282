"""Glyph generation throughput (glyphs/s) with the default augmentations.

    python bench/bench_glyphs.py [--catalog default --cache DIR] [--variants N] [--workers N]

Prints a table and writes bench/results/glyphs_generation.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from glyphs.config import GenerateConfig  # noqa: E402
from glyphs.dataset import load_dataset  # noqa: E402
from glyphs.generate import generate  # noqa: E402

FIX = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def run(catalog: str, cache: str, variants: int, workers: int, augment: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = GenerateConfig(out=tmp, catalog=catalog, cache=cache, variants=variants,
                             workers=workers, num_shards=2, augment=augment)
        t = time.perf_counter()
        generate(cfg)
        dt = time.perf_counter() - t
        n = len(load_dataset(tmp))
    return {"augment": augment, "workers": workers, "glyphs": n, "seconds": dt, "glyphs_per_s": n / dt}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--catalog", default=str(FIX / "catalog-tiny.txt"))
    ap.add_argument("--cache", default=str(FIX / "fonts"))
    ap.add_argument("--variants", type=int, default=60)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    rows = [run(args.catalog, args.cache, args.variants, args.workers, a) for a in ("default", "heldout")]
    head = "| augment | workers | glyphs | seconds | glyphs/s |\n|---|---|---|---|---|\n"
    body = "".join(f"| {r['augment']} | {r['workers']} | {r['glyphs']} | {r['seconds']:.1f} | "
                   f"{r['glyphs_per_s']:.0f} |\n" for r in rows)
    text = (f"# Glyph generation throughput\n\nMachine: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores; catalog {Path(args.catalog).name}, {args.variants} variants, "
            f"glyph size {GenerateConfig().size}. Includes process start-up and writing shards.\n\n"
            + head + body)
    print(text)
    out = Path(__file__).parent / "results" / "glyphs_generation.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
