"""Pure scoring: per-glyph log-scores -> one font ranking.

Each glyph contributes w_i * log p_i(font). A plain sum uses w_i = 1; the
weighted sum multiplies OCR confidence by how informative the letter is (an
``l`` says less than a ``g``). Sums become probabilities through a softmax at
a temperature calibrated on validation data (see pipeline.calibrate).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

REFERENCE_GLYPHS = 10.0  # region size at which a calibrated temperature applies as fitted
LENGTH_POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)  # exponents tried by fit_length_temperature

# Letters whose capital and small forms share a shape: the OCR's case is a guess.
CASE_AMBIGUOUS = set("cosuvwxzCOSUVWXZ")


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0  # softmax(sum / temperature)
    weighting: str = "plain"  # plain | weighted
    char_info: dict[str, float] = field(default_factory=dict)  # letter -> informativeness (mean 1)
    ece: float | None = None  # expected calibration error measured when fitted
    # Render-and-compare (pipeline.verify): 0 = off; else sums + alpha * weighted similarity,
    # turned into probabilities at verify_temperature.
    verify_alpha: float = 0.0
    verify_temperature: float = 1.0
    verify_ece: float | None = None
    # Temperatures grow with the region's glyph count n: T * (n / REFERENCE_GLYPHS) ** power
    # (a line's glyph errors agree with each other, so evidence grows slower than n).
    length_power: float = 0.0
    verify_length_power: float = 0.0
    # The font index standing in for render-and-compare when font files are absent (pipeline.openset).
    index_alpha: float = 30.0
    index_temperature: float = 14.0
    index_length_power: float = 0.75
    index_ece: float | None = None
    # "Is the font a known one?": logistic coefficients + intercept on pipeline.openset features,
    # with render-and-compare similarities and with the index's (pipeline.calibrate_openset).
    in_catalog: tuple[float, ...] = ()
    in_catalog_index: tuple[float, ...] = ()
    # With font files: the index's cosines also count beside render-and-compare's, at this weight
    # (0 = render-and-compare alone). The index knows every family's letters from clean drawings of
    # many words; a drawing of the read words is one view. bench/results/fusion.md measures it.
    verify_index_alpha: float = 0.0

    def line_temperature(self, n_glyphs: int, verified: bool, index: bool = False) -> float:
        t, power = ((self.index_temperature, self.index_length_power) if index
                    else (self.verify_temperature, self.verify_length_power) if verified
                    else (self.temperature, self.length_power))
        return t * float(length_scale(n_glyphs, power))

    def to_dict(self) -> dict:
        return {"temperature": self.temperature, "weighting": self.weighting,
                "char_info": self.char_info, "ece": self.ece, "verify_alpha": self.verify_alpha,
                "verify_temperature": self.verify_temperature, "verify_ece": self.verify_ece,
                "length_power": self.length_power, "verify_length_power": self.verify_length_power,
                "index_alpha": self.index_alpha, "index_temperature": self.index_temperature,
                "index_length_power": self.index_length_power, "index_ece": self.index_ece,
                "in_catalog": list(self.in_catalog), "in_catalog_index": list(self.in_catalog_index),
                "verify_index_alpha": self.verify_index_alpha}

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        return cls(float(d.get("temperature", 1.0)), str(d.get("weighting", "plain")),
                   {str(k): float(v) for k, v in d.get("char_info", {}).items()}, d.get("ece"),
                   float(d.get("verify_alpha", 0.0)), float(d.get("verify_temperature", 1.0)),
                   d.get("verify_ece"), float(d.get("length_power", 0.0)),
                   float(d.get("verify_length_power", 0.0)), float(d.get("index_alpha", 30.0)),
                   float(d.get("index_temperature", 14.0)), float(d.get("index_length_power", 0.75)),
                   d.get("index_ece"), tuple(float(x) for x in d.get("in_catalog", ())),
                   tuple(float(x) for x in d.get("in_catalog_index", ())),
                   verify_index_alpha=float(d.get("verify_index_alpha", 0.0)))


def glyph_weights(chars: Sequence[str], confidences: Sequence[float], cal: Calibration) -> np.ndarray:
    """(N,) weight of each glyph's vote."""
    if cal.weighting == "plain":
        return np.ones(len(chars), np.float64)
    conf = np.clip(np.asarray(confidences, np.float64), 0.05, 1.0)
    info = np.array([cal.char_info.get(c, 1.0) for c in chars], np.float64)
    return conf * info


