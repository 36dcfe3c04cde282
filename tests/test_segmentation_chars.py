"""Character boxes inside a word (segmentation.chars), without OCR: spikes come from the true boxes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from segmentation.chars import estimate_slant, merge_stacked, segment_crop
from segmentation.synth import iou, render_line

FONTS = Path(__file__).parent / "fixtures" / "fonts"


def _line(fid: str, text: str):
    line, _ = render_line(FONTS / fid / "static" / f"{fid}-latin-400-normal.woff2", text, size=(900, 180))
    return line, cv2.cvtColor(line.image, cv2.COLOR_RGB2GRAY)


def _spikes(line, text: str) -> list[float]:
    """Where the recogniser's spikes would be: a third into each glyph; spaces between words."""
    boxes = iter(line.boxes)
    out, prev = [], 0.0
    for c in text:
        if c.isspace():
            out.append(prev + 5)
            continue
        b = next(boxes)
        prev = b[2]
        out.append(b[0] + 0.3 * (b[2] - b[0]))
    return out


def test_separated_glyphs_use_components_and_keep_dots() -> None:
    text = "Jiji fix 19"
    line, gray = _line("roboto", text)
    boxes = segment_crop(gray, text, _spikes(line, text), [0.9] * len(text), (0, gray.shape[0]))
    assert [b.char for b in boxes] == list(text.replace(" ", ""))
    assert {b.method for b in boxes} == {"components"}
    assert [b.word for b in boxes] == [0, 0, 0, 0, 1, 1, 1, 2, 2]
    for found, truth in zip(boxes, line.boxes, strict=True):
        assert iou(found.box, truth) > 0.9, (found.char, found.box, truth)
    i_box = boxes[1].box
    assert i_box[1] == line.boxes[1][1]  # the dot of the i is inside its box


def test_joined_letters_use_ctc_spans() -> None:
    text = "minimum"
    line, gray = _line("lobster", text)
    boxes = segment_crop(gray, text, _spikes(line, text), [0.9] * len(text), (0, gray.shape[0]))
    assert "ctc" in {b.method for b in boxes}
    good = sum(iou(f.box, t) >= 0.5 for f, t in zip(boxes, line.boxes, strict=True))
    assert good >= 6


def test_slant_is_estimated() -> None:
    ink = np.zeros((100, 300), bool)
    for x in range(30, 260, 40):
        for y in range(100):
            ink[y, int(x + 0.3 * (100 - y)) : int(x + 0.3 * (100 - y)) + 6] = True  # strokes leaning right
    assert abs(estimate_slant(ink) - 0.3) <= 0.05
    assert estimate_slant(ink[:, ::-1]) < 0  # leaning left (backslant)


def test_stacked_parts_merge() -> None:
    boxes = np.array([[0, 0, 0, 0], [10, 0, 16, 6], [10, 10, 16, 50], [30, 10, 50, 50]])  # dot, stem, o
    assert merge_stacked(boxes, [1, 2, 3]) == [[1, 2], [3]]


def _leaning(gray: np.ndarray, base: int, y0: int, y1: int, slant: float = 0.4, width: int = 8) -> None:
    """Draw rows y0..y1 of a stroke leaning right whose foot (row 100) is at x = ``base``."""
    for y in range(y0, y1):
        x = int(round(base + slant * (100 - y)))
        gray[y, x:x + width] = 0


def test_dot_of_a_leaning_i_stays_with_its_stem_not_the_next_letter() -> None:
    """In italic and script faces the i's dot sits right of its stem, over the next letter."""
    gray = np.full((120, 200), 255, np.uint8)
    _leaning(gray, 50, 40, 100)  # i stem
    _leaning(gray, 50, 20, 30)  # its dot, on the stem's line: 30 px right of its foot, over the n
    _leaning(gray, 70, 40, 100)  # n: two stems joined by an arch
    _leaning(gray, 95, 40, 100)
    gray[40:46, 94:127] = 0
    boxes = segment_crop(gray, "in", [60.0, 90.0], [0.9, 0.9], (0, 120))
    assert [b.char for b in boxes] == ["i", "n"]
    assert boxes[0].box[1] == 20 and boxes[1].box[1] == 40  # dot with the i; the n starts at its arch
