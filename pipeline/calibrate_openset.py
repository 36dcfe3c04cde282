"""Calibrate the open-world ranking (pipeline.openset) on rendered lines through the real pipeline.

Two things are fitted, on half of the lines, and measured on the other half:

1. The font index standing in for render-and-compare (no font files): alpha and the
   length-aware temperature, exactly as pipeline.calibrate_lines fits render-and-compare.
2. "Is this font one we know?" (``in_catalog``): a logistic regression (scikit-learn) on
   pipeline.openset.in_catalog_features. Every line gives a *known* example (its family
   is in the index) and an *unknown* one: the same line scored with its family taken out
   of the candidates, which is what a font outside the catalog looks like to the ranking
   (its look-alikes remain). One model per verification kind (drawn / index).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from fontindex.scoring import fill_missing
from pipeline.calibrate_lines import LineRecord, _line, fit_verification
from pipeline.config import VerifyConfig
from pipeline.openset import in_catalog_features, index_top, per_glyph_best, shortlist_order
from pipeline.scoring import Calibration, glyph_weights, summed_scores, verified_scores


@dataclass(frozen=True)
class OpenRecord:
    base: np.ndarray  # (U,) base scores
    truth: int  # index family of the line
    candidates: np.ndarray  # (K,)
    index_sim: np.ndarray  # (K, N) index cosines
    drawn_sim: np.ndarray | None  # (K, N) render-and-compare cosines (NaN rows: not drawn; None: no font files)
    weights: np.ndarray  # (N,)
    ocr_conf: np.ndarray  # (N,)
    n_glyphs: int
    best_all: np.ndarray | None = None  # (N,) each glyph's best index cosine over every style
    best_other: np.ndarray | None = None  # (N,) the same without the line's own family's styles


def open_records(ident, families, n_lines: int, seed: int) -> list[OpenRecord]:
    """One record per rendered line in which text was found (families: FamilyFiles with files).
    Render-and-compare draws the index's shortlist + 1 (the shortlist once the line's own family
    is taken out), as the ranking does."""
    from tqdm import tqdm

    from fontindex import family_match
    from segmentation import segment

    op, v = ident.openset, ident.verify_config
    uid = {f: i for i, f in enumerate(op.index.family_ids)}
    style_family = op.index.style_family()  # (S,)
    rng = np.random.default_rng(seed)
    out = []
    for _ in tqdm(range(n_lines), desc="open-set lines", unit="line", file=sys.stderr):
        files = families[int(rng.integers(len(families)))]
        try:
            img, _ = _line(files, rng)
        except OSError:  # FreeType refusing a font ("execution context too long", kumar-one)
            continue
        seg = segment(img, norm=ident.model.labels.norm, config=ident.segment_config)
        if not seg.glyphs or files.family.id not in uid:
            continue
        truth = uid[files.family.id]
        chars = [g.char for g in seg.glyphs]
        lp, sc = ident.glyph_log_probs(np.stack([g.image for g in seg.glyphs]), chars)
        w = glyph_weights(chars, [g.ocr_confidence for g in seg.glyphs], ident.calibration)
        sub = list(range(min(len(chars), v.max_glyphs)))
        base = op.base_scores(summed_scores(lp, w))
        sim = op.glyph_similarity(sc.embedding[sub], [chars[i] for i in sub])  # (S, N)
        match = family_match(op.index, sim, w[sub])
        cand = op.candidates(base, match.totals, v.top_k, v.index_top_k)
        drawn = None
        if ident.verifies:
            pos = shortlist_order(base, cand, match.similarity[cand], w[sub], ident.calibration.index_alpha,
                                  v.shortlist + 1)
            ver, _ = ident.verification(sub, base, w, sc, chars, [g.word_index for g in seg.glyphs], cand[pos],
                                        early_stop=False, full_styles=v.shortlist_full)
            if len(ver.candidates) == len(pos):
                drawn = np.full((len(cand), len(sub)), np.nan, np.float32)
                drawn[pos] = ver.similarity
        out.append(OpenRecord(base, truth, cand, match.similarity[cand], drawn, w[sub],
                              np.array([g.ocr_confidence for g in seg.glyphs])[sub], len(chars),
                              per_glyph_best(sim), per_glyph_best(sim[style_family != truth])))
    return out


def known_unknown(recs: list[OpenRecord], drawn: bool, alpha: float, cal: Calibration,
                  short: int = VerifyConfig().shortlist,
                  prior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(M, 12) features and (M,) labels (1 known, 0 unknown): each line twice, the unknown one with
    its family out of the candidates and of the index's per-glyph best. Drawn: as the ranking does
    it, only the index's ``short`` best candidates are compared. prior (U,): the log-odds the
    ranking adds (VerifyConfig.trained_prior x OpenSet.favoured), in temperatures."""
    x, y = [], []
    for r in recs:
        t = cal.line_temperature(r.n_glyphs, verified=drawn, index=not drawn)
        for known in (True, False):
            keep = np.ones(len(r.candidates), bool) if known else r.candidates != r.truth
            if keep.sum() < 2:
                continue
            c, s = r.candidates[keep], r.index_sim[keep]
            idx = s
            # the candidates hold the index's best families, so their rows give its top 5 (U-wide)
            top = index_top((s * r.weights[None, :]).sum(axis=1), r.weights)
            if drawn:
                pos = shortlist_order(r.base, c, s, r.weights, cal.index_alpha, short)
                c, s, idx = c[pos], r.drawn_sim[keep][pos], s[pos]
            fused = s
            if drawn and cal.verify_index_alpha > 0:  # the index's cosines beside the drawings, as ranked
                fused = s + (cal.verify_index_alpha / alpha) * fill_missing(idx)
            final = verified_scores(r.base, c, fused, r.weights, alpha)[c]
            if prior is not None:
                final = final + t * prior[c]
            best = r.best_all if known else r.best_other
            x.append(in_catalog_features(s, r.weights, final, t, r.ocr_conf, idx, best, top))
            y.append(int(known))
    return np.array(x), np.array(y)


