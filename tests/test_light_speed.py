"""Speed work of issue 13 that must not change what is read: the drop-shadow fit computed
for all shifts at once gives the per-shift count's answer, on real drawn text; large text
in a tight crop is detected as given (not enlarged) when that reads confidently; small text,
or a look read weakly, still gets the full one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFont

from glyphs.render import render_text
from segmentation import SegmentConfig, segment
from segmentation.effects import _offset_fit, otsu3, remove_shadow
from segmentation.ocr_onnx import exported

needs_ocr_onnx = pytest.mark.skipif(not exported(), reason="models/ocr/*.onnx not exported: "
                                    "run `python cli.py export --ocr` (.ci/run does)")
FONT = next((Path(__file__).resolve().parent / "fixtures" / "fonts" / "roboto" / "static").glob("*-400-normal.woff2"))


def _drawn(text: str, shadow: tuple[int, int] | None) -> tuple[np.ndarray, tuple[int, int]]:
    """(h, w) uint8 dark-on-light line in Roboto 40 px, with a mid-gray drop shadow
    offset by ``shadow`` (dx, dy) px, and the rows holding the text."""
    ink = render_text(ImageFont.truetype(str(FONT), 40), text).mask > 127  # (h, w) bool
    gray = np.full(ink.shape, 240, np.uint8)
    if shadow:
        dx, dy = shadow
        gray[np.roll(np.roll(ink, dy, axis=0), dx, axis=1)] = 150
    gray[ink] = 30
    rows = np.nonzero(ink.any(axis=1))[0]
    return gray, (int(rows[0]), int(rows[-1]) + 1)


def _fit_by_shift(text: np.ndarray, shade: np.ndarray, d: int) -> float:
    """The plain definition: for every shift of 2..d px, the share of the away-pixels of
    ``shade`` that the shifted ``text`` covers; the best."""
    import cv2

    near = cv2.dilate(text.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    ys, xs = np.nonzero(shade & ~near)
    best = 0.0
    for dy in range(-d, d + 1):
        for dx in range(-d, d + 1):
            if max(abs(dx), abs(dy)) >= 2:
                sy, sx = ys - dy, xs - dx
                ok = (sy >= 0) & (sy < text.shape[0]) & (sx >= 0) & (sx < text.shape[1])
                best = max(best, float(text[sy[ok], sx[ok]].sum()) / len(ys))
    return best


def test_shadow_fit_is_the_per_shift_count_and_the_shadow_goes():
    gray, core = _drawn("Shadow play", (4, 3))
    t1, t2 = otsu3(gray)
    letters, shade = gray < t1, (gray >= t1) & (gray < t2)
    d = max(3, int(0.15 * (core[1] - core[0])))
    assert _offset_fit(letters, shade, core) == _fit_by_shift(letters, shade, d)
    assert _offset_fit(letters, shade, core) > 0.9  # the shade is the letters moved by (4, 3)
    assert _offset_fit(shade, letters, core) == _fit_by_shift(shade, letters, d)
    out = remove_shadow(gray, core)
    assert out is not None
    import cv2

    rim = cv2.dilate(letters.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert shade[~rim].sum() > 500  # a real shadow, most of it away from the letters ...
    assert not ((out > 100) & (out < 200) & ~rim).any()  # ... is paper now, but for the rim touching them
    assert (out < 100).sum() == (gray < 100).sum()  # the letters untouched


def test_plain_text_has_no_shadow():
    gray, core = _drawn("Shadow play", None)
    assert remove_shadow(gray, core) is None


def _line(text: str, size: int) -> np.ndarray:
    """(h, w, 3) uint8 RGB: ``text`` in Roboto ``size`` px, dark on light, tightly cropped as
    the benchmark's clean lines are (short side under 96 px: upscaled for OCR)."""
    ink = render_text(ImageFont.truetype(str(FONT), size), text).mask  # (h, w) uint8, 255 = ink
    gray = (235 - ink.astype(np.float32) * (200 / 255)).astype(np.uint8)
    return np.repeat(gray[:, :, None], 3, axis=2)


@pytest.fixture()
def craft_inputs(monkeypatch):
    """The detector input sizes (h, w) of every CRAFT run, ONNX engine."""
    from segmentation.easyocr_backend import get_engine

    engine = get_engine("onnx")
    seen: list[tuple[int, int]] = []
    detect = engine.detect

    def spy(rgb, cfg):
        seen.append(rgb.shape[:2])
        return detect(rgb, cfg)

    monkeypatch.setattr(engine, "detect", spy)
    return seen


@needs_ocr_onnx
def test_a_tight_crop_of_large_text_is_detected_as_given(craft_inputs):
    rgb = _line("Quiet morning light", 44)  # short side under 96 px: enlarged for reading
    old = segment(rgb, config=SegmentConfig(engine="onnx", detect_as_given=False))
    enlarged = list(craft_inputs)
    craft_inputs.clear()
    new = segment(rgb, config=SegmentConfig(engine="onnx"))
    assert new.text == old.text == "Quiet morning light"
    assert len(craft_inputs) == 1  # the look at the picture as given was kept
    assert craft_inputs[0][0] * craft_inputs[0][1] < 0.3 * enlarged[0][0] * enlarged[0][1]
    assert [g.box for g in new.glyphs] == [g.box for g in old.glyphs]  # boxes in the input's pixels


@needs_ocr_onnx
def test_a_tiny_screenshot_is_still_detected_enlarged(craft_inputs):
    rgb = _line("Tiny label", 11)  # text ~8 px: too small to keep the first look
    new = segment(rgb, config=SegmentConfig(engine="onnx"))
    assert len(craft_inputs) == 2 and craft_inputs[1][0] > 2 * craft_inputs[0][0]
    old = segment(rgb, config=SegmentConfig(engine="onnx", detect_as_given=False))
    assert new.text == old.text  # the same reading as the old path
    assert len(new.text) == len("Tiny label") and sum(a != b for a, b in zip(new.text, "Tiny label", strict=True)) <= 1  # 8 px text


@needs_ocr_onnx
def test_a_first_look_read_weakly_gives_way_to_the_enlarged_one(craft_inputs):
    rgb = np.ascontiguousarray(_line("Harbor lights", 40)[::-1, ::-1])  # upside down: read weakly upright
    new = segment(rgb, config=SegmentConfig(engine="onnx"))
    sizes = list(craft_inputs)
    old = segment(rgb, config=SegmentConfig(engine="onnx", detect_as_given=False))
    assert sizes[1][0] > 1.5 * sizes[0][0]  # looked again, enlarged
    assert new.text == old.text == "Harbor lights"
    assert [g.box for g in new.glyphs] == [g.box for g in old.glyphs]


@needs_ocr_onnx
def test_small_text_gets_the_full_detection_too(craft_inputs):
    line = _line("Small print here", 15)
    rgb = np.full((240, 480, 3), 235, np.uint8)  # small print on a page: nothing is upscaled
    rgb[100:100 + line.shape[0], 40:40 + line.shape[1]] = line
    old = segment(rgb, config=SegmentConfig(engine="onnx", detect_first_scale=1.0))
    craft_inputs.clear()
    new = segment(rgb, config=SegmentConfig(engine="onnx", detect_first_scale=0.5, detect_first_min_px=16))
    assert len(craft_inputs) == 2  # the first look found text under 16 px: looked again as before
    assert new.text == old.text == "Small print here"
