"""How the index's cosines join render-and-compare's in the final score (Calibration.verify_index_alpha).

    python bench/fusion/record.py bench/testsets runs/fusion.jsonl clean:100 photo:100 clean-beyond300:0 photo-beyond300:0
    python bench/fusion/sweep.py runs/fusion.jsonl          # -> bench/results/fusion.md

record.py ranks each picture once and keeps what its main region's final score is made of:
base (the classifier's summed log-scores, borrowed by families it never saw), the shortlist
drawn by render-and-compare with its per-glyph cosines, the index's per-glyph cosines of the
same families, glyph weights, the temperature. Here every setting re-scores the same rankings:

    final[k] = base[k] + a_v * sum_n w_n drawn[k, n] + a_i * sum_n w_n index[k, n] + t * prior * trained[k]

for the shortlisted k; every other family gets the smallest bonus (pipeline.scoring.verified_scores).
Settings are chosen on odd-numbered pictures and read on even-numbered ones. A check line says
how often the shipped setting's reconstruction gives the pipeline's own first family.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.fusion.common import evaluate as _evaluate  # noqa: E402
from bench.fusion.common import objective  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "results" / "fusion.md"
GRID = [(av, ai, pr) for av in (30, 45, 60, 90, 120) for ai in (0, 15, 30, 45, 60, 90) for pr in (0.0, 0.25, 0.5, 1.0)]
SHOWN = [(30, 0, 0.5), (30, 15, 0.5), (60, 30, 0.5), (60, 30, 1.0), (60, 45, 1.0), (90, 60, 1.0), (120, 90, 0.5)]


def load(path: str) -> tuple[dict, list[tuple]]:
    lines = [json.loads(line) for line in open(path)]
    head, rows = lines[0], [r for r in lines[1:] if r["main"] and r["main"]["drawn"] is not None and r["truth"] >= 0]
    prep = []
    for r in rows:
        m = r["main"]
        w, short = np.array(m["w"]), np.array(m["short"])
        pos = {int(c): k for k, c in enumerate(m["ver_cand"])}
        d = np.array([m["drawn"][pos[int(s)]] for s in short], np.float64)  # (K, N) in shortlist order
        worst = np.nanmin(np.where(np.isfinite(d), d, np.inf), axis=0, keepdims=True)
        d = np.nan_to_num(np.where(np.isfinite(d), d, worst), nan=0.0, posinf=0.0)
        ix = np.nan_to_num(np.array(m["index"], np.float64), nan=0.0)
        prep.append((r["split"], r["k"], r["truth"], np.array(m["base"]), short, (d * w).sum(1), (ix * w).sum(1),
                     m["t"], m["final_top5"][0]))
    return head, prep


def evaluate(prep, fav, av, ai, prior) -> dict[str, tuple[float, float, int]]:
    return _evaluate(prep, lambda p: _scores(p, fav, av, ai, prior))


def main() -> int:
    head, prep = load(sys.argv[1])
    fav = np.array(head["favoured"])
    odd, even = [p for p in prep if p[1] % 2], [p for p in prep if not p[1] % 2]
    shipped = (head["alpha"], head.get("index_alpha", 0.0), head["prior"])
    same = sum(int(np.argmax(_scores(p, fav, *shipped))) == p[8] for p in prep)
    best = max(GRID, key=lambda g: objective(evaluate(odd, fav, *g)))
    splits = sorted({p[0] for p in prep})
    md = ["# Index cosines beside render-and-compare's (Calibration.verify_index_alpha)", "", __doc__.split("\n\n")[2], "",
          f"{len(prep)} pictures ({', '.join(f'{s} {sum(p[0] == s for p in prep)}' for s in splits)}); the recorded "
          f"setting (a_v {shipped[0]:g}, a_i {shipped[1]:g}, prior {shipped[2]:g}) reconstructs the pipeline's first family on "
          f"{same} of {len(prep)}. Best on odd pictures over {len(GRID)} settings: a_v {best[0]}, a_i {best[1]}, prior {best[2]}.",
          "", "| a_v | a_i | prior | pictures | " + " | ".join(f"{s} top-1 / top-5" for s in splits) + " |",
          "|---|---|---|---|" + "---|" * len(splits)]
    for g in [*SHOWN, best]:
        for name, sub in (("odd (fit)", odd), ("even", even)):
            r = evaluate(sub, fav, *g)
            md.append(f"| {g[0]} | {g[1]} | {g[2]} | {name} | " + " | ".join(f"{r[s][0]:.3f} / {r[s][1]:.3f}" for s in splits) + " |")
    md += ["", "Shipped: a_v 60, a_i 30, prior 1.0 (models/default/calibration.json, pipeline.config.VerifyConfig), "
           "with 20 families drawn (VerifyConfig.shortlist, index_top_k; these rankings were recorded so, with the "
           "shortlist chosen at index_alpha 30; it is chosen at the shipped 90 now, see fusion_index.md). The heavier "
           "weights gain most on the families the classifier never saw (its summed log-scores, borrowed from the nearest "
           "family it knows, do not tell such a family from that neighbour); of the settings near the best on odd "
           "pictures, this is the one that keeps the shared hollow-letter case on Anton (tests/fixtures/cases/"
           "outlined.png: filled outlines are a little heavier than the real letters, and Vina Sans, heavier than "
           "Anton, wins under a_v 60 a_i 30 prior 0.5 and every heavier setting tried). The previous setting was "
           "a_v 30, a_i 15, prior 0.5 with 10 drawn. The same benchmark pictures ranked by the pipeline with the "
           "shipped setting: [catalog.md](catalog.md).",
           "", "Tried and not shipped: each glyph's bitmap compared with its drawing (normalised cross-correlation at "
           "20 x 20 px, added at weight a_p beside the cosines). On the same 832 pictures it lowered top-1 at every "
           "weight tried (a_p 30: clean 0.92 -> 0.86 and photo 0.68 -> 0.66 on the even pictures; 60 and more: lower "
           "still): cut glyphs of real pictures are not aligned to a pixel with their drawings, and the embedding "
           "already holds what the bitmaps add."]
    OUT.write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


def _scores(p, fav, av, ai, prior) -> np.ndarray:
    _, _, _, base, short, ds, is_, t, _ = p
    bonus = av * ds + ai * is_
    out = base + bonus.min() + t * prior * fav
    out[short] = base[short] + bonus + t * prior * fav[short]
    return out


if __name__ == "__main__":
    sys.exit(main())
