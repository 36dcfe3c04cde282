"""segment(image) -> Segmentation: find text, read it, cut it into normalised glyphs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from glyphs.labels import NormSettings
from segmentation.chars import CharBox
from segmentation.config import SegmentConfig
from segmentation.image import load_image
from segmentation.orient import View, reading_frame, to_image
from segmentation.types import Box, Glyph, ReadChunk, Segmentation, Word

BACKENDS = ("easyocr", "tesseract")
CURVE_OVERLAP = 0.5  # words at an angle share a line when their rows overlap this much (segment.group_lines)


class SegmentationError(RuntimeError):
    """segment() was called with settings it cannot honour (e.g. an unknown backend)."""


Likeness = Callable[[np.ndarray, list[str]], np.ndarray]  # (N, S, S) glyphs, N letters -> (N,) 0-1


def segment(
    image: Any, *, norm: NormSettings = NormSettings(), backend: str | None = None,
    config: SegmentConfig = SegmentConfig(), likeness: Likeness | None = None,
) -> Segmentation:
    """Read the text in ``image`` and cut every character into a normalised Glyph.

    ``image`` is ideally the (H, W, 3) uint8 array from load_image (anything
    load_image accepts also works). ``backend`` (default: config.backend) is
    "easyocr" or "tesseract". No text found is an empty Segmentation.
    ``likeness`` (optional, from the glyph model: pipeline.trust.letter_agreement)
    says how much each glyph looks like the letter read; readings of the same ink in
    different directions (upright, upside down, sideways, laid straight) then compete
    on it as well as on the recogniser's confidence (segmentation.read).
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
        if config.detect_as_given:  # a tight crop of large text needs no enlarging to be found
            config = replace(config, detect_first_scale=min(config.detect_first_scale, 1.0 / factor))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # (H, W) uint8
    if backend == "easyocr":
        judge = chunk_judge(likeness, norm) if likeness is not None else None
        chunks = _read_easyocr(rgb, gray, config, timings, judge)
    else:
        from segmentation.tesseract_backend import read_tesseract

        chunks = _timed(timings, "ocr", read_tesseract, gray, config)
    seg = _timed(timings, "normalize", _assemble, chunks, norm, timings, config.orientations)
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

    glyphs = tuple(replace(g, box=box(g.box), upright_box=None if g.upright_box is None else box(g.upright_box))
                   for g in seg.glyphs)
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
                  timings: dict[str, float], judge: Callable[[ReadChunk], float] | None) -> list[ReadChunk]:
    from segmentation.read import read_easyocr

    return read_easyocr(rgb, gray, cfg, timings, judge)


def chunk_judge(likeness: Likeness, norm: NormSettings) -> Callable[[ReadChunk], float]:
    """A reading -> the mean likeness (0-1) of its glyphs, cut as segment() cuts them; 0 for
    a reading with no glyph."""
    def judge(chunk: ReadChunk) -> float:
        glyphs = [g for chars in _split_words(chunk) for g in _word_glyphs(chunk, chars, norm, 0, 0)]
        if not glyphs:
            return 0.0
        return float(np.mean(likeness(np.stack([g.image for g in glyphs]), [g.char for g in glyphs])))

    return judge


def group_lines(boxes: list[Box], overlap: float | None = None) -> list[int]:
    """Line index of each box: boxes whose vertical centres overlap share a line (top to bottom).

    With ``overlap``, a box also joins a line whose row range it shares by at least that
    share of the shorter one (words along a curve, whose boxes step up and down)."""
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1] + boxes[i][3]) / 2)
    lines: list[list[int]] = []
    for i in order:
        x0, y0, x1, y1 = boxes[i]
        cy = (y0 + y1) / 2
        for line in lines:
            ly0 = float(np.median([boxes[j][1] for j in line]))
            ly1 = float(np.median([boxes[j][3] for j in line]))
            shared = min(y1, ly1) - max(y0, ly0)
            if (ly0 <= cy <= ly1 and y0 <= (ly0 + ly1) / 2 <= y1) or (
                    overlap is not None and shared >= overlap * min(y1 - y0, ly1 - ly0)):
                line.append(i)
                break
        else:
            lines.append([i])
    out = [0] * len(boxes)
    for n, line in enumerate(lines):
        for i in line:
            out[i] = n
    return out


