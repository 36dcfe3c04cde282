"""How readings of the same ink compete (segmentation.read): the evidence for a reading.

A reading's score is recogniser confidence x the ink it explains x its plausibility (letters
read against the crop's letter-sized ink pieces). With a judge, the glyph model's likeness
(how much its glyphs look like the letters read, 0-1) multiplies it wherever another pass
reads the same ink, and a turned reading counts TURNED_PRIOR. The recogniser alone reads
upright short words turned as other letters with confidence ('No5' as 'GoN' 0.99, 'Gym'
sideways as one '3' 0.99); measured on the benchmark's short and scene splits and on the
robustness bench's turned and curved kinds (bench/results/benchmark-2026-12-01-top300).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from segmentation.orient import CONFLICT, Scored, overlap
from segmentation.types import ReadChunk

PARTS_PER_LETTER = 0.7  # letters per letter-sized ink component a plausible reading has at least (breaks)
BENT_TRUST = 0.25  # a bent line's straightened reading wins unless the other is 4x as plausible
# With a judge, a reading of the text turned (upside down, sideways) counts half: upright text is the norm.
# Measured with the likeness, on the benchmark's short and scene splits and the robustness bench's turned
# kinds; without it, recogniser confidence and the hanging test decide as before (no prior).
TURNED_PRIOR = 0.5
TURNED_PASSES = (1, 2, 3)  # sources of the readings upside down (1) and sideways (2, 3)
# Letters found hollow are read as drawn only when that reading is this many times as plausible and alike
# (as_drawn_wins). Measured (drawn / filled): 160 drawn outline pictures (bench/robust_draw, seed 0) 0.82-1.50,
# only 4 over 1.1; inline, engraved and thin script faces the ring test took for hollow (Rye, Shizuru,
# Diplomata, Rubik Broken Fax, Playwrite models; beyond-300 pictures) 1.46-32. Set from these same pictures.
# Re-measured once filled hairlines kept their middle line (segmentation.hollow._middle; filled readings
# look more like letters): the outline kinds' 180 readings 0.16-1.50, two over 1.15 (1.18, 1.50); 16 readings
# of 8 inline faces at 56 px 0.62-10.4, 12 over 1.15 (Rye's 'Gift Shop' 1.35 -> 1.17).
DRAWN_TRUST = 1.15
LIKENESS_FLOOR = 0.05  # a reading whose glyphs look like none of its letters still counts this much

Judge = Callable[[ReadChunk], float]  # 0-1: how much a reading's glyphs look like the letters read


def scored(chunk: ReadChunk, source: int, doubt: float = 1.0) -> Scored:
    """Confidence x ink x plausibility: the reading that explains most of the picture's ink,
    best, wins. Ink (the crop's ink pixels), not the footprint's area: crops of different
    passes carry different margins (a tall box's margin is a share of its height), and the
    reading of the larger box would win for its paper. A reading of far fewer letters than
    the crop has letter-sized ink components (a sideways word read as one tall '3') is
    implausible: plausibility is min(1, letters / (PARTS_PER_LETTER x components)) squared
    (not squared, 'Gym' read sideways as '3' at 0.99 still beat 'Gym' read at 0.36)."""
    import cv2

    _, bw = cv2.threshold(chunk.gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)  # no blur: crops of any size alike
    ink = float(max(1, int(bw.sum())))
    return Scored(chunk, chunk.box, plausible(chunk) * ink * doubt, source)


def plausible(chunk: ReadChunk) -> float:
    """Recogniser confidence x plausibility (letters read against letter-sized ink components,
    scored)."""
    letters = sum(not c.isspace() for c in chunk.text)
    return chunk.confidence * (min(1.0, letters / (PARTS_PER_LETTER * chunk.parts)) ** 2 if chunk.parts else 1.0)


def bent_wins(bent: ReadChunk, plain: ReadChunk, judge: Judge | None, timings: dict[str, float]) -> bool:
    """Whether a line's reading laid straight beats its reading as it stands: plausibility
    (plausible), times, with a judge, how much each reading's glyphs look like its letters."""
    a, b = plausible(bent), plausible(plain)
    if judge is not None:
        a *= _likeness(judge, bent, timings)
        b *= _likeness(judge, plain, timings)
    return a >= BENT_TRUST * b


def as_drawn_wins(drawn: ReadChunk, filled: ReadChunk, judge: Judge, timings: dict[str, float]) -> bool:
    """Whether letters found hollow (segmentation.hollow) are better read and cut as drawn than
    filled: plausibility times how much the glyphs look like the letters read, as bent_wins.
    Inline and engraved designs (Rye, a western face with a white line inside every stroke) look
    hollow to the ring test, and filling them left slivers of each letter: a clean picture of Rye
    matched its own font at cosine 0.25 and was ranked 871st; truly hollow letters read as drawn
    are misread ('Di0 [E#XTEUD)' for BIG WEEKEND) or look like no letter, so filling wins there."""
    a = plausible(drawn) * _likeness(judge, drawn, timings)
    return a > DRAWN_TRUST * plausible(filled) * _likeness(judge, filled, timings)


def _likeness(judge: Judge, chunk: ReadChunk, timings: dict[str, float]) -> float:
    return max(LIKENESS_FLOOR, _timed_judge(judge, chunk, timings))


def judged(cands: list[Scored], judge: Judge, timings: dict[str, float]) -> list[Scored]:
    """Candidates whose footprint competes with another pass's reading, their score times
    how much their glyphs look like the letters read (the judge) and, for turned readings,
    TURNED_PRIOR: a word read upside down or sideways as other letters is often read
    confidently, but its glyphs look like no font's letters. Readings nothing competes
    with are left as they are (no cost)."""
    out = []
    for c in cands:
        if any(o.source != c.source and overlap(o.box, c.box) > CONFLICT for o in cands):
            prior = TURNED_PRIOR if c.source in TURNED_PASSES else 1.0
            c = replace(c, score=c.score * prior * _likeness(judge, c.item, timings))
        out.append(c)
    return out


def _timed_judge(judge: Judge, chunk: ReadChunk, timings: dict[str, float]) -> float:
    t0 = time.perf_counter()
    out = float(judge(chunk))
    timings["judge"] = timings.get("judge", 0.0) + time.perf_counter() - t0
    return out
