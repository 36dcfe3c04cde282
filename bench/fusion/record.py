"""Record what each picture's final open-set score is made of (its main region), for bench/fusion/sweep.py.

    python bench/fusion/record.py TESTSETS OUT.jsonl SPLIT:LIMIT [SPLIT:LIMIT ...]   (LIMIT 0 = all)

Output: JSON lines; the first holds the family ids, which families are favoured (trained or
added), render-and-compare's alpha and the trained prior; then one line per picture."""
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.fusion.common import write_rankings  # noqa: E402
from pipeline.rank import Identifier, first_words  # noqa: E402

testsets, out = Path(sys.argv[1]), sys.argv[2]
splits = [(s.split(":")[0], int(s.split(":")[1])) for s in sys.argv[3:]]
ident = Identifier()
rec = []
orig = Identifier.open_scores

def patched(self, ix, sums, w, scores, chars, words):
    """open_scores as shipped; its Verification already carries the index's cosines of the
    candidates it drew (index_similarity), so nothing of the ranking is recomputed here."""
    out_, t, ver = orig(self, ix, sums, w, scores, chars, words)
    drawn = any(s is not None for s in ver.styles)  # render-and-compare ran (else: index cosines only)
    sub = first_words(ix, words, self.verify_config.max_glyphs)
    rec.append({"n": len(ix), "base": self.openset.base_scores(sums).tolist(),
                "short": [int(c) for c in ver.candidates], "ver_cand": [int(c) for c in ver.candidates],
                "drawn": np.asarray(ver.similarity, np.float64).tolist() if drawn else None,
                "index": np.asarray(ver.index_similarity, np.float64).tolist(),
                "w": w[sub].tolist(), "t": float(t), "final_top5": [int(i) for i in np.argsort(-out_)[:5]]})
    return out_, t, ver


Identifier.open_scores = patched
ids = [f.family for f in ident.universe]
fav = ident.openset.favoured.tolist()
with open(out, "w") as f:
    f.write(json.dumps({"ids": ids, "favoured": fav, "alpha": ident.calibration.verify_alpha,
                        "prior": ident.verify_config.trained_prior,
                        "index_alpha": ident.calibration.verify_index_alpha}) + "\n")
    write_rankings(ident, testsets, splits, rec, f, ids)
