"""Per-glyph font classifier: model, training, evaluation, export, and the scoring API.

``import classifier`` is cheap: names are loaded on first use (torch is imported then).

    from classifier import load_model
    model = load_model("models/default")          # ModelError if unusable
    scores = model.score(images, chars)           # GlyphScores of numpy arrays
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# On a CPU shared with other busy processes, OpenMP threads that spin while waiting make
# torch 3-4x slower (measured: bench/results/classifier_speed.md); sleeping waits cost
# little when the machine is idle. Only takes effect if torch is not imported yet.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

_EXPORTS = {
    "load_model": "classifier.inference",
    "GlyphModel": "classifier.inference",
    "GlyphScores": "classifier.inference",
    "ModelError": "classifier.store",
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