def _assemble(chunks: list[ReadChunk], norm: NormSettings, timings: dict[str, float],
              straighten: bool = True) -> Segmentation:
    """Chunks -> words and glyphs in reading order (lines top to bottom, left to right);
    with ``straighten``, letters of curved words are turned upright (segmentation.curve)."""
    line_of = _lines_by_direction(chunks)
    frames = [reading_frame(c.box, _direction(c.rotation)) for c in chunks]
    order = sorted(range(len(chunks)), key=lambda i: (line_of[i], frames[i][0]))
    words: list[Word] = []
    glyphs: list[Glyph] = []
    line_boxes: dict[int, Box] = {}
    for i in order:
        chunk, line = chunks[i], line_of[i]
        for word_chars in _split_words(chunk):
            new = _word_glyphs(chunk, word_chars, norm, len(words), line, straighten)
            if not new:
                continue
            wbox = _union([g.box for g in new])
            ids = tuple(range(len(glyphs), len(glyphs) + len(new)))
            words.append(Word("".join(g.char for g in new), wbox, chunk.confidence, line, ids,
                              round(float(chunk.rotation), 1), chunk.bent, chunk.effects))
            glyphs.extend(new)
            line_boxes[line] = _union([line_boxes[line], wbox]) if line in line_boxes else wbox
    # Renumber lines densely (a line may have lost all its words).
    dense = {old: n for n, old in enumerate(sorted(line_boxes))}
    words = [replace(w, line_index=dense[w.line_index]) for w in words]
    glyphs = [_relined(g, dense[g.line_index]) for g in glyphs]
    text = "\n".join(" ".join(w.text for w in words if w.line_index == n) for n in range(len(dense)))
    lines = tuple(line_boxes[old] for old in sorted(line_boxes))
    return Segmentation(text, tuple(words), tuple(glyphs), lines, timings)


def _lines_by_direction(chunks: list[ReadChunk]) -> list[int]:
    """Line index of each chunk: lines are found per reading direction (nearest quarter
    turn), in a frame levelled by that direction's mean angle (upright lines first)."""
    out = [0] * len(chunks)
    offset = 0
    for d in sorted({_direction(c.rotation) for c in chunks}):
        ix = [i for i, c in enumerate(chunks) if _direction(c.rotation) == d]
        t = np.radians([chunks[i].rotation for i in ix])
        mean = float(np.degrees(np.arctan2(np.sin(t).mean(), np.cos(t).mean())))
        frames = [reading_frame(chunks[i].box, mean) for i in ix]
        level = all(abs(((chunks[i].rotation - d) + 180.0) % 360.0 - 180.0) < 1.0 for i in ix)
        lines = group_lines([tuple(int(round(v)) for v in f) for f in frames], None if level else CURVE_OVERLAP)
        for i, ln in zip(ix, lines, strict=True):
            out[i] = offset + ln
        offset += max(lines) + 1
    return out


def _direction(rotation: float) -> int:
    """The nearest quarter turn (0, 90, 180, 270) of a rotation in degrees."""
    return int(round(rotation / 90.0)) % 4 * 90


def _split_words(chunk: ReadChunk) -> list[list[CharBox]]:
    words: dict[int, list[CharBox]] = {}
    for c in chunk.chars:
        words.setdefault(c.word, []).append(c)
    return [words[k] for k in sorted(words)]


