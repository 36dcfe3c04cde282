"""The `segment` command: what was read in each image and every character box."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from segmentation.config import SegmentConfig


def run_segment(images: list[str], cfg: SegmentConfig, as_json: bool = False,
                overlay: str | None = None) -> int:
    """Exit status: 0 when every image was read, 1 when any could not be (or OCR is unavailable)."""
    from segmentation.easyocr_backend import OcrUnavailableError
    from segmentation.image import ImageError, load_image
    from segmentation.overlay import format_text, save_overlay, segmentation_to_dict
    from segmentation.segment import segment

    status = 0
    for n, path in enumerate(images, 1):
        try:
            rgb = load_image(path, max_pixels=cfg.max_pixels, max_bytes=cfg.max_bytes)
            seg = segment(rgb, config=cfg)
        except ImageError as e:
            status = 1
            _emit(as_json, segmentation_to_dict(path, None, str(e)), f"{path}\n  error: {e}")
            continue
        except OcrUnavailableError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        _emit(as_json, segmentation_to_dict(path, seg), format_text(path, seg))
        if overlay:
            out = save_overlay(rgb, seg, _overlay_path(overlay, n, len(images)))
            print(f"overlay written to {out}", file=sys.stderr)
    return status


def _emit(as_json: bool, obj: dict, text: str) -> None:
    print(json.dumps(obj) if as_json else text, flush=True)


def _overlay_path(base: str, n: int, total: int) -> Path:
    p = Path(base)
    return p if total == 1 else p.with_name(f"{p.stem}-{n}{p.suffix or '.png'}")
