"""Loading a user's image safely: one typed error for everything we refuse.

``load_image`` accepts a path, bytes, a PIL image or a numpy array and returns
an H x W x 3 uint8 RGB array. Sizes are checked from the header before the
pixels are decoded, EXIF orientation is applied, and CMYK, 16-bit, palette and
alpha images are converted so that text stays visible (text drawn only in the
alpha channel included).
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from segmentation.config import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS

FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")
_FORMAT_NAMES = "JPEG, PNG, WebP, BMP, TIFF or GIF"
_MAGIC = ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"), (b"<svg", "an SVG drawing"),
          (b"<?xml", "an XML file"), (b"\x1f\x8b", "a gzip archive"))


class ImageError(ValueError):
    """An input that is not an image we can read; the message is one clear sentence."""


def load_image(
    source: Any, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_bytes: int = DEFAULT_MAX_BYTES
) -> np.ndarray:
    """Path, bytes, PIL image or numpy array -> (H, W, 3) uint8 RGB array.

    Raises ImageError for empty, truncated, unsupported, too-large or
    not-an-image inputs, with a one-sentence message.
    """
    if isinstance(source, np.ndarray):
        return _from_array(source, max_pixels)
    if isinstance(source, Image.Image):
        _check_pixels(source.size, max_pixels, "the image")
        return _to_rgb(_decode(source, "the image"), "the image")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), "the image data"
    elif isinstance(source, (str, os.PathLike)):
        data, name = _read_file(Path(source), max_bytes), str(Path(source))
    else:
        raise ImageError(f"cannot read an image from a {type(source).__name__}; "
                         "give a path, bytes, a PIL image or a numpy array.")
    _check_bytes(data, name, max_bytes)
    im = _open(data, name, max_pixels)
    _check_pixels(im.size, max_pixels, name)
    return _to_rgb(_decode(im, name), name)


def probe_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS,
                max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[int, int]:
    """(width, height) of encoded image bytes from the header alone, no pixel decoded: the
    checks ``load_image`` makes before decoding (empty, too many bytes, not an image, too many
    pixels), cheap enough to run before queueing an upload. Raises ImageError."""
    data, name = bytes(data), "the image data"
    _check_bytes(data, name, max_bytes)
    im = _open(data, name, max_pixels)
    _check_pixels(im.size, max_pixels, name)
    return im.size


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageError(f"{path} is {size:,} bytes, over the {max_bytes:,}-byte limit.")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise ImageError(f"{path} is a folder, not an image file.") from None
    except PermissionError:
        raise ImageError(f"{path} cannot be read (permission denied).") from None


def _check_bytes(data: bytes, name: str, max_bytes: int) -> None:
    if not data:
        raise ImageError(f"{name} is empty (0 bytes).")
    if len(data) > max_bytes:
        raise ImageError(f"{name} is {len(data):,} bytes, over the {max_bytes:,}-byte limit.")


def _open(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """Identify the format from the header only (no pixel decoding yet)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as e:  # Pillow's own, far larger limit, hit in the header
        found = re.search(r"\((\d+) pixels\)", str(e))
        size = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
        raise ImageError(f"{name} declares {size}, over the {max_pixels:,}-pixel limit, "
                         "so it was not decoded.") from None
    except (Image.UnidentifiedImageError, OSError, ValueError, SyntaxError):
        head = data[:64].lstrip()
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise ImageError(f"{name} is {what}, not an image ({_FORMAT_NAMES}).") from None
        raise ImageError(f"{name} is not an image we can read ({_FORMAT_NAMES}).") from None


def _check_pixels(size: tuple[int, int], max_pixels: int, name: str) -> None:
    w, h = size
    if w < 1 or h < 1:
        raise ImageError(f"{name} has no pixels ({w}x{h}).")
    if w * h > max_pixels:
        raise ImageError(f"{name} is {w}x{h} = {w * h:,} pixels, over the {max_pixels:,}-pixel "
                         "limit, so it was not decoded.")


