"""Which engine runs the networks at identify time: ONNX Runtime (no torch) or torch.

``auto`` (the default) is ONNX Runtime when the exported files are present
(models/ocr/*.onnx from ``python cli.py export --ocr``, and the model
directory's model.onnx), otherwise torch when it is installed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ENGINES = ("auto", "onnx", "torch", "torch-int8")  # torch-int8: EasyOCR's int8 recogniser


def onnx_missing(model_dir: str | Path) -> list[Path]:
    """The ONNX files the onnx engine needs that are not on disk (or, for the glyph model,
    were exported from other weights than the model.safetensors beside them)."""
    from classifier.onnx_inference import ONNX_FILE, has_onnx
    from segmentation.ocr_onnx import SOURCES, ocr_dir

    missing = [ocr_dir() / name for name in SOURCES if not (ocr_dir() / name).is_file()]
    return missing + ([] if has_onnx(model_dir) else [Path(model_dir) / ONNX_FILE])


def torch_installed() -> bool:
    return bool(importlib.util.find_spec("torch") and importlib.util.find_spec("easyocr"))


def resolve_engine(requested: str, model_dir: str | Path) -> str:
    """"onnx", "torch" or "torch-int8" for ``requested`` (one of ENGINES); OcrUnavailableError when
    it cannot run. torch runs the same float networks as onnx; torch-int8 runs EasyOCR's default,
    its recogniser quantised to int8 (segmentation.easyocr_backend.get_reader)."""
    from segmentation.easyocr_backend import OcrUnavailableError
    from segmentation.ocr_onnx import EXPORT_HINT

    if requested not in ENGINES:
        raise OcrUnavailableError(f"unknown engine {requested!r}; choose one of {', '.join(ENGINES)}")
    torch_kind = requested.startswith("torch")
    missing = onnx_missing(model_dir) if not torch_kind else []
    if torch_kind or (requested == "auto" and missing and torch_installed()):
        if not torch_installed():
            raise OcrUnavailableError("the torch engine needs torch and easyocr: pip install -e '.[train]'")
        return requested if torch_kind else "torch"
    if missing:
        raise OcrUnavailableError(f"the ONNX networks are missing ({', '.join(str(p) for p in missing)}); "
                                  f"{EXPORT_HINT}")
    return "onnx"


def load_glyph_model(model_dir: str | Path, engine: str, threads: int = 1) -> Any:
    """The glyph model on ``engine`` (GlyphModel or OnnxGlyphModel: the same score())."""
    if engine == "onnx":
        from classifier.onnx_inference import load_onnx_model

        return load_onnx_model(model_dir, threads=threads)
    from classifier import load_model

    return load_model(model_dir)
