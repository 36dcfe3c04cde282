"""Exceptions of the classifier package that torch-free code (the ONNX path) raises too."""

from __future__ import annotations


class ModelError(RuntimeError):
    """A model directory that cannot be loaded: missing files or labels that do not fit the weights."""
