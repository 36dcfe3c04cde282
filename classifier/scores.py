"""What scoring glyphs returns, whichever engine (torch or ONNX Runtime) scored them. No torch here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCORING_MODES = ("head", "prototype", "both")


@dataclass(frozen=True)
class GlyphScores:
    log_probs: np.ndarray  # (N, F) float32, log-probabilities over labels.fonts
    weight: np.ndarray  # (N,) float32, CSS weight 100..900
    width: np.ndarray  # (N,) float32, percent of normal width
    italic_prob: np.ndarray  # (N,) float32
    embedding: np.ndarray  # (N, D) float32, penultimate layer

    def __len__(self) -> int:
        return int(self.log_probs.shape[0])
