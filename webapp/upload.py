"""Reading an upload without trusting it: the size limit holds before the body is read
whole (Content-Length first, then a running count while streaming), the content type
must be an image (or unknown binary), and the file name only ever goes back out in the
JSON, never into a file path."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive

# Types a browser or curl may give an image; the bytes are then sniffed by load_image.
BINARY_TYPES = ("application/octet-stream", "")
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file
NAME_MAX = 200


class UploadError(ValueError):
    """An upload refused before decoding; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Upload:
    name: str  # the client's file name (basename, shortened), or "upload"
    data: bytes


def _mb(n: int) -> str:
    return f"{n / 2**20:g} MB"


def _check_type(ctype: str, what: str) -> None:
    base = ctype.split(";")[0].strip().lower()
    if base.startswith("image/") or base in BINARY_TYPES:
        return
    raise UploadError(415, f"{what} is of type {base!r}, not an image; send a JPEG, PNG, WebP, BMP, "
                           "TIFF or GIF file.")


def _capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that fails with 413 once more than ``limit`` body bytes have arrived."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise UploadError(413, f"the upload is over the {_mb(limit)} limit.")
        return message

    return wrapped


def _safe_name(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(c for c in base if c.isprintable())[:NAME_MAX] or "upload"


async def read_upload(request: Request, limit: int) -> Upload:
    """The image bytes of a multipart field ``file`` or of a raw image body.

    Raises UploadError: 413 over ``limit`` bytes, 415 not an image type, 400 empty or
    malformed."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise UploadError(400, "the Content-Length header is not a number.")
        if int(length) > limit + MULTIPART_SLACK:
            raise UploadError(413, f"the upload is {_mb(int(length))}, over the {_mb(limit)} limit.")
    ctype = request.headers.get("content-type", "")
    capped = Request(request.scope, _capped(request.receive, limit + MULTIPART_SLACK))
    if ctype.lower().startswith("multipart/form-data"):
        return await _multipart(capped, limit)
    _check_type(ctype, "the request body")
    chunks, size = [], 0
    async for chunk in capped.stream():
        size += len(chunk)
        if size > limit:
            raise UploadError(413, f"the upload is over the {_mb(limit)} limit.")
        chunks.append(chunk)
    if not size:
        raise UploadError(400, "the request body is empty; send an image file.")
    return Upload(_safe_name(request.query_params.get("name")), b"".join(chunks))


async def _multipart(request: Request, limit: int) -> Upload:
    try:
        form = await request.form(max_files=1, max_fields=4)
    except MultiPartException as e:
        raise UploadError(400, f"the multipart form could not be read ({e}).") from None
    try:
        item = form.get("file")
        if not isinstance(item, UploadFile):
            raise UploadError(400, "the form has no file field named 'file'.")
        _check_type(item.content_type or "", f"the file {_safe_name(item.filename)!r}")
        data = await item.read(limit + 1)
        if len(data) > limit:
            raise UploadError(413, f"the file is over the {_mb(limit)} limit.")
        if not data:
            raise UploadError(400, f"the file {_safe_name(item.filename)!r} is empty (0 bytes).")
        return Upload(_safe_name(item.filename), data)
    finally:
        await form.close()
