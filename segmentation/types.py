"""What segmentation hands to the rest of the pipeline (frozen, typed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in the input image's pixels (x1/y1 exclusive)


@dataclass(frozen=True)
class Glyph:
    char: str  # the letter the OCR read (never a space)
    box: Box  # ink box in the input image
    ocr_confidence: float  # recogniser probability of this letter (0-1)
    word_index: int  # index into Segmentation.words
    line_index: int  # index into Segmentation.lines
    image: np.ndarray = field(repr=False, compare=False)  # (S, S) uint8 from glyphs.normalize_glyph
    method: str = "components"  # how the box was found: components | ctc | tesseract


@dataclass(frozen=True)
class Word:
    text: str
    box: Box  # union of its glyph boxes
    confidence: float  # recogniser confidence of the text crop holding the word
    line_index: int
    glyphs: tuple[int, ...]  # indices into Segmentation.glyphs


@dataclass(frozen=True)
class Segmentation:
    text: str  # what was read: words joined by spaces, lines by newlines
    words: tuple[Word, ...]
    glyphs: tuple[Glyph, ...]
    lines: tuple[Box, ...]  # one box per text line, top to bottom
    timings: dict[str, float] = field(default_factory=dict, compare=False)  # seconds per stage

    @property
    def empty(self) -> bool:
        return not self.glyphs
