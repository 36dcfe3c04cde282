"""segment(image) -> Segmentation: find text, read it, cut it into normalised glyphs."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from glyphs.labels import NormSettings
from segmentation.chars import CharBox
from segmentation.config import SegmentConfig
from segmentation.image import load_image
from segmentation.types import Box, Glyph, Segmentation, Word

BACKENDS = ("easyocr", "tesseract")


class SegmentationError(RuntimeError):
    """segment() was called with settings it cannot honour (e.g. an unknown backend)."""


@dataclass(frozen=True)
class ReadChunk:
    """One read piece of text (an OCR box: a word or several), before glyphs are cut."""

    box: Box  # detected box in image pixels
    origin: tuple[int, int]  # (x, y) of ``gray``'s top-left corner in the image
    gray: np.ndarray  # (h, w) uint8, dark text on light, full resolution
    text: str
    confidence: float
    chars: tuple[CharBox, ...]  # boxes in ``gray``'s pixels


def segment(
    image: Any, *, norm: NormSettings = NormSettings(), backend: str | None = None,
    config: SegmentConfig = SegmentConfig(),
) -> Segmentation:
    """Read the text in ``image`` and cut every character into a normalised Glyph.

    ``image`` is ideally the (H, W, 3) uint8 array from load_image (anything
    load_image accepts also works). ``backend`` (default: config.backend) is
    "easyocr" or "tesseract". No text found is an empty Segmentation.
    """
    import cv2

    backend = backend or config.backend
    if backend not in BACKENDS:
        raise SegmentationError(f"unknown OCR backend {backend!r}; choose one of {', '.join(BACKENDS)}.")
    timings: dict[str, float] = {}
    rgb = _as_rgb(image, config)
    if min(rgb.shape[:2]) < config.detect_min_side:
        return Segmentation("", (), (), (), timings)
    factor = upscale_factor(rgb.shape, config)
    if factor > 1:  # tiny screenshots: OCR sees them enlarged, boxes come back in input pixels
        rgb = cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # (H, W) uint8
    if backend == "easyocr":
        chunks = _read_easyocr(rgb, gray, config, timings)
    else:
        from segmentation.tesseract_backend import read_tesseract

        chunks = _timed(timings, "ocr", read_tesseract, gray, config)
    seg = _timed(timings, "normalize", _assemble, chunks, norm, timings)
    return _shrink(seg, factor) if factor > 1 else seg


def upscale_factor(shape: tuple[int, ...], config: SegmentConfig) -> int:
    """Integer factor bringing a small image's short side up to config.upscale_below."""
    short = min(shape[:2])
    if short >= config.upscale_below:
        return 1
    return int(min(config.max_upscale, np.ceil(config.upscale_below / short)))


def _shrink(seg: Segmentation, f: int) -> Segmentation:
    """Boxes of a segmentation made on an image enlarged f times, in the input's pixels."""
    def box(b: Box) -> Box:
        return (b[0] // f, b[1] // f, -(-b[2] // f), -(-b[3] // f))

    glyphs = tuple(replace(g, box=box(g.box)) for g in seg.glyphs)
    words = tuple(replace(w, box=box(w.box)) for w in seg.words)
    return Segmentation(seg.text, words, glyphs, tuple(box(b) for b in seg.lines), seg.timings)


def _as_rgb(image: Any, config: SegmentConfig) -> np.ndarray:
    if isinstance(image, np.ndarray) and image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        return image
    return load_image(image, max_pixels=config.max_pixels, max_bytes=config.max_bytes)


def _timed(timings: dict[str, float], name: str, fn: Any, *args: Any) -> Any:
    t0 = time.perf_counter()
    out = fn(*args)
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return out


def _read_easyocr(rgb: np.ndarray, gray: np.ndarray, cfg: SegmentConfig,
                  timings: dict[str, float]) -> list[ReadChunk]:
    from segmentation import easyocr_backend as eb

    engine = _timed(timings, "load", eb.get_engine, cfg.engine, cfg.num_threads)
    with engine.threads(cfg.num_threads):
        boxes = _timed(timings, "detect", eb.detect, engine, rgb, cfg)
        return _read_boxes(engine, gray, boxes, cfg, timings)


def _read_boxes(engine: Any, gray: np.ndarray, boxes: list[Box], cfg: SegmentConfig,
                timings: dict[str, float]) -> list[ReadChunk]:
    from glyphs.normalize import to_dark_on_light
    from segmentation import easyocr_backend as eb
    from segmentation.chars import segment_crop

    chunks = []
    for box in boxes:
        x0, y0, x1, y1 = _expand(box, cfg.crop_margin, gray.shape)
        crop = to_dark_on_light(gray[y0:y1, x0:x1])  # (h, w) uint8
        reading = _timed(timings, "recognize", eb.recognize, engine, crop, cfg.recog_height,
                          cfg.lexicon_margin)
        if reading.confidence < cfg.min_confidence or not reading.text.strip():
            continue
        core = (box[1] - y0, box[3] - y0)
        chars = _timed(timings, "segment", segment_crop, crop, reading.text, reading.starts,
                       reading.char_conf, core)
        chunks.append(ReadChunk(box, (x0, y0), crop, reading.text, reading.confidence, tuple(chars)))
    return chunks


def _expand(box: Box, margin: float, shape: tuple[int, ...]) -> Box:
    m = int(round(margin * (box[3] - box[1])))
    h, w = shape[:2]
    return max(0, box[0] - m), max(0, box[1] - m), min(w, box[2] + m), min(h, box[3] + m)


def group_lines(boxes: list[Box]) -> list[int]:
    """Line index of each box: boxes whose vertical centres overlap share a line (top to bottom)."""
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2)
    lines: list[list[int]] = []
    for i in order:
        x0, y0, x1, y1 = boxes[i]
        cy = (y0 + y1) / 2
        for line in lines:
            ly0 = float(np.median([boxes[j][1] for j in line]))
            ly1 = float(np.median([boxes[j][3] for j in line]))
            if ly0 <= cy <= ly1 and y0 <= (ly0 + ly1) / 2 <= y1:
                line.append(i)
                break
        else:
            lines.append([i])
    out = [0] * len(boxes)
    for n, line in enumerate(lines):
        for i in line:
            out[i] = n
    return out


