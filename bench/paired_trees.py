"""CPU seconds per picture of two source trees of this project on the same pictures, paired.

    .venv/bin/python bench/paired_trees.py OLD_DIR NEW_DIR [--n 40] [--manifest bench/testsets/clean/manifest.json]

OLD_DIR and NEW_DIR are checkouts (e.g. `git archive COMMIT | tar -x -C OLD_DIR`, with
models/ocr linked in). Each tree ranks in its own worker process (one thread, its own
packages first on sys.path); every picture is sent to both, alternating which goes first, and
each worker reports time.process_time() around ident.rank, so other jobs on a shared machine
count little. The first picture (engine loading) is left out of the timings. Prints p50,
mean, p95, top-1/top-5 and how many readings agree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def worker(tree: str) -> None:
    """Rank each picture path read from stdin with ``tree``'s packages; one JSON line each."""
    sys.path.insert(0, tree)
    os.chdir(tree)
    from pipeline import get_identifier

    ident = get_identifier()
    print(json.dumps({"ready": tree}), flush=True)
    for line in sys.stdin:
        t0 = time.process_time()
        r = ident.rank(line.strip(), top=5)
        print(json.dumps({"cpu": time.process_time() - t0, "top": [f.family for f in r.fonts], "text": r.text}),
              flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--n", type=int, default=40)
    p.add_argument("--manifest", default=str(ROOT / "bench/testsets/clean/manifest.json"),
                   help="JSON with samples [{image, family}], image paths relative to its folder's parent")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        worker(a.old)
        return 0
    env = dict(os.environ, OMP_NUM_THREADS="1")
    procs = {k: subprocess.Popen([sys.executable, __file__, tree, tree, "--worker"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
             for k, tree in (("old", a.old), ("new", a.new))}
    for proc in procs.values():
        json.loads(proc.stdout.readline())
    manifest = Path(a.manifest)
    samples = json.loads(manifest.read_text())["samples"][: a.n]
    cpu, hits, same = {"old": [], "new": []}, {"old": [0, 0], "new": [0, 0]}, 0
    for i, s in enumerate(samples):
        path = manifest.parent.parent / s["image"]
        out = {}
        for k in (("old", "new") if i % 2 == 0 else ("new", "old")):
            procs[k].stdin.write(f"{path}\n")
            procs[k].stdin.flush()
            out[k] = json.loads(procs[k].stdout.readline())
            cpu[k].append(out[k]["cpu"])
            hits[k][0] += out[k]["top"][:1] == [s["family"]]
            hits[k][1] += s["family"] in out[k]["top"]
        same += out["old"]["text"] == out["new"]["text"]
    for k, v in cpu.items():
        v = np.array(v[1:])
        print(f"{k}: n={len(v)} CPU s p50 {np.median(v):.3f} mean {v.mean():.3f} p95 {np.percentile(v, 95):.3f}; "
              f"top-1 {hits[k][0]}/{len(samples)} top-5 {hits[k][1]}/{len(samples)}")
    ratio = np.array(cpu["new"][1:]) / np.array(cpu["old"][1:])
    print(f"p50 new / old {np.median(cpu['new'][1:]) / np.median(cpu['old'][1:]):.3f}; median per-picture ratio "
          f"{np.median(ratio):.3f}; same reading {same}/{len(samples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
