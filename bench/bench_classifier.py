"""Classifier speed on this CPU: inference glyphs/s at batch 64 and training glyphs/s, per architecture.

    .venv/bin/python bench/bench_classifier.py [--model models/default] [--archs tiny,small,base]

Prints a table and writes bench/results/classifier_speed.md. Numbers on a shared
machine are noisy: the load average at the start and end is recorded beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

import classifier  # noqa: E402,F401  (sets the OpenMP wait policy before torch loads)
from classifier.model import ARCHS, build_classifier, count_params  # noqa: E402
from classifier.speed import inference_rate, train_rate, weights_mb  # noqa: E402


def _row(name: str, net, threads: int, seconds: float) -> dict:
    torch.set_num_threads(threads)
    return {"model": name, "threads": threads, "params_k": count_params(net) / 1e3, "mb": weights_mb(net),
            "infer_b64": inference_rate(net, 64, seconds), "infer_b256": inference_rate(net, 256, seconds),
            "train_b256": train_rate(net, 256, seconds)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archs", default=",".join(ARCHS), help="registry architectures to time")
    ap.add_argument("--model", default="", help="also time this model directory")
    ap.add_argument("--fonts", type=int, default=300, help="output size of the registry models")
    ap.add_argument("--threads", default="1,2", help="torch thread counts to try")
    ap.add_argument("--seconds", type=float, default=2.0, help="seconds per measurement")
    ap.add_argument("--out", default=str(ROOT / "bench/results/classifier_speed.md"))
    args = ap.parse_args()
    load0 = os.getloadavg()
    nets = [(a, build_classifier(a, args.fonts, 62)) for a in args.archs.split(",") if a]
    if args.model:
        nets.append((f"{args.model}", classifier.load_model(args.model).net))
    rows = [_row(n, net, int(t), args.seconds) for n, net in nets for t in args.threads.split(",")]
    load1 = os.getloadavg()
    head = "| model | threads | params (k) | weights MB | infer glyphs/s b64 | infer b256 | train glyphs/s b256 |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['model']} | {r['threads']} | {r['params_k']:.0f} | {r['mb']:.2f} | {r['infer_b64']:.0f} | "
              f"{r['infer_b256']:.0f} | {r['train_b256']:.0f} |" for r in rows]
    md = (f"# Classifier speed\n\n{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, {args.fonts} fonts, "
          f"{time.strftime('%Y-%m-%d %H:%M')}. Shared machine: load average {load0[0]:.1f} at start, "
          f"{load1[0]:.1f} at end, so numbers are noisy (lower bounds when the load is high).\n"
          "Training rate is forward + backward + AdamW on random glyphs (no data loading).\n\n"
          + "\n".join(lines) + "\n")
    print(md)
    Path(args.out).write_text(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
