"""Score ranking systems over the test sets and write the benchmark report.

A system is any :class:`RankFn`: ``rank_fn(image_path) -> [(family, score,
weight, width), ...]`` best first, or None / [] when it finds no text (a miss,
not an error). Exceptions are recorded per image as errors and also count as
misses. Every number in the report is computed from these answers.

Writes into the results folder: ``benchmark.md``, ``benchmark.json``,
``benchmark-predictions.jsonl``, ``benchmark-accuracy-by-split.png``,
``benchmark-accuracy-by-length.png`` and ``confusions.png``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from bench.manifest import Sample

Prediction = tuple[str, float, float | None, float | None]  # family, score, weight, width
LENGTH_BUCKETS = ((1, 4), (5, 8), (9, 14), (15, 99))


class SystemFailedError(RuntimeError):
    """A system failed the same way on each of its first images (e.g. no model): not worth
    running on the rest."""


class RankFn(Protocol):
    def __call__(self, image_path: Path) -> Sequence[Prediction] | None: ...


@dataclass(frozen=True)
class Outcome:
    image: str
    split: str
    family: str
    text: str
    weight: int
    width: float
    top: tuple[str, ...]  # first five predicted families
    pred_weight: float | None  # of the top-1 prediction
    pred_width: float | None
    seconds: float
    error: str | None = None

    @property
    def hit1(self) -> bool:
        return bool(self.top) and self.top[0] == self.family

    @property
    def hit5(self) -> bool:
        return self.family in self.top[:5]


@dataclass(frozen=True)
class SystemRun:
    system: str
    outcomes: tuple[Outcome, ...]
    peak_rss_mb: float  # process peak after this system ran (includes earlier systems)
    seconds: float


def evaluate(system: str, rank_fn: RankFn, samples: Sequence[Sample], root: Path,
             progress: bool = True, fail_fast: int = 5) -> SystemRun:
    """Run ``rank_fn`` on every sample (in order) and record what it answered.
    Raises SystemFailedError if the first ``fail_fast`` images all fail with one message."""
    t_all = time.perf_counter()
    outcomes: list[Outcome] = []
    for i, s in enumerate(samples):
        outcomes.append(_one(rank_fn, s, Path(root)))
        if i + 1 == fail_fast and len({o.error for o in outcomes}) == 1 and outcomes[0].error:
            raise SystemFailedError(f"{system} failed on its first {fail_fast} images: {outcomes[0].error}")
        if progress and (i + 1) % 50 == 0:
            print(f"[benchmark] {system}: {i + 1}/{len(samples)}", file=sys.stderr, flush=True)
    return SystemRun(system, tuple(outcomes), peak_rss_mb(), time.perf_counter() - t_all)


def _one(rank_fn: RankFn, s: Sample, root: Path) -> Outcome:
    t0 = time.perf_counter()
    error = None
    try:
        preds = list(rank_fn(root / s.image) or [])
    except Exception as e:  # noqa: BLE001 - one failing image must not stop a benchmark; it is recorded
        preds, error = [], f"{type(e).__name__}: {e}"
    dt = time.perf_counter() - t0
    top = tuple(str(p[0]) for p in preds[:5])
    w = _num(preds[0][2]) if preds and len(preds[0]) > 2 else None
    wd = _num(preds[0][3]) if preds and len(preds[0]) > 3 else None
    return Outcome(s.image, s.split, s.family, s.text, s.weight, s.width, top, w, wd, dt, error)


def _num(v: object) -> float | None:
    return None if v is None else float(v)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


# ----------------------------------------------------------------------------- metrics
def metrics(outcomes: Sequence[Outcome]) -> dict:
    """top-1/top-5, weight/width MAE (top-1 estimate vs truth), errors, misses, timing."""
    n = len(outcomes)
    if not n:
        return {"n": 0}
    secs = np.array([o.seconds for o in outcomes])
    wt = [abs(o.pred_weight - o.weight) for o in outcomes if o.pred_weight is not None]
    wd = [abs(o.pred_width - o.width) for o in outcomes if o.pred_width is not None]
    return {
        "n": n,
        "top1": sum(o.hit1 for o in outcomes) / n,
        "top5": sum(o.hit5 for o in outcomes) / n,
        "weight_mae": float(np.mean(wt)) if wt else None,
        "weight_n": len(wt),
        "width_mae": float(np.mean(wd)) if wd else None,
        "width_n": len(wd),
        "errors": sum(o.error is not None for o in outcomes),
        "no_answer": sum(not o.top and o.error is None for o in outcomes),
        "sec_p50": float(np.percentile(secs, 50)),
        "sec_p95": float(np.percentile(secs, 95)),
    }


def by_split(outcomes: Sequence[Outcome]) -> dict[str, dict]:
    splits = list(dict.fromkeys(o.split for o in outcomes))
    table = {sp: metrics([o for o in outcomes if o.split == sp]) for sp in splits}
    table["all"] = metrics(outcomes)
    return table


def by_length(outcomes: Sequence[Outcome]) -> dict[str, dict]:
    """top-1/top-5 by number of non-space characters of the true text."""
    out = {}
    for lo, hi in LENGTH_BUCKETS:
        sub = [o for o in outcomes if lo <= len(o.text.replace(" ", "")) <= hi]
        if sub:
            m = metrics(sub)
            out[f"{lo}-{hi}" if hi < 99 else f"{lo}+"] = {k: m[k] for k in ("n", "top1", "top5")}
    return out


def confused_pairs(outcomes: Sequence[Outcome], k: int) -> list[tuple[str, str, int]]:
    """The ``k`` most frequent (true family, predicted top-1) pairs among wrong answers."""
    pairs = Counter((o.family, o.top[0]) for o in outcomes if o.top and not o.hit1)
    return [(t, p, c) for (t, p), c in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def summarize(runs: Sequence[SystemRun], meta: dict, confusions: int = 8) -> dict:
    return {
        "meta": meta,
        "systems": {
            r.system: {"splits": by_split(r.outcomes), "length": by_length(r.outcomes),
                       "confused": confused_pairs(r.outcomes, confusions),
                       "peak_rss_mb": round(r.peak_rss_mb, 1), "seconds": round(r.seconds, 1),
                       "error_examples": _error_examples(r.outcomes)}
            for r in runs
        },
    }


def _error_examples(outcomes: Sequence[Outcome], k: int = 5) -> list[str]:
    return [f"{o.image}: {o.error}" for o in outcomes if o.error][:k]


# ----------------------------------------------------------------------------- writing
def write_report(runs: Sequence[SystemRun], meta: dict, out_dir: Path, fonts: dict | None = None,
                 confusions: int = 8) -> dict[str, Path]:
    """Write JSON, predictions, markdown and plots; returns {kind: path}."""
    from bench import plots

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(runs, meta, confusions)
    paths = {"json": out / "benchmark.json", "md": out / "benchmark.md",
             "predictions": out / "benchmark-predictions.jsonl",
             "by_split": out / "benchmark-accuracy-by-split.png",
             "by_length": out / "benchmark-accuracy-by-length.png", "confusions": out / "confusions.png"}
    paths["json"].write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    with paths["predictions"].open("w") as f:
        for r in runs:
            for o in r.outcomes:
                f.write(json.dumps({"system": r.system, **asdict(o)}, ensure_ascii=False) + "\n")
    plots.accuracy_by_split(summary, paths["by_split"])
    plots.accuracy_by_length(summary, paths["by_length"])
    pairs = [(s, t, p, c) for s, v in summary["systems"].items() for t, p, c in v["confused"]]
    plots.confusions(pairs[: max(confusions, 1)], fonts or {}, paths["confusions"])
    paths["md"].write_text(markdown(summary, {k: p.name for k, p in paths.items()}))
    return paths


def markdown(summary: dict, files: dict[str, str]) -> str:
    meta = summary["meta"]
    lines = ["# freefontfinder benchmark", "",
             f"Test sets: `{meta.get('testsets')}` (generator version {meta.get('version')}, "
             f"seed {meta.get('seed')}); catalog `{meta.get('catalog')}`; {meta.get('when', '')}", "",
             *[f"**{s} not run**: {e}" for s, e in meta.get("failed_systems", {}).items()], "",
             "| system | split | n | top-1 | top-5 | weight MAE | width MAE | errors | no answer "
             "| s/img p50 | s/img p95 |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for system, v in summary["systems"].items():
        for split, m in v["splits"].items():
            if m.get("n"):
                lines.append(_md_row(system, split, m))
    lines += ["", "| system | peak RSS (MB, process, cumulative) | total s |", "|---|---:|---:|"]
    lines += [f"| {s} | {v['peak_rss_mb']:.0f} | {v['seconds']:.0f} |" for s, v in summary["systems"].items()]
    lines += ["", "## Accuracy by text length (non-space characters)", "",
              "| system | length | n | top-1 | top-5 |", "|---|---|---:|---:|---:|"]
    for system, v in summary["systems"].items():
        lines += [f"| {system} | {b} | {m['n']} | {m['top1']:.3f} | {m['top5']:.3f} |"
                  for b, m in v["length"].items()]
    lines += ["", "## Most confused pairs (true → predicted top-1)", ""]
    for system, v in summary["systems"].items():
        pairs = ", ".join(f"{t} → {p} ×{c}" for t, p, c in v["confused"]) or "none"
        lines.append(f"- **{system}**: {pairs}")
        lines += [f"  - error: `{e}`" for e in v["error_examples"]]
    lines += ["", f"![accuracy by split]({files['by_split']})", "",
              f"![accuracy by length]({files['by_length']})", "", f"![confusions]({files['confusions']})", "",
              f"Per-image answers: `{files['predictions']}`.", ""]
    return "\n".join(lines)


def _md_row(system: str, split: str, m: dict) -> str:
    def f(v: float | None, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)

    return (f"| {system} | {split} | {m['n']} | {m['top1']:.3f} | {m['top5']:.3f} | "
            f"{f(m['weight_mae'], '.0f')} | {f(m['width_mae'], '.1f')} | {m['errors']} | {m['no_answer']} | "
            f"{m['sec_p50']:.3f} | {m['sec_p95']:.3f} |")
