"""``python cli.py export [MODEL_DIR] --onnx``: an ONNX model with the same five outputs (``--ocr``:
EasyOCR's networks too, segmentation.ocr_export).

Inputs: ``images`` uint8 (N, S, S), ink 255; ``chars`` int64 (N,) in [0, num_chars]
(num_chars = unknown). Outputs: log_probs (N, F), weight (N,), width (N,),
italic_logit (N,), embedding (N, D). The batch axis is dynamic.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import torch

from classifier.config import ExportConfig
from classifier.model import WEIGHT_SCALE, WIDTH_SCALE, GlyphOutput
from classifier.onnx_inference import ONNX_FILE, weights_sha256
from classifier.store import read_model_dir

INPUTS = ("images", "chars")
OUTPUTS = GlyphOutput._fields


class ExportError(RuntimeError):
    """The exported model does not reproduce the torch outputs."""


def export_onnx(model_dir: str | Path, out: str | Path = "", opset: int = 17) -> Path:
    """Write the model's ONNX file (default MODEL_DIR/model.onnx) recording the weights' SHA-256."""
    net, labels, _ = read_model_dir(model_dir)
    path = Path(out) if out else Path(model_dir) / ONNX_FILE
    s = labels.norm.size
    x = torch.zeros((2, s, s), dtype=torch.uint8)
    c = torch.zeros((2,), dtype=torch.int64)
    axes = {name: {0: "batch"} for name in (*INPUTS, *OUTPUTS)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(net, (x, c), str(path), input_names=list(INPUTS), output_names=list(OUTPUTS),
                          dynamic_axes=axes, opset_version=opset, dynamo=False, do_constant_folding=True)
    _record_source(path, {"format": "freefontfinder-glyphnet-onnx/1", "source_file": "model.safetensors",
                          "source_sha256": weights_sha256(model_dir)})
    return path


def _record_source(path: Path, meta: dict[str, str]) -> None:
    """Add provenance to an ONNX file's metadata (checked by classifier.onnx_inference)."""
    import onnx

    model = onnx.load(str(path))
    for k, v in meta.items():
        model.metadata_props.add(key=k, value=v)
    onnx.save(model, str(path))


def is_current(model_dir: str | Path) -> bool:
    """Whether MODEL_DIR/model.onnx exists and was exported from the weights beside it."""
    import onnx

    path = Path(model_dir) / ONNX_FILE
    if not path.is_file():
        return False
    meta = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
    return meta.get("source_sha256") == weights_sha256(model_dir)


# Outputs compared in the units the network regresses: weight / 400 and width / 25
# (float32 holds 100..900 only to ~3e-5, so a 1e-4 bound in CSS units would be a few ulps).
PARITY_SCALE = {"weight": WEIGHT_SCALE, "width": WIDTH_SCALE}


def onnx_differences(model_dir: str | Path, onnx_path: str | Path, n: int = 64, seed: int = 0) -> dict[str, float]:
    """Max |onnxruntime - torch| per output (weight and width in normalised units) on random inputs."""
    import onnxruntime as ort

    net, labels, _ = read_model_dir(model_dir)
    rng = np.random.default_rng(seed)
    s = labels.norm.size
    x = rng.integers(0, 256, size=(n, s, s), dtype=np.uint8)
    c = rng.integers(0, labels.num_chars + 1, size=(n,), dtype=np.int64)
    with torch.inference_mode():
        ref = net(torch.from_numpy(x), torch.from_numpy(c))
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = sess.run(list(OUTPUTS), {"images": x, "chars": c})
    return {name: float(np.abs(g - r.numpy()).max()) / PARITY_SCALE.get(name, 1.0)
            for name, g, r in zip(OUTPUTS, got, ref, strict=True)}


def export(cfg: ExportConfig) -> int:
    """Export the glyph model (and with ``cfg.ocr`` EasyOCR's networks, segmentation.ocr_export).

    With ``cfg.ocr`` the glyph model is exported only when its model.onnx is missing or stale.
    """
    if cfg.ocr:
        from segmentation.ocr_export import export_ocr

        export_ocr(cfg.ocr_out)
        if not cfg.out and is_current(cfg.model):
            print(f"{Path(cfg.model) / ONNX_FILE} is up to date", file=sys.stderr)
            return 0
    if not cfg.onnx and not cfg.ocr:
        print("nothing to export: pass --onnx or --ocr", file=sys.stderr)
        return 2
    path = export_onnx(cfg.model, cfg.out, cfg.opset)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    if cfg.check:
        diffs = onnx_differences(cfg.model, path)
        print("onnxruntime vs torch, max abs difference: "
              + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()), file=sys.stderr)
        if max(diffs.values()) > 1e-4:
            raise ExportError(f"ONNX outputs differ from torch by {max(diffs.values()):.2e} (> 1e-4)")
    return 0
