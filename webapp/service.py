"""What one worker process holds, loaded once at start-up: the identifier (glyph model,
OCR reader, font files for render-and-compare), the font shelf and the bounded pool.
``identify`` runs in the pool's thread."""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webapp.config import ServeConfig
from webapp.fonts import FontShelf
from webapp.pool import BoundedPool
from webapp.upload import Upload


@dataclass
class Service:
    cfg: ServeConfig
    identifier: Any  # pipeline.Identifier
    shelf: FontShelf
    pool: BoundedPool

    @classmethod
    def load(cls, cfg: ServeConfig) -> Service:
        """Load model, OCR and fonts (seconds; call once per worker)."""
        from pipeline.config import VerifyConfig
        from pipeline.rank import DEFAULT_MODEL, Identifier
        from segmentation.easyocr_backend import get_engine

        identifier = Identifier(cfg.model or DEFAULT_MODEL, engine=cfg.engine,
                                verify=VerifyConfig(enabled=cfg.verify, cache=cfg.fonts_dir))
        if identifier.engine.startswith("torch"):  # ONNX Runtime sessions run one thread each (pipeline.engine)
            import torch

            torch.set_num_threads(cfg.torch_threads or max(1, (os.cpu_count() or 1) // max(1, cfg.workers)))
        seg = identifier.segment_config
        if seg.backend == "easyocr":
            get_engine(seg.engine, seg.num_threads)  # the OCR networks load now, not on the first upload
        shelf = FontShelf.from_catalog(cache=cfg.fonts_dir)
        return cls(cfg, identifier, shelf, BoundedPool(cfg.queue))

    def precheck(self, upload: Upload) -> dict | None:
        """The error object of an upload refused from its header alone (empty, not an image,
        too many pixels), else None. Microseconds, so it runs before queueing: such uploads
        never wait behind identifications nor meet a full queue."""
        from pipeline.output import error_dict
        from segmentation import ImageError, probe_image

        try:
            probe_image(upload.data, max_pixels=self.cfg.max_pixels, max_bytes=self.cfg.max_upload_bytes)
        except ImageError as e:
            return error_dict(upload.name, str(e))
        return None

    def identify(self, upload: Upload) -> tuple[int, dict]:
        """(HTTP status, the `identify --json` object) of one upload."""
        from pipeline.output import error_dict, ranking_to_dict
        from segmentation import ImageError, OcrUnavailableError, load_image

        try:
            rgb = load_image(upload.data, max_pixels=self.cfg.max_pixels,
                             max_bytes=self.cfg.max_upload_bytes)  # pixels checked from the header
        except ImageError as e:
            return 400, error_dict(upload.name, str(e))
        try:
            ranking = self.identifier.rank(rgb, top=self.cfg.top)
        except OcrUnavailableError as e:
            return 503, error_dict(upload.name, str(e))
        body = ranking_to_dict(upload.name, ranking)
        if self.cfg.save_uploads:
            save_upload(Path(self.cfg.save_uploads), upload.data, body)
        return 200, body


def save_upload(folder: Path, data: bytes, body: dict) -> Path:
    """Keep ``data`` as ``<sha256>.<format>`` with ``<sha256>.json`` (the predictions) beside
    it; names come from the content only. Returns the image's path."""
    from PIL import Image, UnidentifiedImageError

    digest = hashlib.sha256(data).hexdigest()
    try:
        fmt = (Image.open(io.BytesIO(data)).format or "bin").lower()  # header only
    except (UnidentifiedImageError, OSError):
        fmt = "bin"
    folder.mkdir(parents=True, exist_ok=True)
    image = folder / f"{digest}.{fmt}"
    for path, blob in ((image, data), (folder / f"{digest}.json", json.dumps(body).encode())):
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(path)
    return image
