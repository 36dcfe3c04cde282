"""EasyOCR reading in every direction the evidence asks for.

1. Detect (CRAFT) and read each box upright; lines at an angle are warped upright
   from their quadrilaterals first (segmentation.orient.quad_view).
2. Boxes read weakly (recogniser confidence under ``cfg.weak_confidence``), or whose
   letters hang from a common top line instead of standing on a common baseline
   (orient.hangs: upside-down text, which the recogniser often reads confidently as
   other letters: its upright reading then counts HANG_DOUBT), are also read turned
   180°: cheap, the boxes are the same.
3. When tall boxes (height > 1.5 x width) cover a good part of the text, or nothing was
   read confidently, the picture turned 90° is detected again and each of its boxes read
   both ways (90° and 270°). A line bent along an arc or a wave is read laid straight
   (segmentation.bend); its direction comes from its shape, so passes 2 and 3 ask more
   doubt of it (segmentation.passes.sure). Words of one bent line, boxed apart, are also
   read as one (pass 5).
4. All readings compete for the picture's area (orient.select_chunks): per piece of
   the picture, the reading with the highest confidence x ink x plausibility wins; with
   a judge (the glyph model), times how much its glyphs look like the letters read, a
   turned reading counting evidence.TURNED_PRIOR (people's pictures hold upright text far more
   often): the recogniser reads upright short words turned as other letters with
   confidence ('No5' as 'GoN' 0.99, 'Gym' sideways as '3' 0.99).

An upright line read confidently costs exactly what it did before (step 1 only).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from segmentation.config import SegmentConfig
from segmentation.evidence import Judge, as_drawn_wins, bent_wins, judged, scored
from segmentation.orient import (
    CONFLICT,
    SKEW_MIN,
    SKEW_RANGE,
    Scored,
    View,
    footprint,
    hangs,
    inside,
    mapped,
    overlap,
    quad_angle,
    quad_view,
    rot90_points,
    select_chunks,
    skew,
    turned_180,
    turned_quad,
)
from segmentation.passes import letter_parts, sure, try_sideways
from segmentation.types import Box, ReadChunk

SKEW_AGREE = 5.0  # degrees between the ink's and the detector's angle of a line for the ink to be used
STACK_DOUBT = 0.5  # a sideways reading of letters centred one per row counts half against the stacked one
HANG_DOUBT = 0.5  # an upright reading of letters that hang (orient.hangs) counts half against the turned one
EFFECT_HEIGHTS = (48, 64)  # recogniser heights also tried on filled hollow letters
SHADOW_DOUBT = 0.5  # a crop without its "shadow" is kept unless it reads under this x as confidently as with it



def read_easyocr(rgb: np.ndarray, gray: np.ndarray, cfg: SegmentConfig,
                 timings: dict[str, float], judge: Judge | None = None) -> list[ReadChunk]:
    """Readings of every text box of the picture, each turned upright. rgb (H, W, 3) and
    gray (H, W) uint8 of the same picture. ``judge`` (optional) says how much a reading's
    glyphs look like the letters read; readings of one piece of ink in different
    directions then compete on it too (evidence.judged)."""
    from segmentation import easyocr_backend as eb

    engine = _timed(timings, "load", eb.get_engine, cfg.engine, cfg.num_threads)  # TorchOcr | OnnxOcr
    with engine.threads(cfg.num_threads):
        views, first, cfg = _first_reads(engine, rgb, gray, cfg, timings, judge)
        hanging = [cfg.orientations and c is not None and c.map_xy is None and hangs(_as_read(v, c))
                   for v, c in zip(views, first, strict=True)]
        cands = [scored(c, 0, HANG_DOUBT if h else 1.0) for c, h in zip(first, hanging, strict=True) if c is not None]
        weak = [v for v, c, h in zip(views, first, hanging, strict=True) if h or not sure(c, cfg)]
        if cfg.orientations:
            cands += _bent_whole(engine, gray, views, cfg, timings)
            cands += [scored(c, 1) for v in weak if (c := _read(engine, turned_180(v), cfg, timings, judge))]
            stacks, signs = _stacks(engine, gray, views, cfg, timings, judge)
            cands += stacks
            if try_sideways(views, first, cands, cfg):
                plain_rgb, plain_gray = _timed(timings, "effects", _without_rules, rgb, gray, views, cfg)
                cands += [_doubted(c, signs) for c in _sideways(engine, plain_rgb, plain_gray, cfg, timings, judge)]
    return select_chunks(judged(cands, judge, timings) if judge is not None else cands)


def _as_read(view: View, chunk: ReadChunk) -> View:
    """The view with the crop its reading was cut from (ruled lines removed, hollow letters
    filled: a strike-through joins every letter into one shape, which neither stands nor
    hangs)."""
    return replace(view, gray=chunk.gray) if chunk.gray.shape == view.gray.shape else view


def _first_reads(engine: Any, rgb: np.ndarray, gray: np.ndarray, cfg: SegmentConfig,
                 timings: dict[str, float], judge: Judge | None = None) -> tuple[list[View], list[ReadChunk | None], SegmentConfig]:
    """Upright views and their readings. A cheap first detection (cfg.detect_first_scale < 1)
    stands only when every view reads at least cfg.weak_confidence; otherwise the picture is
    detected again at full scale, and the config returned (for the other passes) says so."""
    views = _views(engine, rgb, gray, cfg, timings)
    first = [_read(engine, v, cfg, timings, judge) for v in views]
    if cfg.detect_first_scale < 1.0 and (not first or any(c is None or c.confidence < cfg.weak_confidence
                                                         for c in first)):
        cfg = replace(cfg, detect_first_scale=1.0)
        views = _views(engine, rgb, gray, cfg, timings)
        first = [_read(engine, v, cfg, timings, judge) for v in views]
    return views, first, cfg


def _views(engine: Any, rgb: np.ndarray, gray: np.ndarray, cfg: SegmentConfig,
           timings: dict[str, float]) -> list[View]:
    """Upright views of every detected box (quads warped upright) in ``gray``'s pixels."""
    from segmentation import easyocr_backend as eb

    boxes, quads = _timed(timings, "detect", eb.detect_regions, engine, rgb, cfg)
    views = [upright_view(gray, b, cfg.crop_margin) for b in boxes]
    if cfg.orientations:
        views += [_quad_view(gray, q, cfg) for q in quads]
    else:
        views += [upright_view(gray, eb._quad_box(q, gray.shape), cfg.crop_margin) for q in quads]
    return views