def _decode(im: Image.Image, name: str) -> Image.Image:
    """First frame, fully decoded, EXIF orientation applied."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)
            im.load()
            return ImageOps.exif_transpose(im) or im
    except Image.DecompressionBombError:
        raise ImageError(f"{name} declares too many pixels to decode safely.") from None
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        why = "is truncated" if "truncat" in str(e).lower() else "is damaged"
        raise ImageError(f"{name} {why} and could not be decoded.") from None


def _to_rgb(im: Image.Image, name: str) -> np.ndarray:
    """Any Pillow mode -> (H, W, 3) uint8 RGB."""
    mode = im.mode
    if mode in ("P", "PA", "LA", "RGBa", "La") or (mode in ("L", "RGB") and "transparency" in im.info):
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode == "RGBA":
        rgba = np.asarray(im)  # (H, W, 4)
        return _flatten_alpha(rgba[..., :3], rgba[..., 3])
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _gray_to_rgb(_scale_to_uint8(np.asarray(im)))
    if mode == "1":
        im = im.convert("L")
    if mode in ("RGB", "L", "1"):
        arr = np.asarray(im)
    else:  # CMYK, YCbCr, LAB, HSV: Pillow knows the conversion
        try:
            arr = np.asarray(im.convert("RGB"))
        except (ValueError, OSError):
            raise ImageError(f"{name} uses colour mode {mode}, which cannot be converted to RGB.") from None
    return _gray_to_rgb(arr) if arr.ndim == 2 else np.ascontiguousarray(arr[..., :3], dtype=np.uint8)


def _from_array(a: np.ndarray, max_pixels: int) -> np.ndarray:
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise ImageError(f"an image array must be HxW or HxWx1/3/4, not shape {a.shape}.")
    _check_pixels((a.shape[1], a.shape[0]), max_pixels, "the image array")
    if a.dtype != np.uint8:
        a = _scale_to_uint8(a)
    if a.ndim == 2 or a.shape[2] == 1:
        return _gray_to_rgb(a.reshape(a.shape[0], a.shape[1]))
    if a.shape[2] == 4:
        return _flatten_alpha(a[..., :3], a[..., 3])
    return np.ascontiguousarray(a)


def _scale_to_uint8(a: np.ndarray) -> np.ndarray:
    """16-bit / 32-bit / float / bool pixels -> uint8 (full range kept)."""
    if a.dtype == bool:
        return a.astype(np.uint8) * 255
    x = a.astype(np.float64)
    if np.issubdtype(a.dtype, np.floating):
        hi = 1.0 if float(np.nanmax(x, initial=0.0)) <= 1.0 else 255.0
        return np.clip(np.nan_to_num(x) * (255.0 / hi), 0, 255).astype(np.uint8)
    hi = float(x.max(initial=0))
    div = 257.0 if hi > 255 and hi <= 65535 else (hi / 255.0 if hi > 65535 else 1.0)
    return np.clip(x / div, 0, 255).astype(np.uint8)


def _gray_to_rgb(g: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(g[..., None], 3, axis=2), dtype=np.uint8)


def _flatten_alpha(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite over a background that contrasts with the opaque pixels.

    rgb: (H, W, 3) uint8, alpha: (H, W) uint8. Dark ink on transparency goes
    onto white, light ink onto black; an alpha with one value is ignored.
    """
    if int(alpha.min()) == int(alpha.max()):
        return np.ascontiguousarray(rgb, dtype=np.uint8)
    a = alpha.astype(np.float32)[..., None] / 255.0  # (H, W, 1)
    lum = rgb.astype(np.float32).mean(axis=2)  # (H, W)
    ink = alpha > 127
    ink_lum = float(lum[ink].mean()) if ink.any() else 0.0
    bg = 255.0 if ink_lum < 128 else 0.0
    out = rgb.astype(np.float32) * a + bg * (1.0 - a)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)