def summed_scores(log_probs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(N, F) log-probabilities, (N,) weights -> (F,) weighted sum."""
    return (weights[:, None] * log_probs).sum(axis=0)


def verified_scores(sums: np.ndarray, candidates: np.ndarray, similarity: np.ndarray,
                    weights: np.ndarray, alpha: float) -> np.ndarray:
    """(F,) sums, (K,) candidate indices, (K, N) glyph similarities, (N,) weights -> (F,).

    Candidates gain alpha * their weighted similarity; every other font gains the
    smallest candidate bonus, so it can never overtake a candidate it trailed.
    """
    bonus = alpha * (similarity * weights[None, :]).sum(axis=1)  # (K,)
    out = sums + (bonus.min() if len(bonus) else 0.0)
    out[candidates] = sums[candidates] + bonus
    return out


def to_probabilities(sums: np.ndarray, temperature: float) -> np.ndarray:
    """(F,) summed log-scores -> (F,) probabilities (softmax at the temperature)."""
    z = sums / max(temperature, 1e-6)
    z = z - z.max()
    p = np.exp(z)
    return p / p.sum()


def merge_case_variants(lp_read: np.ndarray, lp_other: np.ndarray) -> np.ndarray:
    """log(0.5 p(read case) + 0.5 p(other case)), row-wise: tolerant of case confusion."""
    return np.logaddexp(lp_read, lp_other) - np.log(2.0)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Standard ECE over equal-width confidence bins."""
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (confidence > lo) & (confidence <= hi)
        if m.any():
            ece += m.mean() * abs(float(correct[m].mean()) - float(confidence[m].mean()))
    return float(ece)


def fit_temperature(sums: np.ndarray, truth: np.ndarray) -> float:
    """Temperature minimising NLL of the true font; sums (M, F), truth (M,) int."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(50.0), 200))
    losses = [nll(sums, truth, np.full(len(truth), t)) for t in grid]
    return float(grid[int(np.argmin(losses))])


def nll(sums: np.ndarray, truth: np.ndarray, temps: np.ndarray) -> float:
    """Mean negative log-probability of the true font; sums (M, F), truth (M,), temps (M,)."""
    z = sums / temps[:, None]
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -float(logp[np.arange(len(truth)), truth].mean())


MIN_GLYPHS = 3  # regions of 1-2 glyphs are scored as if they had 3: a power fitted on lines extrapolates
# to near-certainty for one letter (Playfair Display SC's R, the same as Playfair Display's, at 0.80)


def length_scale(n_glyphs, power: float):
    """(max(n, MIN_GLYPHS) / REFERENCE_GLYPHS) ** power, the factor on a temperature for regions of
    n glyphs (n an int or an array)."""
    return (np.maximum(n_glyphs, MIN_GLYPHS) / REFERENCE_GLYPHS) ** power


def fit_length_temperature(sums: np.ndarray, truth: np.ndarray, n_glyphs: np.ndarray) -> tuple[float, float]:
    """(T, power) minimising NLL when line m uses T * (n_m / REFERENCE_GLYPHS) ** power."""
    best = (1.0, 0.0, np.inf)
    for power in LENGTH_POWERS:
        scale = length_scale(n_glyphs, power)  # (M,)
        t = fit_temperature(sums / scale[:, None], truth)
        loss = nll(sums, truth, t * scale)
        if loss < best[2]:
            best = (t, power, loss)
    return best[0], best[1]
