"""Second calibration stage: the temperature fitted on whole lines through the real
pipeline (render -> augment -> OCR -> segmentation -> glyph scores -> sum).

Glyph groups from a dataset (pipeline.calibrate) underestimate how much the
errors of one line's glyphs agree with each other, so a temperature fitted
there leaves line scores overconfident. Lines use training words (never the
benchmark texts), random catalog families and the default augmentations.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import numpy as np

from pipeline.scoring import (
    Calibration,
    expected_calibration_error,
    fit_length_temperature,
    glyph_weights,
    length_scale,
    nll,
    summed_scores,
    to_probabilities,
    verified_scores,
)


def _line(files, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """(H, W, 3) uint8 line image of 1-4 training words in one sampled style; a quarter
    of the lines are cut to their first 1-4 characters (labels, initials, prices)."""
    from glyphs.augment import augment_word, preset
    from glyphs.generate import sample_style
    from glyphs.render import open_font, pick_file, render_text
    from glyphs.words import TRAIN_WORDS

    words = [TRAIN_WORDS[int(rng.integers(len(TRAIN_WORDS)))] for _ in range(int(rng.integers(1, 5)))]
    text = " ".join(w.capitalize() if rng.random() < 0.4 else w for w in words)
    if rng.random() < 0.25:
        text = text.replace(" ", "")[: int(rng.integers(1, 5))]
    style = sample_style(files, rng)
    size = int(rng.integers(28, 72))
    font, _ = open_font(pick_file(files, style), style, size)
    r = render_text(font, text)
    gray, _ = augment_word(r.mask, r.boxes, size, rng, preset("default"))
    return np.repeat(gray[..., None], 3, axis=2), text


@dataclass(frozen=True)
class LineRecord:
    sums: np.ndarray  # (F,) summed weighted glyph log-scores
    truth: int  # true font index
    candidates: np.ndarray | None  # (K,) verified candidates (None: no font files)
    similarity: np.ndarray | None  # (K, N) render-and-compare similarity
    weights: np.ndarray  # (N,) vote weights of the glyphs the similarity covers
    n_glyphs: int  # glyphs in the line (sets the length-aware temperature)


def line_records(ident, families, n_lines: int, seed: int) -> list[LineRecord]:
    """One record per rendered line in which text was found."""
    from tqdm import tqdm

    from segmentation import segment

    rng = np.random.default_rng(seed)
    index = {f.family: i for i, f in enumerate(ident.model.labels.fonts)}
    draw = ident.fonts is not None and len(ident.fonts) > 0
    out = []
    for _ in tqdm(range(n_lines), desc="calibration lines", unit="line", file=sys.stderr):
        files = families[int(rng.integers(len(families)))]
        if files.family.id not in index:
            continue
        img, _ = _line(files, rng)
        seg = segment(img, norm=ident.model.labels.norm, config=ident.segment_config)
        if not seg.glyphs:
            continue
        chars = [g.char for g in seg.glyphs]
        lp, sc = ident.glyph_log_probs(np.stack([g.image for g in seg.glyphs]), chars)
        w = glyph_weights(chars, [g.ocr_confidence for g in seg.glyphs], ident.calibration)
        sums = summed_scores(lp, w)
        ver, sub = None, list(range(len(chars)))
        if draw:
            ver, sub = ident.verification(sub, sums, w, sc, chars, [g.word_index for g in seg.glyphs])
        out.append(LineRecord(sums, index[files.family.id], ver.candidates if ver else None,
                              ver.similarity if ver else None, w[sub], len(chars)))
    return out


ALPHAS = (3.0, 10.0, 30.0, 60.0, 100.0, 200.0, 400.0, 1000.0)


def _ece_top1(scores: np.ndarray, truth: np.ndarray, temps: np.ndarray) -> tuple[float, float]:
    probs = np.array([to_probabilities(s, t) for s, t in zip(scores, temps, strict=True)])
    correct = probs.argmax(1) == truth
    return expected_calibration_error(probs.max(1), correct), float(correct.mean())


def fit_verification(recs: list[LineRecord], fit: np.ndarray) -> dict:
    """alpha (and its length-aware temperature) minimising the true font's NLL on the
    ``fit`` lines; top-1 and ECE on the others."""
    truth = np.array([r.truth for r in recs])
    n = np.array([r.n_glyphs for r in recs])
    best: dict = {}
    for alpha in ALPHAS:
        scores = np.array([verified_scores(r.sums, r.candidates, r.similarity, r.weights, alpha) for r in recs])
        t, power = fit_length_temperature(scores[fit], truth[fit], n[fit])
        loss = nll(scores[fit], truth[fit], t * length_scale(n[fit], power))
        if not best or loss < best["nll"]:
            ece, top1 = _ece_top1(scores[~fit], truth[~fit], t * length_scale(n[~fit], power))
            best = {"alpha": alpha, "t": t, "power": power, "nll": loss, "ece": ece, "top1": top1}
    return best


def refit_on_lines(ident, families, n_lines: int, seed: int) -> tuple[Calibration, dict]:
    """Calibration with the line-level, length-aware temperature (and render-and-compare
    alpha when the font files are present); ECE and top-1 before/after on held-out lines."""
    recs = line_records(ident, families, n_lines, seed)
    sums, truth = np.array([r.sums for r in recs]), np.array([r.truth for r in recs])
    n = np.array([r.n_glyphs for r in recs])
    fit = np.random.default_rng(seed + 1).random(len(truth)) < 0.5
    t_line, power = fit_length_temperature(sums[fit], truth[fit], n[fit])
    before, top1 = _ece_top1(sums[~fit], truth[~fit], np.full((~fit).sum(), ident.calibration.temperature))
    after, _ = _ece_top1(sums[~fit], truth[~fit], t_line * length_scale(n[~fit], power))
    report = {"lines": int(len(truth)), "top1": top1, "t_glyph_groups": ident.calibration.temperature,
              "t_lines": t_line, "power": power, "ece_before": before, "ece_after": after}
    cal = replace(ident.calibration, temperature=t_line, length_power=power, ece=round(after, 4))
    if recs and recs[0].candidates is not None:
        v = fit_verification(recs, fit)
        report["verify"] = v
        cal = replace(cal, verify_alpha=v["alpha"], verify_temperature=v["t"], verify_length_power=v["power"],
                      verify_ece=round(v["ece"], 4))
    return cal, report