def _quad_view(gray: np.ndarray, quad: np.ndarray, cfg: SegmentConfig) -> View:
    """A line at an angle, upright. The detector's quad angle is trusted for steep lines;
    lines under SKEW_RANGE degrees are levelled by their own ink when ink and quad agree
    within SKEW_AGREE degrees (a script word's descenders tilt its quad), and read as they
    stand otherwise or when they lean under SKEW_MIN."""
    from segmentation import easyocr_backend as eb
    from segmentation.chars import ink_mask

    if abs(quad_angle(quad)) > SKEW_RANGE:
        return quad_view(gray, quad, cfg.crop_margin)
    box = eb._quad_box(quad, gray.shape)
    view = upright_view(gray, box, cfg.crop_margin)
    angle = skew(ink_mask(view.gray) & inside(quad, view.origin, view.gray.shape))
    if abs(angle) < SKEW_MIN or abs(angle - quad_angle(quad)) > SKEW_AGREE:
        return view  # level, or the ink and the detector disagree (short words): as it stands
    return quad_view(gray, turned_quad(quad, angle), cfg.crop_margin)


def upright_view(gray: np.ndarray, box: Box, margin: float) -> View:
    """The box with a margin (a fraction of its height), as it stands in the picture."""
    from glyphs.normalize import to_dark_on_light

    m = int(round(margin * (box[3] - box[1])))
    h, w = gray.shape[:2]
    x0, y0, x1, y1 = max(0, box[0] - m), max(0, box[1] - m), min(w, box[2] + m), min(h, box[3] + m)
    return View(to_dark_on_light(gray[y0:y1, x0:x1]), (x0, y0), (box[1] - y0, box[3] - y0))


