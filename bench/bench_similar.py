"""`similar` on the pairs the benchmark confuses most: does each list the other in its top 3?
Writes bench/results/similar.md and a specimen sheet of 8 families and their 5 nearest
(bench/results/similar.png; needs the font files for the drawings).

    python bench/bench_similar.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The most confused pairs of bench/results/benchmark.md (ours and the baseline), and twins named in DESIGN.md.
PAIRS = [("noto-sans", "noto-sans-math"), ("open-sans", "noto-sans-math"), ("noto-sans", "open-sans"),
         ("cairo", "sunflower"), ("roboto", "roboto-flex"), ("titillium-web", "sunflower"),
         ("zen-maru-gothic", "zen-kaku-gothic-new"), ("cinzel", "cinzel-decorative"), ("heebo", "roboto-flex"),
         ("cormorant", "cormorant-garamond"), ("fira-code", "fira-mono"), ("inter", "inter-tight"),
         ("anonymous-pro", "courier-prime"), ("alice", "libre-baskerville")]
SHEET = ["roboto", "open-sans", "playfair-display", "montserrat", "lobster", "merriweather", "cinzel", "fira-code"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "models" / "default"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    from fontindex import active_index, neighbours
    from fontindex.specimen import specimen_sheet

    index = active_index(args.model)
    nb = neighbours(index)
    rows = ["| family | its 3 nearest (similarity) | other in top 3 |", "|---|---|---|"]
    hits = 0
    for a, b in PAIRS:
        for x, y in ((a, b), (b, a)):
            near = nb.similar(x, 3)
            ok = y in [s.family for s in near]
            hits += ok
            rows.append(f"| {x} | {', '.join(f'{s.family} ({s.similarity:.2f})' for s in near)} | "
                        f"{'yes' if ok else '**no** (' + y + ')'} |")
    text = (f"# Similar families\n\n`python cli.py similar FAMILY`: cosine of the families' regular-style letter "
            f"embeddings (fontindex.similar), over the {index.num_families} indexed families. For the pairs the "
            f"benchmark confuses most, each side's top 3 holds the other in **{hits} of {2 * len(PAIRS)}** "
            "cases.\n\n" + "\n".join(rows) + "\n\n![specimens](similar.png)\n")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "similar.md").write_text(text)
    specimen_sheet(SHEET, 5, index, out / "similar.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
