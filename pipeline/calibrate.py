"""Calibrate the ranking: plain vs weighted sums, and the softmax temperature.

Validation glyphs (a glyph dataset rendered with another seed than training)
are grouped by rendering unit (same font, style and augmentation, like the
characters of one word or line) into texts of k glyphs. For each weighting we
sum the per-glyph log-scores, fit the temperature that minimises the NLL of the
true font on one half of the groups, and measure top-1 and the expected
calibration error (ECE) on the other half. The better weighting is kept and
written to ``<model>/calibration.json``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.calibrate_lines import ALPHAS
from pipeline.scoring import (
    Calibration,
    expected_calibration_error,
    fit_temperature,
    glyph_weights,
    to_probabilities,
)

GROUP_SIZES = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class CalibrateConfig:
    model: str = "models/default"
    data: str = "data/glyphs-300-val"
    max_glyphs: int = 60_000
    lines: int = 240  # rendered lines run through OCR for the line-level temperature (0 = skip)
    seed: int = 0
    out: str = "bench/results"
    openset: bool = False  # only refit the font index's alpha/temperature and in_catalog (pipeline.calibrate_openset)
    records: str = "runs/calibration-openset2.npz"  # --openset: line records cached here (reused when present)
    in_catalog_only: bool = False  # --openset: refit only in_catalog, keep the index's alpha/temperature
    catalog: str = "default"  # --openset: the families the lines are drawn in (the catalog the tool ranks)


def char_informativeness(lp: np.ndarray, font: np.ndarray, chars: list[str]) -> dict[str, float]:
    """Per letter: mean log-probability of the true font above uniform, scaled to mean 1."""
    gain = lp[np.arange(len(font)), font] + np.log(lp.shape[1])  # (N,)
    info = {c: float(np.mean(gain[[i for i, x in enumerate(chars) if x == c]])) for c in set(chars)}
    mean = float(np.mean(list(info.values())))
    return {c: round(max(v, 0.05) / mean, 4) for c, v in sorted(info.items())}


def make_groups(unit_id: np.ndarray, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Disjoint groups of k glyphs drawn from the same rendering unit."""
    groups = []
    for u in np.unique(unit_id):
        ix = rng.permutation(np.nonzero(unit_id == u)[0])
        groups += [ix[i:i + k] for i in range(0, len(ix) - k + 1, k)]
    return groups


def evaluate_weighting(lp, font, chars, unit_id, cal: Calibration, rng) -> dict:
    """Fit T on half the groups, report top-1/ECE on the other half, all group sizes."""
    w = glyph_weights(chars, np.ones(len(chars)), cal)
    sums, truth, sizes = [], [], []
    for k in GROUP_SIZES:
        for g in make_groups(unit_id, k, rng):
            sums.append((w[g, None] * lp[g]).sum(0))
            truth.append(font[g[0]])
            sizes.append(k)
    sums, truth, sizes = np.array(sums), np.array(truth), np.array(sizes)
    half = rng.random(len(truth)) < 0.5
    t = fit_temperature(sums[half], truth[half])
    probs = np.array([to_probabilities(s, t) for s in sums[~half]])
    pred, conf = probs.argmax(1), probs.max(1)
    correct = pred == truth[~half]
    by_k = {int(k): float(correct[sizes[~half] == k].mean()) for k in GROUP_SIZES}
    return {"temperature": t, "ece": expected_calibration_error(conf, correct),
            "top1": float(correct.mean()), "top1_by_k": by_k, "conf": conf, "correct": correct}


def calibrate(cfg: CalibrateConfig) -> int:
    if cfg.openset:
        return calibrate_open(cfg)
    from classifier import load_model
    from glyphs.dataset import load_dataset

    model = load_model(cfg.model)
    ds = load_dataset(cfg.data)
    if [f.family for f in ds.labels.fonts] != [f.family for f in model.labels.fonts]:
        print("error: the calibration data and the model have different label maps", file=sys.stderr)
        return 1
    rng = np.random.default_rng(cfg.seed)
    ix = np.sort(rng.permutation(len(ds))[: cfg.max_glyphs])
    chars = [ds.labels.glyph_set[c] for c in ds.char[ix]]
    lp = model.score(np.asarray(ds.images[ix]), chars).log_probs.astype(np.float64)
    font = np.asarray(ds.font[ix])
    unit_id = font.astype(np.int64) * 100_000 + np.asarray(ds.variant[ix])
    half = rng.random(len(ix)) < 0.5  # info table from one half, evaluated on the other
    info = char_informativeness(lp[half], font[half], [c for c, h in zip(chars, half, strict=True) if h])
    results = {}
    for name, cal in (("plain", Calibration()), ("weighted", Calibration(weighting="weighted", char_info=info))):
        sel = ~half
        results[name] = evaluate_weighting(lp[sel], font[sel], [c for c, h in zip(chars, sel, strict=True) if h],
                                           unit_id[sel], cal, np.random.default_rng(cfg.seed))
    best = max(results, key=lambda n: (results[n]["top1"], -results[n]["ece"]))
    r = results[best]
    final = Calibration(r["temperature"], best, info if best == "weighted" else {}, round(r["ece"], 4))
    lines = None
    if cfg.lines:
        final, lines = _line_stage(cfg, final)
    (Path(cfg.model) / "calibration.json").write_text(json.dumps(final.to_dict(), indent=1) + "\n")
    _report(cfg, results, best, lines)
    return 0


def _line_stage(cfg: CalibrateConfig, cal: Calibration) -> tuple[Calibration, dict]:
    from glyphs.catalog import catalog_families
    from pipeline.calibrate_lines import refit_on_lines
    from pipeline.rank import Identifier

    ident = Identifier(cfg.model, calibration=cal)
    families = [f for f in catalog_families(cfg.catalog) if f.present]
    return refit_on_lines(ident, families, cfg.lines, cfg.seed)