def _read(engine: Any, view: View, cfg: SegmentConfig, timings: dict[str, float],
          judge: Judge | None = None) -> ReadChunk | None:
    """Read one view and cut its characters; None when nothing legible was read. Letters
    read one at a time because they are spaced far apart are closed up and read again
    (segmentation.spacing); the more confident reading is kept. A line bent along an arc
    or a wave is also read laid straight (segmentation.bend); that reading wins
    unless the reading as it stands is over 1 / evidence.BENT_TRUST times as plausible:
    the recogniser reads bent letters wrongly with confidence (drawn arcs: 'M' 0.999 for the
    straightened 'Menu' 0.49)."""
    from segmentation.bend import bent_view
    from segmentation.spacing import close_spacing, spelled_out

    chunk = _read_view(engine, view, cfg, timings, judge)
    if cfg.effects and chunk is not None and spelled_out(chunk.text):
        tight = _timed(timings, "effects", close_spacing, view)
        again = _read_view(engine, tight, cfg, timings) if tight is not None else None
        if again is not None and again.confidence > chunk.confidence:
            chunk = again
    if cfg.orientations:  # a line on an arc or a wave is also read laid straight
        bent = _timed(timings, "orient", bent_view, view)
        again = _read_view(engine, bent, cfg, timings) if bent is not None else None
        if again is not None and (chunk is None or bent_wins(again, chunk, judge, timings)):
            chunk = replace(again, bent=True)
    return chunk


def _read_view(engine: Any, view: View, cfg: SegmentConfig, timings: dict[str, float],
               judge: Judge | None = None) -> ReadChunk | None:
    """Read one view as it is and cut its characters; None when nothing legible was read.

    Ruled lines through the text are removed first (_read_unruled). A crop with its drop shadow
    removed (segmentation.effects) is kept unless it reads under SHADOW_DOUBT x as confidently as
    the crop as it is; hollow letters are also read filled (segmentation.hollow), and the more
    confident reading is kept. With a ``judge``, letters found hollow are also cut as drawn, and that
    cut wins when it looks much more like its letters (evidence.as_drawn_wins: inline designs)."""
    from glyphs.normalize import to_dark_on_light
    from segmentation import easyocr_backend as eb
    from segmentation.effects import remove_shadow
    from segmentation.hollow import fill_outlines

    crop = to_dark_on_light(view.gray) if view.map_xy is not None else view.gray  # (h, w) uint8
    fixed = _timed(timings, "effects", remove_shadow, crop, view.core) if cfg.effects else None
    crop, reading, effects = _read_unruled(engine, crop, view.core, cfg, timings)
    if fixed is not None:  # a shadow found: read without it, kept unless it reads far worse (photos fool the test)
        fixed, again, rules = _read_unruled(engine, fixed, view.core, cfg, timings)
        if again.confidence >= SHADOW_DOUBT * reading.confidence:
            crop, reading, effects = fixed, again, rules + ("shadow",)
    filled = _timed(timings, "effects", fill_outlines, crop, view.core) if cfg.effects else None
    if filled is None:
        return _with_effects(_cut_chunk(view, crop, reading, cfg, timings), effects)
    best = reading  # hollow letters: glyphs are cut solid, as the glyph model knows letters
    tries = [(filled.reading, h) for h in sorted({cfg.recog_height, *EFFECT_HEIGHTS})]
    tries += [(filled.glyphs, cfg.recog_height)]
    for img, height in tries:  # filled letters read best at various heights and thicknesses
        second = _timed(timings, "recognize", eb.recognize, engine, img, height, cfg.lexicon_margin)
        best = second if second.confidence > best.confidence else best  # the surest, hollow or filled
    chunk = _cut_chunk(view, filled.glyphs, best, cfg, timings, filled.inner)
    if judge is not None and chunk is not None:  # found hollow: or an inline design?
        drawn = _cut_chunk(view, crop, reading, cfg, timings)
        if drawn is not None and as_drawn_wins(drawn, chunk, judge, timings):
            return _with_effects(drawn, effects)
    return _with_effects(chunk, effects)


