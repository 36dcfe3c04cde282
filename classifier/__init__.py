"""Per-glyph font classifier: model, training, evaluation, export, and the scoring API.

``import classifier`` is cheap: names are loaded on first use (torch is imported then).

    from classifier import load_model
    model = load_model("models/default")          # ModelError if unusable
    scores = model.score(images, chars)           # GlyphScores of numpy arrays
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "load_model": "classifier.inference",
    "GlyphModel": "classifier.inference",
    "GlyphScores": "classifier.scores",
    "ModelError": "classifier.errors",
    "load_onnx_model": "classifier.onnx_inference",
    "build_classifier": "classifier.model",
    "ARCHS": "classifier.model",
    "DEFAULT_ARCH": "classifier.model",
    "GlyphOutput": "classifier.model",
    "ModelArgs": "classifier.model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
