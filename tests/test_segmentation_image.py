"""load_image: every input DESIGN.md lists gets its documented result (no OCR, fast)."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from segmentation import ImageError, load_image


def _one_sentence(msg: str) -> bool:
    return "\n" not in msg and msg.endswith(".") and len(msg) < 200 and "Traceback" not in msg


def _text_image(w: int = 320, h: int = 100) -> Image.Image:
    im = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(im)
    d.rectangle([20, 20, 60, 80], fill="black")  # an unambiguous dark mark at the left
    d.text((80, 40), "Hello", fill="black")
    return im


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bomb_png(w: int, h: int) -> bytes:
    """A tiny PNG whose header declares w x h pixels (its data would inflate to gigabytes)."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)  # 8-bit gray
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


@pytest.mark.parametrize("name, payload, phrase", [
    ("empty.png", b"", "empty"),
    ("notes.png", b"just some text, not pixels\n" * 10, "not an image"),
    ("scan.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", "PDF"),
])
def test_not_images_raise_one_clear_sentence(tmp_path: Path, name: str, payload: bytes, phrase: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(ImageError) as e:
        load_image(path)
    assert phrase in str(e.value) and name in str(e.value)
    assert _one_sentence(str(e.value))


def test_truncated_jpeg(tmp_path: Path) -> None:
    buf = io.BytesIO()
    _text_image(800, 600).save(buf, "JPEG", quality=95)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageError, match="truncated") as e:
        load_image(path)
    assert _one_sentence(str(e.value))


def test_decompression_bomb_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_bomb_png(50_000, 50_000))  # 2.5 G pixels declared, ~1 KB on disk
    t0 = time.perf_counter()
    with pytest.raises(ImageError, match="pixel limit") as e:
        load_image(path)
    assert time.perf_counter() - t0 < 1.0
    assert _one_sentence(str(e.value))


def test_limits_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    _text_image().save(path)
    with pytest.raises(ImageError, match="pixel limit"):
        load_image(path, max_pixels=1000)
    with pytest.raises(ImageError, match="byte limit"):
        load_image(path, max_bytes=100)
    with pytest.raises(ImageError, match="byte limit"):
        load_image(path.read_bytes(), max_bytes=100)
    assert load_image(path).shape == (100, 320, 3)


def test_missing_file_and_wrong_types(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="does not exist"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="folder"):
        load_image(tmp_path)
    with pytest.raises(ImageError, match="cannot read an image from a int"):
        load_image(42)
    with pytest.raises(ImageError, match="shape"):
        load_image(np.zeros((4, 4, 2), np.uint8))


def test_one_pixel_image_loads(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    Image.new("RGB", (1, 1), (10, 20, 30)).save(path)
    out = load_image(path)
    assert out.shape == (1, 1, 3) and out.dtype == np.uint8 and tuple(out[0, 0]) == (10, 20, 30)


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    rgb = _text_image()
    path = tmp_path / "cmyk.jpg"
    rgb.convert("CMYK").save(path, "JPEG", quality=95)
    assert Image.open(path).mode == "CMYK"
    out = load_image(path)
    assert out.shape == (100, 320, 3)
    assert np.abs(out.astype(int) - np.asarray(rgb).astype(int)).mean() < 8
    assert out[50, 40].max() < 60 and out[5, 5].min() > 200  # the mark stays dark, the page light


def test_16_bit_png_keeps_its_range(tmp_path: Path) -> None:
    a = np.full((100, 320), 65535, np.uint16)
    a[20:80, 20:60] = 1000
    path = tmp_path / "deep.png"
    Image.fromarray(a).save(path)
    assert Image.open(path).mode.startswith("I;16")
    out = load_image(path)
    assert out.dtype == np.uint8 and out[50, 40, 0] < 10 and out[5, 5, 0] == 255


def test_palette_and_bytes_and_pil_inputs(tmp_path: Path) -> None:
    im = _text_image().convert("P")
    buf = io.BytesIO()
    im.save(buf, "PNG")
    from_bytes = load_image(buf.getvalue())
    assert from_bytes.shape == (100, 320, 3) and from_bytes[50, 40].max() < 60
    assert np.array_equal(load_image(im), from_bytes)
    assert load_image(np.asarray(_text_image().convert("L"))).shape == (100, 320, 3)


def test_animated_gif_uses_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (64, 48), c) for c in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(path).n_frames == 3
    out = load_image(path)
    assert out.shape == (48, 64, 3) and out[10, 10, 0] > 200 and out[10, 10, 2] < 50


def _alpha_only(mask: np.ndarray, ink: int) -> Image.Image:
    rgba = np.zeros(mask.shape + (4,), np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = mask
    return Image.fromarray(rgba, "RGBA")


@pytest.mark.parametrize("ink", [0, 255])
def test_text_only_in_alpha_is_visible(tmp_path: Path, ink: int) -> None:
    mask = np.zeros((100, 320), np.uint8)
    mask[20:80, 20:60] = 255  # the "text"
    path = tmp_path / "alpha.png"
    _alpha_only(mask, ink).save(path)
    out = load_image(path)
    text, page = out[50, 40, 0], out[5, 5, 0]
    assert abs(int(text) - int(page)) > 200  # black ink lands on white, white ink on black


def test_exif_orientation_is_honoured(tmp_path: Path) -> None:
    upright = _text_image(320, 100)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a sideways camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "phone.jpg"
    stored.save(path, "JPEG", quality=95, exif=exif)
    out = load_image(path)
    assert out.shape == (100, 320, 3)
    assert out[50, 40].max() < 60 and out[50, 300].min() > 200  # the mark is back at the left


def test_array_inputs_are_converted() -> None:
    g16 = np.full((10, 12), 65535, np.uint16)
    assert load_image(g16).max() == 255
    f = np.zeros((10, 12), np.float32)
    f[0, 0] = 1.0
    assert load_image(f)[0, 0, 0] == 255
    rgba = np.zeros((10, 12, 4), np.uint8)
    rgba[..., 3] = 255
    assert load_image(rgba).shape == (10, 12, 3)
    assert load_image(np.ones((10, 12), bool))[0, 0, 0] == 255


def test_probe_image_reads_the_header_only():
    from segmentation import probe_image
    from tests.bad_uploads import SAMPLE, png_declaring

    data = SAMPLE.read_bytes()
    assert probe_image(data) == Image.open(SAMPLE).size
    assert probe_image(data[: len(data) // 3]) == Image.open(SAMPLE).size  # truncated: only decoding tells
    for bad, phrase in ((png_declaring(100_000, 100_000), "pixel"), (b"", "empty"), (b"hello", "not an image")):
        with pytest.raises(ImageError, match=phrase):
            probe_image(bad, max_pixels=1_000_000)
