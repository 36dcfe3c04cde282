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
from bench.make_testsets import VERSION  # noqa: E402
from bench.manifest import read_manifest, select  # noqa: E402
from pipeline.rank import Identifier, first_words  # noqa: E402

testsets, out = Path(sys.argv[1]), sys.argv[2]
splits = [(s.split(":")[0], int(s.split(":")[1])) for s in sys.argv[3:]]
ident = Identifier()
rec = []
orig = Identifier.open_scores

def patched(self, ix, sums, w, scores, chars, words):
    from fontindex import family_match
    from pipeline.openset import shortlist
    op, v = self.openset, self.verify_config
    base = op.base_scores(sums)
    sub = first_words(ix, words, v.max_glyphs)
    match = family_match(op.index, op.glyph_similarity(scores.embedding[sub], [chars[i] for i in sub]), w[sub])
    cand = op.candidates(base, match.totals, v.top_k, v.index_top_k)
    short = shortlist(base, cand, match.similarity[cand], w[sub], self.calibration.index_alpha, v.shortlist)
    out_, t, ver = orig(self, ix, sums, w, scores, chars, words)
    rec.append({"n": len(ix), "base": base.tolist(), "short": [int(s) for s in short],
                "drawn": np.asarray(ver.similarity, np.float64).tolist() if ver is not None and len(ver.candidates) == len(short) else None,
                "ver_cand": [int(c) for c in ver.candidates], "index": match.similarity[short].tolist(),
                "w": w[sub].tolist(), "t": float(t), "final_top5": [int(i) for i in np.argsort(-out_)[:5]]})
    return out_, t, ver

Identifier.open_scores = patched
ids = [f.family for f in ident.universe]
fav = ident.openset.favoured.tolist()
with open(out, "w") as f:
    f.write(json.dumps({"ids": ids, "favoured": fav, "alpha": ident.calibration.verify_alpha,
                        "prior": ident.verify_config.trained_prior,
                        "index_alpha": ident.calibration.verify_index_alpha}) + "\n")
    for split, limit in splits:
        _, rows = read_manifest(testsets / split, VERSION)
        rows = select(rows, None, 1, limit or None) if limit else rows
        for k, r in enumerate(rows):
            rec.clear()
            try:
                ranking = ident.rank(testsets / r.image)
            except Exception as e:  # noqa: BLE001 - a diagnostic: keep going
                print("fail", r.image, e, file=sys.stderr)
                continue
            main = None
            for q, reg in zip(rec, ranking.regions, strict=False):
                if [x.family for x in reg.fonts] == [x.family for x in ranking.fonts]:
                    main = q
            f.write(json.dumps({"split": split, "k": k, "truth": ids.index(r.family) if r.family in ids else -1,
                                "final": [x.family for x in ranking.fonts[:5]], "main": main}) + "\n")
            f.flush()
            print(split, k, file=sys.stderr, flush=True)
