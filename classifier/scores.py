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


class GlyphScorer:
    """What both engines' models share: the checks of their scoring mode and of a glyph batch.

    Subclasses set ``labels`` (glyphs.labels.LabelMap), ``scoring`` and ``prototypes``.
    """

    labels = None
    scoring = "head"
    prototypes = None

    def check_scoring(self) -> None:
        """ModelError for an unknown scoring mode, or one that needs absent prototypes."""
        from classifier.errors import ModelError

        if self.scoring not in SCORING_MODES:
            raise ModelError(f"config.json scoring {self.scoring!r} is not one of {SCORING_MODES}")
        if self.scoring != "head" and self.prototypes is None:
            raise ModelError(f"scoring {self.scoring!r} needs prototypes.safetensors beside the model")

    @property
    def size(self) -> int:
        return self.labels.norm.size

    def char_indices(self, chars) -> np.ndarray:
        """(N,) int64 indices into the glyph set; unknown characters (or '') map to num_chars."""
        return np.fromiter((self.labels.char_index(c) for c in chars), dtype=np.int64, count=len(chars))

    def checked_batch(self, images: np.ndarray, chars) -> tuple[np.ndarray, np.ndarray]:
        """(images (N, S, S) uint8, char indices (N,)); ValueError when they do not fit the model."""
        images = np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != (self.size, self.size):
            raise ValueError(f"images must be (N, {self.size}, {self.size}); got {images.shape}")
        if images.dtype != np.uint8:
            raise ValueError(f"images must be uint8 (ink 255) as glyphs.normalize_glyph makes; got {images.dtype}")
        if len(chars) != images.shape[0]:
            raise ValueError(f"{images.shape[0]} images but {len(chars)} characters")
        return images, self.char_indices(chars)
