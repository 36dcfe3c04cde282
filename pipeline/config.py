"""Config dataclasses of the pipeline commands (defaults live here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IdentifyConfig:
    images: tuple[str, ...] = ()
    top: int = 5
    json: bool = False
    model: str | None = None  # None -> models/default in the repository
    explain: str | None = None  # OUT.png (several images: OUT-1.png, OUT-2.png, ...)
    backend: str = "easyocr"  # easyocr | tesseract


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    model: str | None = None
    top: int = 5
