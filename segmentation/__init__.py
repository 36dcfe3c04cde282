"""Segmentation: image -> OCR words -> one normalised Glyph per character.

Public surface::

    load_image(source, *, max_pixels=40_000_000, max_bytes=...) -> (H, W, 3) uint8 RGB
    probe_image(data, *, max_pixels=..., max_bytes=...) -> (W, H) from the header, nothing decoded
    segment(image, *, norm=NormSettings(), backend=None, config=SegmentConfig()) -> Segmentation
    get_reader()  # the process-wide EasyOCR reader (loaded once, offline; torch engine)
    load_ocr(config)  # load the OCR networks now (a server at start-up); else on the first segment

EasyOCR's networks run on ONNX Runtime (segmentation.ocr_onnx, files from
``python cli.py export --ocr``) or on torch (EasyOCR's own reader):
``SegmentConfig.engine`` = auto | onnx | torch. Nothing heavy is imported here:
the networks load on the first ``segment``.
"""

from segmentation.config import SegmentConfig
from segmentation.easyocr_backend import OcrUnavailableError, get_engine, get_reader
from segmentation.image import ImageError, load_image, probe_image
from segmentation.segment import SegmentationError, segment
from segmentation.types import Box, Glyph, Segmentation, Word


def load_ocr(config: SegmentConfig = SegmentConfig()) -> object:
    """The process-wide OCR engine for ``config`` (engine, threads), loaded now if not yet.

    Raises OcrUnavailableError when its networks are missing."""
    return get_engine(config.engine, config.num_threads)

__all__ = [
    "Box", "Glyph", "ImageError", "OcrUnavailableError", "SegmentConfig", "Segmentation",
    "SegmentationError", "Word", "get_reader", "load_image", "load_ocr", "probe_image", "segment",
]
