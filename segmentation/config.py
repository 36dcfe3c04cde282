"""Defaults of image loading and OCR segmentation, in one place (light imports only)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_PIXELS = 40_000_000  # decompression-bomb limit, checked from the header
DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # file-size limit


@dataclass(frozen=True)
class SegmentConfig:
    """How ``segmentation.segment`` finds, reads and cuts text."""

    backend: str = "easyocr"  # easyocr | tesseract
    engine: str = "auto"  # EasyOCR's networks on onnx | torch; auto = onnx when exported (models/ocr), else torch
    detect_max_side: int = 640  # CRAFT input: longest side capped to this (the speed lever)
    detect_retry_side: int = 1280  # second look when the first finds nothing or only tiny text
    # A cheaper first look at this fraction of the detection scale, kept when all text found
    # there is at least detect_first_min_px high (detection pixels) and every box reads at
    # least weak_confidence (segmentation.read); 1.0 = none. Upscaled pictures (upscale_below)
    # with detect_as_given get theirs at the size they were given (False: always detected
    # enlarged, as before). bench/results/light_as_given.md measures the choice.
    detect_first_scale: float = 1.0
    detect_first_min_px: int = 16
    detect_as_given: bool = True
    detect_min_side: int = 8  # images smaller than this on either side hold no text
    upscale_below: int = 96  # images whose short side is below this are upscaled (tiny screenshots)
    max_upscale: int = 4  # ... by at most this integer factor; boxes are mapped back
    text_threshold: float = 0.7  # CRAFT character-score threshold
    low_text: float = 0.4  # CRAFT region threshold
    link_threshold: float = 0.4  # CRAFT affinity threshold
    min_box_px: int = 10  # detection boxes smaller than this (detection pixels) are dropped
    # Recogniser input height (english_g2 is trained at 64; joined script reads better at 96,
    # bench/results/segmentation.md).
    recog_height: int = 96
    # Unknown words become the likeliest English word among the recogniser's alternatives
    # when at most this many nats less likely (segmentation.lexicon); 0 = off.
    lexicon_margin: float = 3.0
    crop_margin: float = 0.12  # margin around a detected box, fraction of its height
    # Reading direction (segmentation.read): boxes read with less confidence are also read
    # upside down; tall boxes over tall_share of the text area (or nothing read above
    # weak_confidence) make the picture be looked at turned 90 degrees too.
    orientations: bool = True
    effects: bool = True  # remove ruled lines, fill hollow letters (segmentation.effects)
    weak_confidence: float = 0.5
    tall_share: float = 0.3
    min_confidence: float = 0.01  # text crops read with less confidence (EasyOCR's score) are dropped
    num_threads: int = 1  # torch threads during OCR (restored after); 0 = torch's default
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_bytes: int = DEFAULT_MAX_BYTES
