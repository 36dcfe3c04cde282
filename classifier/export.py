"""``python cli.py export MODEL_DIR --onnx``: an ONNX model with the same five outputs.

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
from classifier.store import read_model_dir

INPUTS = ("images", "chars")
OUTPUTS = GlyphOutput._fields


class ExportError(RuntimeError):
    """The exported model does not reproduce the torch outputs."""


def export_onnx(model_dir: str | Path, out: str | Path = "", opset: int = 17) -> Path:
    net, labels, _ = read_model_dir(model_dir)
    path = Path(out) if out else Path(model_dir) / "model.onnx"
    s = labels.norm.size
    x = torch.zeros((2, s, s), dtype=torch.uint8)
    c = torch.zeros((2,), dtype=torch.int64)
    axes = {name: {0: "batch"} for name in (*INPUTS, *OUTPUTS)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(net, (x, c), str(path), input_names=list(INPUTS), output_names=list(OUTPUTS),
                          dynamic_axes=axes, opset_version=opset, dynamo=False, do_constant_folding=True)
    return path


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
    if not cfg.onnx:
        print("nothing to export: pass --onnx", file=sys.stderr)
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
