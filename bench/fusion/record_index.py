"""Without font files: record what each picture's index-scored main region is made of (bench/fusion/sweep_index.py).

    FREEFONTFINDER_FONTS=<empty dir> python bench/fusion/record_index.py TESTSETS OUT.jsonl SPLIT:LIMIT [...]  (LIMIT 0 = all)
"""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.fusion.common import write_rankings  # noqa: E402
from fontindex import family_match  # noqa: E402
from fontindex.scoring import fill_missing  # noqa: E402
from pipeline.rank import Identifier, first_words  # noqa: E402

testsets, out = Path(sys.argv[1]), sys.argv[2]
splits = [(s.split(":")[0], int(s.split(":")[1])) for s in sys.argv[3:]]
ident = Identifier()
assert not ident.verifies, "run with FREEFONTFINDER_FONTS pointing at an empty folder"
K = int(os.environ.get("CAND", "60"))
rec = []
orig = Identifier.open_scores


def patched(self, ix, sums, w, scores, chars, words):
    """open_scores as shipped, and the base scores and index cosines of a wider candidate set beside."""
    out_, t, ver = orig(self, ix, sums, w, scores, chars, words)
    op = self.openset
    base = op.base_scores(sums)
    sub = first_words(ix, words, self.verify_config.max_glyphs)
    sim = op.glyph_similarity(scores.embedding[sub], [chars[i] for i in sub])
    match = family_match(op.index, sim, w[sub])
    cand = op.candidates(base, match.totals, K, K)
    rec.append({"n": len(ix), "base": base.tolist(), "cand": cand.tolist(),
                "index": fill_missing(match.similarity[cand]).astype(np.float64).round(4).tolist(), "w": w[sub].tolist(),
                "t": float(t), "final_top5": [int(i) for i in np.argsort(-out_)[:5]],
                "ver_cand": [int(c) for c in ver.candidates]})
    return out_, t, ver


Identifier.open_scores = patched
ids = [f.family for f in ident.universe]
with open(out, "w") as f:
    f.write(json.dumps({"ids": ids, "favoured": ident.openset.favoured.tolist(), "index_alpha": ident.calibration.index_alpha,
                        "prior": ident.verify_config.trained_prior, "top_k": ident.verify_config.top_k,
                        "index_top_k": ident.verify_config.index_top_k}) + "\n")
    write_rankings(ident, testsets, splits, rec, f, ids)
