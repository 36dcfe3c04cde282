"""EasyOCR's networks on ONNX Runtime: CRAFT detection and english_g2 recognition without torch.

The two ``.onnx`` files are made once from the MD5-checked EasyOCR weights by
``python cli.py export --ocr`` (segmentation.ocr_export, which needs torch) and
live in ``models/ocr/`` (or ``$FREEFONTFINDER_OCR_DIR``). Each records the MD5 of
the ``.pth`` it was made from; a file whose MD5 is not EasyOCR's pin is refused.
The recogniser also records its character list (index 0 = CTC blank) and the
classes outside the English character set, so nothing of easyocr is needed here.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import os
from pathlib import Path

import numpy as np

from segmentation import easyocr_numpy as en
from segmentation.config import SegmentConfig
from segmentation.easyocr_backend import WEIGHTS_MD5, OcrUnavailableError
from segmentation.ort_cache import cached_session

OCR_DIR = Path(__file__).resolve().parents[1] / "models" / "ocr"
DETECTOR = "craft.onnx"
RECOGNIZER = "english_g2.onnx"
SOURCES = {DETECTOR: "craft_mlt_25k.pth", RECOGNIZER: "english_g2.pth"}
FORMAT = "freefontfinder-easyocr-onnx/1"
EXPORT_HINT = "run `python cli.py export --ocr` (needs the .[train] extra) or copy models/ocr/ from a machine that did"


def ocr_dir() -> Path:
    """Where the exported OCR networks are looked for."""
    return Path(os.environ.get("FREEFONTFINDER_OCR_DIR") or OCR_DIR)


def exported() -> bool:
    """Whether both ONNX files are present (their provenance is checked when loaded)."""
    d = ocr_dir()
    return all((d / name).is_file() for name in SOURCES)


class OnnxOcr:
    """CRAFT + english_g2 sessions; the same calls as the torch engine (segmentation.easyocr_backend)."""

    name = "onnx"

    def __init__(self, directory: Path, threads: int = 1) -> None:
        self.detector, meta_d = _session(directory / DETECTOR, threads)
        self.recognizer, meta = _session(directory / RECOGNIZER, threads)
        try:
            self.character: list[str] = json.loads(meta["characters"])
            self.ignored: tuple[int, ...] = tuple(json.loads(meta["ignored"]))
        except (KeyError, json.JSONDecodeError) as e:
            raise OcrUnavailableError(f"{directory / RECOGNIZER} lacks its character list ({e}); "
                                      f"{EXPORT_HINT}") from None
        self.metadata = {DETECTOR: meta_d, RECOGNIZER: meta}

    def threads(self, n: int) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()  # fixed when the sessions were made (get_onnx_ocr)

    def detect(self, rgb: np.ndarray, cfg: SegmentConfig) -> tuple[list, list]:
        """Reader.detect's (horizontal, free) boxes for one (H, W, 3) uint8 RGB image."""
        x, ratio = en.craft_input(rgb, max(rgb.shape[:2]))  # (1, 3, H32, W32)
        maps = self.detector.run(None, {"image": x})[0][0]  # (H32/2, W32/2, 2)
        del x
        release_free_heap()  # CRAFT's activations (~70 MB for a 1000 px line) back to the system
        return en.detect_boxes(maps, ratio, cfg.min_box_px, cfg.text_threshold, cfg.low_text,
                               cfg.link_threshold)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """x (1, 1, H, W) float32 in [-1, 1] -> (T, C) per-column class logits."""
        return self.recognizer.run(None, {"image": x})[0][0]


def _session(path: Path, threads: int):
    """An InferenceSession on ``path`` and its metadata, checked against EasyOCR's MD5 pin."""
    try:
        import onnxruntime as ort
    except ImportError:
        raise OcrUnavailableError("onnxruntime is not installed; run: pip install -e .") from None
    if not path.is_file():
        raise OcrUnavailableError(f"the ONNX OCR network {path} is missing; {EXPORT_HINT}")

    def options() -> ort.SessionOptions:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(0, threads)
        opts.inter_op_num_threads = 1
        opts.enable_cpu_mem_arena = False  # peak RSS -30..60 MB, same speed (bench/results/light.md)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting between calls
        return opts

    try:
        sess = cached_session(path, options)  # graph optimised once per machine (segmentation.ort_cache)
    except Exception as e:  # onnxruntime raises its own, unexported exception types
        raise OcrUnavailableError(f"{path} is not a readable ONNX model ({str(e).splitlines()[0]}); "
                                  f"{EXPORT_HINT}") from None
    release_free_heap()
    meta = dict(sess.get_modelmeta().custom_metadata_map)
    source = SOURCES[path.name]
    if meta.get("format") != FORMAT or meta.get("source_md5") != WEIGHTS_MD5[source]:
        raise OcrUnavailableError(f"{path} was not exported from EasyOCR's {source} (MD5 {WEIGHTS_MD5[source]}); "
                                  f"it records {meta.get('source_md5')!r}; {EXPORT_HINT}")
    return sess, meta


def release_free_heap() -> None:
    """Give the heap's free pages back to the system (glibc ``malloc_trim``; a no-op elsewhere).

    Making the CRAFT session parses the 83 MB protobuf and copies its weights twice (graph
    optimisation); about 120 MB of that is freed but stays in the process's RSS until trimmed,
    and everything loaded next (the font index) would stack on top of it."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl)
        pass


@functools.lru_cache(maxsize=2)
def _load(directory: str, threads: int) -> OnnxOcr:
    return OnnxOcr(Path(directory), threads)


def get_onnx_ocr(threads: int = 1) -> OnnxOcr:
    """The process-wide ONNX engine for ``threads`` intra-op threads (0 = onnxruntime's default)."""
    return _load(str(ocr_dir()), threads)