def _report(cfg: CalibrateConfig, results: dict, best: str, lines: dict | None) -> None:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = ["| weighting | temperature | ECE | top-1 (all) | " + " | ".join(f"top-1 k={k}" for k in GROUP_SIZES) + " |",
            "|---|---|---|---|" + "---|" * len(GROUP_SIZES)]
    for name, r in results.items():
        rows.append(f"| {name}{' (kept)' if name == best else ''} | {r['temperature']:.2f} | {r['ece']:.3f} | "
                    f"{r['top1']:.3f} | " + " | ".join(f"{r['top1_by_k'][k]:.3f}" for k in GROUP_SIZES) + " |")
    text = (f"# Ranking calibration\n\nModel `{cfg.model}`, validation glyphs `{cfg.data}` grouped into "
            f"texts of k glyphs of one rendering; T fitted on half the groups, scores on the other half.\n\n"
            + "\n".join(rows) + "\n")
    if lines:
        text += (f"\nLine stage: {lines['lines']} rendered, augmented lines (training words, random families) "
                 f"through OCR + segmentation; T fitted on half, ECE on the other half.\n\n"
                 f"| temperature | ECE of the top score | line top-1 |\n|---|---|---|\n"
                 f"| {lines['t_glyph_groups']:.2f} (glyph groups) | {lines['ece_before']:.3f} | {lines['top1']:.3f} |\n"
                 f"| {lines['t_lines']:.2f} × (n/10)^{lines['power']:g} (lines, kept) | {lines['ece_after']:.3f} | {lines['top1']:.3f} |\n")
        v = lines.get("verify")
        if v:
            text += (f"\nRender-and-compare (pipeline.verify) on the same lines: alpha {v['alpha']:g} "
                     f"(NLL-best of {', '.join(f'{a:g}' for a in ALPHAS)}), temperature {v['t']:.2f} "
                     f"× (n/10)^{v['power']:g} for a region of n glyphs.\n\n"
                     f"| scoring | ECE of the top score | line top-1 (held-out half) |\n|---|---|---|\n"
                     f"| classifier sums | {lines['ece_after']:.3f} | {lines['top1']:.3f} |\n"
                     f"| + render-and-compare | {v['ece']:.3f} | {v['top1']:.3f} |\n")
    (out / "calibration.md").write_text(text)
    print(text)
    _reliability_plot(results[best], out / "calibration.png")


def _reliability_plot(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = np.linspace(0, 1, 11)
    mids, accs = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (r["conf"] > lo) & (r["conf"] <= hi)
        if m.any():
            mids.append(float(r["conf"][m].mean()))
            accs.append(float(r["correct"][m].mean()))
    fig, ax = plt.subplots(figsize=(4, 4))
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.plot(mids, accs, "o-")
    ax.set(xlabel="score of the top font", ylabel="fraction right", title=f"ECE {r['ece']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def calibrate_open(cfg: CalibrateConfig) -> int:
    """Refit the open-world settings on ``cfg.lines`` rendered lines; writes calibration.json and
    bench/results/calibration_openset.md."""
    from glyphs.catalog import catalog_families
    from pipeline.calibrate_openset import calibrate_openset
    from pipeline.config import VerifyConfig
    from pipeline.rank import Identifier

    ident = Identifier(cfg.model, verify=VerifyConfig(stop_margin=0.0))  # every candidate drawn
    if ident.openset is None:
        print(f"error: {cfg.model} has no font index; build it first: python cli.py index build", file=sys.stderr)
        return 1
    families = [f for f in catalog_families(cfg.catalog) if f.present]
    if not families:
        print("error: no font files to draw calibration lines: python cli.py fonts fetch", file=sys.stderr)
        return 1
    cache = Path(cfg.records) if cfg.records else None
    cal, rep = calibrate_openset(ident, families, max(cfg.lines, 20), cfg.seed, cache, scale=not cfg.in_catalog_only)
    (Path(cfg.model) / "calibration.json").write_text(json.dumps(cal.to_dict(), indent=1) + "\n")
    text = (f"# Open-world calibration\n\nModel `{cfg.model}`, {rep['lines']} rendered lines (training words, "
            f"random families of the `{cfg.catalog}` catalog ({len(families)}), default augmentations) through OCR; "
            "fitted on half, measured on the other.\n\n")
    if "index" in rep:
        i = rep["index"]
        text += (f"Font index instead of render-and-compare (no font files): alpha {i['alpha']:g}, temperature "
                 f"{i['t']:.2f} x (n/10)^{i['power']:g}; held-out line top-1 {i['top1']:.3f}, ECE {i['ece']:.3f}.\n\n")
    else:
        c = cal
        text += (f"The font index's alpha {c.index_alpha:g} and temperature {c.index_temperature:.2f} x "
                 f"(n/10)^{c.index_length_power:g} (ECE {c.index_ece}) were kept, as fitted before on the "
                 "300-family index (--in-catalog-only).\n\n")
    text += ("| in_catalog model | ROC AUC on held-out lines (known vs own family removed; fitted on the other half) | examples in the final fit (all lines) |\n"
             "|---|---|---|\n")
    for key, name in (("in_catalog_index", "index similarities"), ("in_catalog_drawn", "render-and-compare")):
        if key in rep:
            text += f"| {name} | {rep[key]['auc_heldout_lines']:.3f} | {rep[key]['examples']} |\n"
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration_openset.md").write_text(text)
    print(text)
    return 0
