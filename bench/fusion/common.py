"""What the fusion recorders and sweeps share: ranking benchmark pictures while a patched
Identifier.open_scores records its main region, and top-1/top-5 of a scoring over recorded rows."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np


def write_rankings(ident, testsets: Path, splits: list[tuple[str, int]], rec: list, f: IO[str], ids: list[str]) -> None:
    """Rank the first LIMIT pictures of each split (0 = all), one JSON line each: split, k, the true
    family's index in ``ids`` (-1 if absent), the final top 5 and the record of the main region (the
    region whose fonts are the ranking's; ``rec`` is filled by the patched open_scores, per region)."""
    from bench.make_testsets import VERSION
    from bench.manifest import read_manifest, select

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


def evaluate(prep: list[tuple], scores_of: Callable[[tuple], np.ndarray]) -> dict[str, tuple[float, float, int]]:
    """Per split: (top-1, top-5, pictures) when each recorded row p (p[0] split, p[2] true family)
    is ranked by scores_of(p) (U,)."""
    res: dict[str, list[int]] = {}
    for p in prep:
        top = np.argsort(-scores_of(p))[:5]
        a = res.setdefault(p[0], [0, 0, 0])
        a[0] += int(top[0] == p[2])
        a[1] += int(p[2] in top)
        a[2] += 1
    return {s: (v[0] / v[2], v[1] / v[2], v[2]) for s, v in sorted(res.items())}


def objective(res: dict[str, tuple[float, float, int]]) -> float:
    """Mean over splits of top-1 + top-5: what the sweeps maximise on the odd-numbered pictures."""
    return float(np.mean([v[0] + v[1] for v in res.values()]))
