"""CPU cost of Ranking.in_catalog's evidence (pipeline.openset.per_glyph_best and in_catalog_features)
against the whole ranking, on the pictures bench_openset read (its runs/ cache, no OCR).

    python bench/in_catalog_cost.py runs/openset-reads-default-all-unknown-fonts-set2-7-16-catalog.npz [--drawn]

Both functions are wrapped with a CPU-time counter; the ranking (Identifier.rank_glyphs, index only
or index + render-and-compare) is timed around them, so the share is paired on the same pictures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reads")
    ap.add_argument("--drawn", action="store_true", help="with the catalog's font files (render-and-compare)")
    ap.add_argument("--limit", type=int, default=100)
    args = ap.parse_args()
    import importlib

    rank = importlib.import_module("pipeline.rank")  # the module (pipeline.rank is also a function's name)
    from bench.bench_openset import load_reads
    from pipeline import Identifier
    from pipeline.verify import FontSource

    spent = {"evidence": 0.0}

    def timed(fn):
        def wrapper(*a, **k):
            t0 = time.process_time()
            out = fn(*a, **k)
            spent["evidence"] += time.process_time() - t0
            return out
        return wrapper

    rank.per_glyph_best = timed(rank.per_glyph_best)
    rank.in_catalog_features = timed(rank.in_catalog_features)
    ident = Identifier(ROOT / "models" / "default", fonts=None if args.drawn else FontSource([]))
    reads = load_reads(Path(args.reads))[: args.limit]
    for r in reads[:3]:  # warm caches (the index's letter blocks, drawn words) outside the count
        ident.rank_glyphs(list(r.glyphs), r.text)
    spent["evidence"] = 0.0
    t0 = time.process_time()
    for r in reads:
        ident.rank_glyphs(list(r.glyphs), r.text)
    total = time.process_time() - t0
    print(f"{len(reads)} pictures, {'index + render-and-compare' if args.drawn else 'index only'}: ranking "
          f"{total:.2f} CPU s, in_catalog evidence {spent['evidence']:.3f} CPU s "
          f"({100 * spent['evidence'] / total:.2f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
