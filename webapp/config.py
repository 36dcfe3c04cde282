"""The serve command's settings, defaults in one place (light imports only)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

ENV = "FREEFONTFINDER_SERVE_CONFIG"  # JSON of ServeConfig, handed from `serve` to every worker


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1  # processes; each loads the model, OCR and font index once
    queue: int = 4  # uploads waiting per worker behind the one being identified; more -> 503
    retry_after_s: int = 10  # Retry-After of a queue-full 503
    torch_threads: int = 0  # per worker, torch engine only; 0 = CPU cores // workers (at least 1)
    engine: str = "auto"  # onnx | torch | auto (onnx when `export --ocr` was run; pipeline.engine)
    model: str | None = None  # None -> the shipped models/default
    top: int = 5
    verify: bool = True  # render-and-compare when the font files are on disk
    fonts_dir: str | None = None  # font cache to draw and serve fonts from (None: the fetch cache)
    max_upload_mb: float = 10.0  # request bodies over this are refused before being read whole
    max_pixels: int = 25_000_000  # images declaring more pixels are refused from the header
    save_uploads: str | None = None  # folder keeping uploads (content-hash names) + predictions

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def to_env(self) -> None:
        os.environ[ENV] = json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeConfig:
        raw = os.environ.get(ENV)
        return cls(**json.loads(raw)) if raw else cls()
