"""Recogniser confidence whatever the letters' case (segmentation.easyocr_backend._decode):
which way up a line reads must not hang on whether the recogniser took its capitals for
small letters, as it does on display capitals (an upright Bungee line read 'LaTe NIghT radIo')."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.easyocr_backend import _decode

CLASSES = ["[blank]", " ", "a", "A", "t", "T", "e", "E", "3", "q"]


def _probs(columns: list[dict[str, float]]) -> np.ndarray:
    """(T, C) column probabilities; unspecified mass goes to the blank."""
    out = np.full((len(columns), len(CLASSES)), 1e-4)
    for j, col in enumerate(columns):
        for ch, p in col.items():
            out[j, CLASSES.index(ch)] = p
        out[j, 0] += max(0.0, 1.0 - out[j].sum())
    return out / out.sum(axis=1, keepdims=True)


def test_letters_split_between_their_cases_are_read_surely_whatever_the_case():
    split = _decode(CLASSES, _probs([{"T": 0.5, "t": 0.45}, {"a": 0.5, "A": 0.45}, {"e": 0.5, "E": 0.45}]), 1.0)
    assert split.text == "Tae"
    assert split.confidence < 0.2 and split.caseless > 0.8  # EasyOCR's score collapses; the letters are sure


def test_letters_split_between_other_letters_stay_unsure():
    other = _decode(CLASSES, _probs([{"T": 0.5, "q": 0.45}, {"a": 0.5, "3": 0.45}, {"e": 0.5, "q": 0.45}]), 1.0)
    assert other.caseless == pytest.approx(other.confidence, rel=0.01)
