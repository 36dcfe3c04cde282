"""Optional second OCR backend: Tesseract via pytesseract (character boxes come from Tesseract).

Used only when ``pytesseract`` is importable and the ``tesseract`` binary is on
PATH; otherwise OcrUnavailableError says what to install. Measured here with
tesseract 5.3.0 on the segmentation bench lines, character recall: print ~0.8,
display ~0.8, joined script ~0.35 (EasyOCR: 0.99, 0.99, 0.84), so EasyOCR stays the default.
"""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np

from segmentation.chars import CharBox
from segmentation.config import SegmentConfig
from segmentation.easyocr_backend import OcrUnavailableError

INSTALL_HINT = "install the tesseract binary with English data (tesseract-ocr, tesseract-ocr-eng) and pip install pytesseract"


def _pytesseract() -> Any:
    try:
        import pytesseract
    except ImportError:
        raise OcrUnavailableError(f"the Tesseract backend needs pytesseract; {INSTALL_HINT}.") from None
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise OcrUnavailableError(f"the tesseract program is not on PATH; {INSTALL_HINT}.")
    return pytesseract


def read_tesseract(gray: np.ndarray, cfg: SegmentConfig) -> list:
    """Whole-image Tesseract: one ReadChunk per word, its characters from image_to_boxes."""
    from glyphs.normalize import to_dark_on_light
    from segmentation.types import ReadChunk

    pt = _pytesseract()
    page = to_dark_on_light(gray)  # (H, W) uint8
    h = page.shape[0]
    data = pt.image_to_data(page, output_type=pt.Output.DICT)
    chars = []
    for row in pt.image_to_boxes(page).splitlines():
        parts = row.split(" ")
        if len(parts) >= 5 and not parts[0].isspace():
            x0, y0, x1, y1 = (int(v) for v in parts[1:5])
            chars.append((parts[0], (x0, h - y1, x1, h - y0)))  # Tesseract's origin is bottom-left
    chunks = []
    for i, word in enumerate(data["text"]):
        word = word.strip()
        conf = float(data["conf"][i]) / 100.0
        if not word or conf < cfg.min_confidence:
            continue
        box = (data["left"][i], data["top"][i], data["left"][i] + data["width"][i],
               data["top"][i] + data["height"][i])
        inside = [CharBox(c, b, 0, conf, "tesseract") for c, b in chars if _centre_in(b, box)]
        if inside:
            chunks.append(ReadChunk(box, (0, 0), page, word, conf, tuple(inside)))
    return chunks


def _centre_in(b: tuple[int, int, int, int], box: tuple[int, int, int, int]) -> bool:
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