def _with_effects(chunk: ReadChunk | None, effects: tuple[str, ...]) -> ReadChunk | None:
    return replace(chunk, effects=effects) if chunk is not None and effects else chunk


def _cut_chunk(view: View, crop: np.ndarray, reading: Any, cfg: SegmentConfig, timings: dict[str, float],
               alt_gray: np.ndarray | None = None) -> ReadChunk | None:
    """The reading's characters cut in ``crop`` (h, w) uint8; None when it is not legible."""
    from segmentation.chars import segment_crop

    if reading.confidence < cfg.min_confidence or not reading.text.strip():
        return None
    chars = _timed(timings, "segment", segment_crop, crop, reading.text, reading.starts,
                   reading.char_conf, view.core)
    return ReadChunk(footprint(view), view.origin, crop, reading.text, reading.confidence, tuple(chars),
                     view.map_xy, view.rotation, letter_parts(crop, view.core), alt_gray=alt_gray)


def _read_unruled(engine: Any, crop: np.ndarray, core: tuple[int, int], cfg: SegmentConfig,
                  timings: dict[str, float]) -> tuple[np.ndarray, Any, tuple[str, ...]]:
    """(crop, reading, rules): the crop read without its ruled lines (segmentation.effects.remove_rules)
    where it has any. What the rule hid is drawn back both ways (an o left open, an e's bar
    closed); the surer reading wins, and its crop is the one glyphs are cut from. ``rules``: the
    lines removed when that reading won ('underline', 'line-through'; effects.rule_kinds), else ()."""
    from segmentation import easyocr_backend as eb
    from segmentation.effects import remove_rules, rule_kinds

    tries = [crop]
    if cfg.effects and (opened := _timed(timings, "effects", remove_rules, crop, core)) is not None:
        tries = [opened, _timed(timings, "effects", remove_rules, crop, core, True)]
    best = None
    for img in tries:
        reading = _timed(timings, "recognize", eb.recognize, engine, img, cfg.recog_height, cfg.lexicon_margin)
        if best is None or reading.confidence > best[1].confidence:
            best = (img, reading)
    rules = _timed(timings, "effects", rule_kinds, crop, core) if best[0] is not crop else ()
    return best[0], best[1], rules


def _bent_whole(engine: Any, gray: np.ndarray, views: list[View], cfg: SegmentConfig,
                timings: dict[str, float]) -> list[Scored]:
    """The words of one bent line, read as one (pass 5). On an arc the detector boxes each
    word apart, and each crop holds a word bent less than the line and pieces of its
    neighbours' letters; when all the boxes together hold one bent line, it is laid
    straight and read whole. Only for boxes side by side (_stacked: not a block of lines);
    costs one ink fit."""
    from segmentation.bend import bent_view

    boxes = [footprint(v) for v in views]
    if len(boxes) < 2 or _stacked(boxes):
        return []
    union = _union_box(boxes)
    whole = upright_view(gray, union, 0.0)
    bent = _timed(timings, "orient", bent_view, whole)
    chunk = _read_view(engine, bent, cfg, timings) if bent is not None else None
    return [scored(replace(chunk, bent=True), 5)] if chunk is not None else []


def _stacked(boxes: list[Box]) -> bool:
    """Whether any two boxes stand one above the other (x ranges sharing over half of the
    narrower, y ranges under a third of the lower): lines of a block of text, not the
    words of one line."""
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            x_shared = min(a[2], b[2]) - max(a[0], b[0])
            y_shared = min(a[3], b[3]) - max(a[1], b[1])
            if x_shared > 0.5 * min(a[2] - a[0], b[2] - b[0]) and y_shared < min(a[3] - a[1], b[3] - b[1]) / 3:
                return True
    return False


