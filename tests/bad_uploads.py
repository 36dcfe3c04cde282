"""Uploads a web server must refuse with a 4xx (never a 500): each kind, made here.

``BAD_UPLOADS``: name -> (body bytes, content type, expected status, a phrase the
error sentence contains). Shared by tests/test_webapp.py (framework test client) and
tests/test_webapp_server.py (the real server)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample.png"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height pixels, with almost no data: a bomb that
    must be refused from the header, before any decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + _chunk(b"IEND", b""))


def compressed_bomb(width: int = 6000, height: int = 5000) -> bytes:
    """A real, valid 1-bit PNG of width x height (30 MP) that packs into a few KB."""
    buf = io.BytesIO()
    Image.new("1", (width, height), 1).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def bad_uploads() -> dict[str, tuple[bytes, str, int, str]]:
    sample = SAMPLE.read_bytes()
    return {
        "empty": (b"", "image/png", 400, "empty"),
        "text-file": (b"just some words, no pixels\n" * 4, "text/plain", 415, "not an image"),
        "json-type": (b'{"a": 1}', "application/json", 415, "not an image"),
        "not-an-image": (b"MZ\x90\x00 this is not a picture at all" * 8, "image/png", 400, "not an image"),
        "pdf-as-png": (b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n", "image/png", 400, "PDF"),
        "truncated": (sample[: len(sample) // 3], "image/png", 400, "truncated"),
        "header-bomb": (png_declaring(100_000, 100_000), "image/png", 400, "pixel"),
        "compressed-bomb": (compressed_bomb(), "image/png", 400, "pixel"),
    }
