"""Second calibration stage: the temperature fitted on whole lines through the real
pipeline (render -> augment -> OCR -> segmentation -> glyph scores -> sum).

Glyph groups from a dataset (pipeline.calibrate) underestimate how much the
errors of one line's glyphs agree with each other, so a temperature fitted
there leaves line scores overconfident. Lines use training words (never the
benchmark texts), random catalog families and the default augmentations.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pipeline.scoring import (
    Calibration,
    expected_calibration_error,
    fit_temperature,
    glyph_weights,
    summed_scores,
    to_probabilities,
)


def _line(files, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """(H, W, 3) uint8 line image of 2-4 training words in one sampled style."""
    from glyphs.augment import augment_word, preset
    from glyphs.generate import sample_style
    from glyphs.render import open_font, pick_file, render_text
    from glyphs.words import TRAIN_WORDS

    words = [TRAIN_WORDS[int(rng.integers(len(TRAIN_WORDS)))] for _ in range(int(rng.integers(2, 5)))]
    text = " ".join(w.capitalize() if rng.random() < 0.4 else w for w in words)
    style = sample_style(files, rng)
    size = int(rng.integers(28, 72))
    font, _ = open_font(pick_file(files, style), style, size)
    r = render_text(font, text)
    gray, _ = augment_word(r.mask, r.boxes, size, rng, preset("default"))
    return np.repeat(gray[..., None], 3, axis=2), text


def line_sums(ident, families, n_lines: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(M, F) summed glyph scores of M lines with text found, and (M,) true font index."""
    from segmentation import segment

    rng = np.random.default_rng(seed)
    index = {f.family: i for i, f in enumerate(ident.model.labels.fonts)}
    sums, truth = [], []
    for _ in range(n_lines):
        files = families[int(rng.integers(len(families)))]
        if files.family.id not in index:
            continue
        img, _ = _line(files, rng)
        seg = segment(img, norm=ident.model.labels.norm, config=ident.segment_config)
        if not seg.glyphs:
            continue
        chars = [g.char for g in seg.glyphs]
        lp, _ = ident.glyph_log_probs(np.stack([g.image for g in seg.glyphs]), chars)
        w = glyph_weights(chars, [g.ocr_confidence for g in seg.glyphs], ident.calibration)
        sums.append(summed_scores(lp, w))
        truth.append(index[files.family.id])
    return np.array(sums), np.array(truth)


def refit_on_lines(ident, families, n_lines: int, seed: int) -> tuple[Calibration, dict]:
    """Calibration with the line-level temperature; report ECE before/after on held-out lines."""
    sums, truth = line_sums(ident, families, n_lines, seed)
    rng = np.random.default_rng(seed + 1)
    fit = rng.random(len(truth)) < 0.5

    def ece(t: float) -> tuple[float, float]:
        probs = np.array([to_probabilities(s, t) for s in sums[~fit]])
        correct = probs.argmax(1) == truth[~fit]
        return expected_calibration_error(probs.max(1), correct), float(correct.mean())

    t_line = fit_temperature(sums[fit], truth[fit])
    before, top1 = ece(ident.calibration.temperature)
    after, _ = ece(t_line)
    report = {"lines": int(len(truth)), "top1": top1, "t_glyph_groups": ident.calibration.temperature,
              "t_lines": t_line, "ece_before": before, "ece_after": after}
    return replace(ident.calibration, temperature=t_line, ece=round(after, 4)), report