def _union_box(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _stacks(engine: Any, gray: np.ndarray, views: list[View], cfg: SegmentConfig,
            timings: dict[str, float], judge: Judge | None = None) -> tuple[list[Scored], list[Box]]:
    """Readings of tall columns of upright boxes as letters stacked one per row (pass 4), and
    the boxes of the columns whose rows are centred as a sign's letters are (stack.centred)."""
    from segmentation.chars import ink_mask
    from segmentation.stack import centred, columns, grown, lowered, stack_view

    boxes = [footprint(v) for v in views if v.map_xy is None]
    out, signs = [], []
    cols = columns(boxes)
    ink = ink_mask(upright_view(gray, (0, 0, gray.shape[1], gray.shape[0]), 0.0).gray) if cols else None
    for col in cols:
        stack = stack_view(upright_view(gray, grown(col, ink), 0.0))
        chunk = _read(engine, stack.view, cfg, timings, judge) if stack is not None else None
        if chunk is not None:
            out.append(scored(lowered(chunk, stack), 4))
        if stack is not None and centred(stack):
            signs.append(footprint(stack.view))
    return out, signs


def _doubted(cand: Scored, signs: list[Box]) -> Scored:
    """A sideways reading of a column whose letters are centred one per row counts
    STACK_DOUBT: the recogniser reads stacked letters turned 90 degrees as confident
    nonsense ('BooN' 0.99 for a stacked 'Zoom')."""
    if any(overlap(cand.box, s) > CONFLICT for s in signs):
        return replace(cand, score=cand.score * STACK_DOUBT)
    return cand


def _without_rules(rgb: np.ndarray, gray: np.ndarray, views: list[View],
                   cfg: SegmentConfig) -> tuple[np.ndarray, np.ndarray]:
    """The picture with the ruled lines found in its upright boxes painted out (copies; the
    inputs when there are none). A strike-through turned sideways runs across the letters
    and joins them into one shape that the recogniser reads as a '3' or '#'; the upright
    boxes know it for a ruled line (segmentation.effects.rule_mask)."""
    from segmentation.chars import ink_mask
    from segmentation.effects import rule_mask

    if not cfg.effects:
        return rgb, gray
    out_rgb, out_gray = rgb, gray
    for v in views:
        if v.map_xy is not None:
            continue
        ink = ink_mask(v.gray)
        rule = rule_mask(v.gray, v.core, ink)
        if rule is None or (~ink).sum() == 0:
            continue
        if out_gray is gray:
            out_rgb, out_gray = rgb.copy(), gray.copy()
        (x0, y0), (h, w) = v.origin, v.gray.shape
        for img in (out_rgb, out_gray):
            crop = img[y0:y0 + h, x0:x0 + w]
            crop[rule] = np.median(crop[~ink], axis=0).astype(img.dtype)  # the paper's colour
    return out_rgb, out_gray


def _sideways(engine: Any, rgb: np.ndarray, gray: np.ndarray, cfg: SegmentConfig,
              timings: dict[str, float], judge: Judge | None = None) -> list[Scored]:
    """Readings of the picture turned 90° counterclockwise, each box read both ways up,
    mapped back to the input's pixels (passes 2 and 3)."""
    turn = rot90_points(gray.shape)
    views = _views(engine, np.ascontiguousarray(np.rot90(rgb, 1)), np.ascontiguousarray(np.rot90(gray, 1)),
                   cfg, timings)
    out = []
    for v in views:
        back = mapped(v, turn, 270.0)  # upright in the turned copy: turned clockwise in the picture
        for source, view in ((2, back), (3, turned_180(back))):
            chunk = _read(engine, view, cfg, timings, judge)
            if chunk is not None:
                out.append(scored(chunk, source))
    return out


def _timed(timings: dict[str, float], name: str, fn: Callable[..., Any], *args: Any) -> Any:
    t0 = time.perf_counter()
    out = fn(*args)
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return out