def _assemble(chunks: list[ReadChunk], norm: NormSettings, timings: dict[str, float]) -> Segmentation:
    """Chunks -> words and glyphs in reading order (lines top to bottom, left to right)."""
    line_of = group_lines([c.box for c in chunks])
    order = sorted(range(len(chunks)), key=lambda i: (line_of[i], chunks[i].box[0]))
    words: list[Word] = []
    glyphs: list[Glyph] = []
    line_boxes: dict[int, Box] = {}
    for i in order:
        chunk, line = chunks[i], line_of[i]
        for word_chars in _split_words(chunk):
            new = _word_glyphs(chunk, word_chars, norm, len(words), line)
            if not new:
                continue
            wbox = _union([g.box for g in new])
            ids = tuple(range(len(glyphs), len(glyphs) + len(new)))
            words.append(Word("".join(g.char for g in new), wbox, chunk.confidence, line, ids))
            glyphs.extend(new)
            line_boxes[line] = _union([line_boxes[line], wbox]) if line in line_boxes else wbox
    # Renumber lines densely (a line may have lost all its words).
    dense = {old: n for n, old in enumerate(sorted(line_boxes))}
    words = [Word(w.text, w.box, w.confidence, dense[w.line_index], w.glyphs) for w in words]
    glyphs = [_relined(g, dense[g.line_index]) for g in glyphs]
    text = "\n".join(" ".join(w.text for w in words if w.line_index == n) for n in range(len(dense)))
    lines = tuple(line_boxes[old] for old in sorted(line_boxes))
    return Segmentation(text, tuple(words), tuple(glyphs), lines, timings)


def _split_words(chunk: ReadChunk) -> list[list[CharBox]]:
    words: dict[int, list[CharBox]] = {}
    for c in chunk.chars:
        words.setdefault(c.word, []).append(c)
    return [words[k] for k in sorted(words)]


def _word_glyphs(chunk: ReadChunk, chars: list[CharBox], norm: NormSettings, word_index: int,
                 line: int) -> list[Glyph]:
    from glyphs.normalize import estimate_line_metrics, normalize_glyph

    metrics = estimate_line_metrics([c.box for c in chars], [c.char for c in chars])
    ox, oy = chunk.origin
    out = []
    for c in chars:
        img = normalize_glyph(chunk.gray, c.box, metrics, norm)  # (S, S) uint8
        box = (c.box[0] + ox, c.box[1] + oy, c.box[2] + ox, c.box[3] + oy)
        out.append(Glyph(c.char, box, round(c.confidence, 4), word_index, line, img, c.method))
    return out


def _relined(g: Glyph, line: int) -> Glyph:
    return Glyph(g.char, g.box, g.ocr_confidence, g.word_index, line, g.image, g.method)


def _union(boxes: list[Box]) -> Box:
    b = np.asarray(boxes)
    return int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max())