def _word_glyphs(chunk: ReadChunk, chars: list[CharBox], norm: NormSettings, word_index: int,
                 line: int, straighten: bool = True) -> list[Glyph]:
    from glyphs.normalize import estimate_line_metrics, normalize_glyph
    from segmentation.curve import baseline_curve, upright_letters

    boxes, letters = [c.box for c in chars], [c.char for c in chars]
    curve = baseline_curve(boxes, letters) if straighten else None
    cut = upright_letters(chunk.gray, boxes, curve) if curve is not None else [(chunk.gray, b) for b in boxes]
    metrics = estimate_line_metrics([b for _, b in cut], letters)
    view = View(chunk.gray, chunk.origin, (0, 0), chunk.map_xy, chunk.rotation)
    alts = _inner_glyphs(chunk, boxes, letters, norm) if curve is None else None
    out = []
    for k, (c, (src, cbox)) in enumerate(zip(chars, cut, strict=True)):
        img = normalize_glyph(src, cbox, metrics, norm)  # (S, S) uint8
        box = to_image(view, c.box)
        out.append(Glyph(c.char, box, round(c.confidence, 4), word_index, line, img, c.method,
                         None if alts is None else alts[k]))
    if chunk.bent and _direction(chunk.rotation) == 0:
        up = upright_boxes([b for _, b in cut], [g.box for g in out], _scale(chunk.map_xy))
        out = [replace(g, upright_box=u) for g, u in zip(out, up, strict=True)]
    return out


def upright_boxes(frame: list[Box], picture: list[Box], scale: float) -> list[Box]:
    """A word's letter boxes in its upright frame (``frame``: boxes in the laid-straight crop of a bent
    line, segmentation.bend; px of that crop) at the picture's scale (``scale`` picture px
    per crop px) and moved so that their union starts where the ``picture`` boxes' union does."""
    f, p = np.asarray(frame, np.float64), np.asarray(picture, np.float64)
    ox, oy = p[:, 0].min() - scale * f[:, 0].min(), p[:, 1].min() - scale * f[:, 1].min()
    return [(int(round(ox + scale * b[0])), int(round(oy + scale * b[1])),
             int(round(ox + scale * b[2])), int(round(oy + scale * b[3]))) for b in f]


def _scale(map_xy: np.ndarray | None) -> float:
    """Picture px per crop px along the crop's rows (1.0 without a map)."""
    if map_xy is None:
        return 1.0
    step = np.linalg.norm(np.diff(map_xy, axis=1), axis=-1)  # (h, w-1)
    step = step[np.isfinite(step)]
    return float(np.median(step)) if step.size else 1.0


def _inner_glyphs(chunk: ReadChunk, boxes: list[Box], letters: list[str], norm: NormSettings) -> list | None:
    """(S, S) uint8 glyphs of hollow letters filled to their outline's inner edge
    (chunk.alt_gray), each cut at its own ink's box within its letter's box (the letters are
    smaller than in chunk.gray by the outline's width, and so are the line's metrics);
    None without such a crop."""
    from glyphs.normalize import estimate_line_metrics, normalize_glyph

    alt = chunk.alt_gray
    if alt is None or alt.shape != chunk.gray.shape:
        return None
    ink = alt < (int(alt.min()) + int(alt.max())) / 2.0  # (h, w) bool: painted in two levels
    tight = []
    for b in boxes:
        ys, xs = np.nonzero(ink[b[1]:b[3], b[0]:b[2]])
        tight.append(b if len(xs) == 0 else (b[0] + int(xs.min()), b[1] + int(ys.min()),
                                             b[0] + int(xs.max()) + 1, b[1] + int(ys.max()) + 1))
    metrics = estimate_line_metrics(tight, letters)
    return [normalize_glyph(alt, b, metrics, norm) for b in tight]


def _relined(g: Glyph, line: int) -> Glyph:
    return replace(g, line_index=line)


def _union(boxes: list[Box]) -> Box:
    b = np.asarray(boxes)
    return int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max())