def fit_in_catalog(recs: list[OpenRecord], fit: np.ndarray, drawn: bool, alpha: float,
                   cal: Calibration, prior: np.ndarray | None = None) -> tuple[tuple, dict]:
    """Logistic coefficients (+ intercept) for raw features. ROC AUC on held-out lines: fitted on
    the ``fit`` lines, measured on the others; the coefficients returned are then fitted on all."""
    from sklearn.metrics import roc_auc_score

    xf, yf = known_unknown([r for r, f in zip(recs, fit, strict=True) if f], drawn, alpha, cal, prior=prior)
    xt, yt = known_unknown([r for r, f in zip(recs, fit, strict=True) if not f], drawn, alpha, cal, prior=prior)
    coef = _logistic(xf, yf)
    p = 1.0 / (1.0 + np.exp(-(xt @ coef[:-1] + coef[-1])))
    auc = float(roc_auc_score(yt, p)) if len(set(yt)) == 2 else float("nan")
    full = _logistic(np.vstack([xf, xt]), np.r_[yf, yt])
    return tuple(round(float(c), 6) for c in full), {"auc_heldout_lines": auc, "examples": int(len(yf) + len(yt))}


def _logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(M, F) features, (M,) labels -> (F + 1,) coefficients for raw features then intercept
    (fitted on standardised features, folded back)."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    lr = LogisticRegression(C=1.0, max_iter=3000).fit((x - mu) / sd, y)
    w = lr.coef_[0] / sd
    return np.r_[w, lr.intercept_[0] - (lr.coef_[0] * mu / sd).sum()]


def save_records(recs: list[OpenRecord], path: Path) -> None:
    """The line records as one .npz (arrays only, no pickles), so refits need no OCR."""
    arrays: dict[str, np.ndarray] = {}
    for k, r in enumerate(recs):
        for f in fields(OpenRecord):
            v = getattr(r, f.name)
            if v is not None:
                arrays[f"{k}.{f.name}"] = np.asarray(v)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, n=np.array(len(recs)), **arrays)


def load_records(path: Path) -> list[OpenRecord]:
    with np.load(path, allow_pickle=False) as z:
        def get(k: int, name: str):
            key = f"{k}.{name}"
            return z[key] if key in z.files else None

        return [OpenRecord(get(k, "base"), int(get(k, "truth")), get(k, "candidates"), get(k, "index_sim"),
                           get(k, "drawn_sim"), get(k, "weights"), get(k, "ocr_conf"), int(get(k, "n_glyphs")),
                           get(k, "best_all"), get(k, "best_other"))
                for k in range(int(z["n"]))]


def calibrate_openset(ident, families, n_lines: int, seed: int, cache: Path | None = None,
                      scale: bool = True) -> tuple[Calibration, dict]:
    """ident's calibration with the in_catalog models refitted, and (``scale``) the index
    alpha/temperature too (else kept as they are, so rankings do not move).
    With ``cache``: line records are read from it when present, else computed and saved there."""
    if cache is not None and cache.is_file():
        recs = load_records(cache)
    else:
        recs = open_records(ident, families, n_lines, seed)
        if cache is not None:
            save_records(recs, cache)
    fit = np.random.default_rng(seed + 1).random(len(recs)) < 0.5
    cal, report = ident.calibration, {"lines": len(recs)}
    if scale:
        as_lines = [LineRecord(r.base, r.truth, r.candidates, r.index_sim, r.weights, r.n_glyphs) for r in recs]
        idx = fit_verification(as_lines, fit)
        cal = replace(cal, index_alpha=idx["alpha"], index_temperature=idx["t"],
                      index_length_power=idx["power"], index_ece=round(idx["ece"], 4))
        report["index"] = idx
    prior = ident.verify_config.trained_prior * ident.openset.favoured  # (U,) as the ranking adds it
    coef_i, rep_i = fit_in_catalog(recs, fit, drawn=False, alpha=cal.index_alpha, cal=cal, prior=prior)
    cal = replace(cal, in_catalog_index=coef_i)
    report["in_catalog_index"] = rep_i
    if recs and recs[0].drawn_sim is not None:
        coef_d, rep_d = fit_in_catalog(recs, fit, drawn=True, alpha=cal.verify_alpha, cal=cal, prior=prior)
        cal = replace(cal, in_catalog=coef_d)
        report["in_catalog_drawn"] = rep_d
    return cal, report
