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
    # (S, S) uint8: a hollow letter cut at its outline's inner edge (``image``: at its middle), else None
    alt_image: np.ndarray | None = field(default=None, repr=False, compare=False)
    # Ink box as the letter stands in its bent line laid straight (segmentation.bend), at the
    # picture's scale and placed at the word's box; None for other text. In the picture, a letter
    # leaning on an arc has a box up to 2.5x too tall, which cut one arc line into two "sizes"
    # (segment.upright_boxes). Letters turned upright on a fitted baseline (segmentation.curve) keep
    # their picture boxes: a spurious curve in a scene photo turned letters into worse boxes.
    upright_box: Box | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Word:
    text: str
    box: Box  # union of its glyph boxes
    confidence: float  # recogniser confidence of the text crop holding the word
    line_index: int
    glyphs: tuple[int, ...]  # indices into Segmentation.glyphs
    rotation: float = 0.0  # degrees (counterclockwise as seen) the text is turned in the picture
    bent: bool = False  # read from a curved line laid straight (segmentation.bend)
    effects: tuple[str, ...] = ()  # lettering effects removed before reading: underline, line-through, shadow


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


@dataclass(frozen=True)
class ReadChunk:
    """One read piece of text (an OCR box: a word or several), before glyphs are cut."""

    box: Box  # the read crop's footprint in image pixels
    origin: tuple[int, int]  # (x, y) of ``gray``'s top-left corner in the image (when map_xy is None)
    gray: np.ndarray  # (h, w) uint8, dark text on light, text running left to right
    text: str
    confidence: float
    chars: tuple  # segmentation.chars.CharBox, boxes in ``gray``'s pixels
    map_xy: np.ndarray | None = field(default=None, repr=False)  # (h, w, 2) image x, y per gray pixel
    rotation: float = 0.0  # degrees the text is turned in the picture (segmentation.orient.View)
    parts: int = 0  # ink components (letter pieces) in the crop; 0 = not counted
    bent: bool = False  # read from a bent line laid straight (segmentation.bend): its direction is known
    # (h, w) uint8 like ``gray``: hollow letters filled only to their outline's inner edge (segmentation.hollow)
    alt_gray: np.ndarray | None = field(default=None, repr=False)
    effects: tuple[str, ...] = ()  # lettering effects removed before reading (Word.effects)
