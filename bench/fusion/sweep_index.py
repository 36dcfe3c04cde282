"""Without font files (a fresh clone before `fonts fetch`): how the font index's cosines weigh against the
classifier's scores (Calibration.index_alpha) and the trained-family prior (VerifyConfig.trained_prior).

    FREEFONTFINDER_FONTS=<empty dir> python bench/fusion/record_index.py bench/testsets runs/index_only.jsonl \\
        clean:100 photo:100 clean-beyond300:0 photo-beyond300:0
    python bench/fusion/sweep_index.py runs/index_only.jsonl      # -> bench/results/fusion_index.md

record_index.py ranks each picture once (no drawings: every region is scored by the index) and keeps
its main region's base scores (U,), the head's and the index's 60 best candidates, their per-glyph
index cosines and the glyph weights. Every setting re-scores the same rankings:

    final[k] = base[k] + a_i * sum_n w_n index[k, n] + t * prior * trained[k]

over the head's top_k and the index's index_top_k candidates (every other family gets the smallest
bonus). Settings are chosen on odd-numbered pictures and read on even-numbered ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.fusion.common import evaluate as _evaluate  # noqa: E402
from bench.fusion.common import objective  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "results" / "fusion_index.md"
GRID = [(kh, ki, ia, pr) for kh in (30, 60) for ki in (10, 20) for ia in (15, 30, 45, 60, 90, 120, 150)
        for pr in (0.0, 0.25, 0.5, 1.0)]
SHOWN = [(30, 10, 30, 0.5), (30, 20, 30, 0.5), (30, 20, 60, 1.0), (30, 20, 90, 0.5), (30, 20, 90, 1.0),
         (30, 20, 120, 1.0), (30, 20, 150, 1.0)]


def load(path: str) -> tuple[dict, list[tuple]]:
    lines = [json.loads(line) for line in open(path)]
    prep = []
    for r in lines[1:]:
        if not r["main"] or r["truth"] < 0:
            continue
        m = r["main"]
        w = np.array(m["w"])
        prep.append((r["split"], r["k"], r["truth"], np.array(m["base"]), np.array(m["cand"]),
                     (np.array(m["index"]) * w).sum(1), m["t"]))
    return lines[0], prep


def _scores(p, fav, kh, ki, ia, pr) -> np.ndarray:
    _, _, _, base, cand, tot, t = p
    head = list(cand[np.argsort(-base[cand], kind="stable")[:kh]])
    seen = set(head)
    extra = [c for c in cand[np.argsort(-tot, kind="stable")] if c not in seen][:ki]
    pos = {c: i for i, c in enumerate(cand)}
    cs = np.array(head + extra)
    bonus = ia * tot[[pos[c] for c in cs]]
    out = base + bonus.min() + t * pr * fav
    out[cs] = base[cs] + bonus + t * pr * fav[cs]
    return out


def evaluate(prep, fav, *g) -> dict[str, tuple[float, float, int]]:
    return _evaluate(prep, lambda p: _scores(p, fav, *g))


def main() -> int:
    head, prep = load(sys.argv[1])
    fav = np.array(head["favoured"])
    odd, even = [p for p in prep if p[1] % 2], [p for p in prep if not p[1] % 2]
    best = max(GRID, key=lambda g: objective(evaluate(odd, fav, *g)))
    splits = sorted({p[0] for p in prep})
    md = ["# Without font files: the index's cosines against the classifier (Calibration.index_alpha)", "",
          __doc__.split("\n\n")[2], "",
          f"{len(prep)} pictures ({', '.join(f'{s} {sum(p[0] == s for p in prep)}' for s in splits)}); recorded at "
          f"top_k {head['top_k']}, index_top_k {head['index_top_k']}, a_i {head['index_alpha']:g}, prior "
          f"{head['prior']:g}. Best on odd pictures over {len(GRID)} settings: top_k {best[0]}, index_top_k {best[1]}, "
          f"a_i {best[2]}, prior {best[3]}.", "",
          "| top_k | index_top_k | a_i | prior | pictures | " + " | ".join(f"{s} top-1 / top-5" for s in splits) + " |",
          "|---|---|---|---|---|" + "---|" * len(splits)]
    for g in [*SHOWN, best]:
        for name, sub in (("odd (fit)", odd), ("even", even), ("all", prep)):
            r = evaluate(sub, fav, *g)
            md.append(f"| {' | '.join(str(x) for x in g)} | {name} | "
                      + " | ".join(f"{r[s][0]:.3f} / {r[s][1]:.3f}" for s in splits) + " |")
    md += ["", "Shipped: top_k 30, index_top_k 20, a_i 90, prior 1.0 (the prior is shared with the drawn ranking, "
           "fusion.md). Before: index_top_k 10, a_i 30, prior 0.5. The heavier index weight is what lets a family the "
           "classifier never saw beat the trained neighbour whose log-scores it borrows."]
    OUT.write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
