"""Refit the render-and-compare temperature on benchmark pictures, on images the
calibration benchmark does not score.

    OMP_NUM_THREADS=1 .venv/bin/python bench/calibration_fit.py [--per-split 75] [--write]

Why: `cli.py calibrate` fits the temperature on rendered training-word lines, before
the trust step (pipeline.trust) flattened weak regions; on the benchmark splits the
final top score came out underconfident (ECE 0.136 over 300 pictures: mean top score
0.43 for top-1 0.55). This reads the odd-numbered images (1, 3, 5, ...) of each split,
records the main region's summed scores, glyph count and trust mixing weight, and
fits (T, power) of T x (n / 10) ** power by the log-loss of the top score against
top-1 correctness (the score users see), the trust step included.
bench/bench_calibration.py scores the even-numbered images (other families).
--write puts verify_temperature and verify_length_power into the model's
calibration.json (nothing else in it changes). Records are cached in runs/.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pickle
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.scoring import LENGTH_POWERS, expected_calibration_error  # noqa: E402

POWERS = (*LENGTH_POWERS, 1.25)


@dataclass(frozen=True)
class PictureFitConfig:
    splits: str = "clean,photo,scene,short"
    per_split: int = 75  # odd-numbered images per split
    testsets: str = "bench/testsets"
    model: str = "models/default"
    cache: str = "runs/calibration-pictures.pkl"
    write: bool = False


def record(ident, cfg: PictureFitConfig) -> list[dict]:
    """Per picture: the main region's (U,) summed scores, temperature used, trust mixing
    weight (lam), glyph count, and the true family's index (-1 when not in the universe).

    The scores are taken where pipeline.rank turns them into probabilities (its
    to_probabilities and flatten, wrapped for the run)."""
    rank_mod = importlib.import_module("pipeline.rank")
    seen: list[dict] = []
    to_p, flat = rank_mod.to_probabilities, rank_mod.flatten

    def to_p_rec(sums, t):
        seen.append({"sums": np.asarray(sums, np.float32), "t": float(t)})
        return to_p(sums, t)

    def flat_rec(p, lam):
        seen[-1]["lam"] = float(lam)
        return flat(p, lam)

    uni = {f.family: i for i, f in enumerate(ident.universe)}
    rows = []
    rank_mod.to_probabilities, rank_mod.flatten = to_p_rec, flat_rec
    try:
        for split in cfg.splits.split(","):
            samples = json.loads((Path(cfg.testsets) / split / "manifest.json").read_text())["samples"]
            for k in range(1, min(len(samples), 2 * cfg.per_split), 2):
                s, seen[:] = samples[k], []
                r = ident.rank(Path(cfg.testsets) / s["image"], top=5)
                if not r.fonts:
                    continue
                main = next(i for i, g in enumerate(r.regions) if g.fonts == r.fonts)
                rows.append(seen[main] | {"split": split, "k": k, "truth": uni.get(s["family"], -1),
                                          "n": len(r.regions[main].glyphs)})
            print(f"{split}: {len(rows)} pictures recorded", file=sys.stderr, flush=True)
    finally:
        rank_mod.to_probabilities, rank_mod.flatten = to_p, flat
    return rows


def top_scores(rows: list[dict], t: float, power: float) -> tuple[np.ndarray, np.ndarray]:
    """(M,) top score each picture would get at T x (n / 10) ** power (trust mixing kept),
    and (M,) whether its top family is right."""
    out, correct = [], []
    for r in rows:
        z = (r["sums"].astype(np.float64) - r["sums"].max()) / (t * (max(1, r["n"]) / 10.0) ** power)
        top = 1.0 / np.exp(z).sum()  # softmax probability of the top family
        out.append(r["lam"] * top + (1.0 - r["lam"]) / len(z))
        correct.append(int(np.argmax(r["sums"])) == r["truth"])
    return np.array(out), np.array(correct, np.float64)


def fit(rows: list[dict]) -> dict:
    """(T, power) minimising the log-loss of the top score against top-1 correctness."""
    best: dict = {}
    for power in POWERS:
        for t in np.exp(np.linspace(np.log(2.0), np.log(40.0), 120)):
            conf, correct = top_scores(rows, float(t), power)
            c = np.clip(conf, 1e-6, 1 - 1e-6)
            loss = -float(np.mean(correct * np.log(c) + (1 - correct) * np.log(1 - c)))
            if not best or loss < best["log_loss"]:
                best = {"t": round(float(t), 4), "power": power, "log_loss": loss,
                        "ece_fit": expected_calibration_error(conf, correct)}
    return best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f, default in asdict(PictureFitConfig()).items():
        if isinstance(default, bool):
            p.add_argument("--" + f, action="store_true")
        else:
            p.add_argument("--" + f.replace("_", "-"), type=type(default), default=default)
    cfg = PictureFitConfig(**vars(p.parse_args(argv)))
    cache = Path(cfg.cache)
    if cache.is_file():
        rows = pickle.loads(cache.read_bytes())
    else:
        from pipeline import get_identifier

        rows = record(get_identifier(cfg.model), cfg)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(rows))
    path = Path(cfg.model) / "calibration.json"
    cal = json.loads(path.read_text())
    before = expected_calibration_error(*top_scores(rows, cal["verify_temperature"], cal["verify_length_power"]))
    best = fit(rows)
    print(json.dumps({"pictures": len(rows), "ece_fit_before": before, **best}, indent=1))
    if cfg.write:
        cal["verify_temperature"], cal["verify_length_power"] = best["t"], best["power"]
        path.write_text(json.dumps(cal, indent=1) + "\n")
        print(f"wrote verify_temperature {best['t']} and verify_length_power {best['power']} to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
