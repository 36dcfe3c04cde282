"""Second pass over a built catalog, on the fetched files: glyph coverage and twins.

For each family, the upright file at weight 400 (or the nearest static weight; a
variable file at wght=400 when there is no static one) is read with fontTools:

- ``glyphs_missing``: its cmap lacks a character of ``A–Z a–z 0–9``, or the glyph
  draws nothing (a blank/placeholder glyph).
- ``twin``: the outlines of those 62 glyphs (components decomposed, coordinates scaled
  to 1000 units per em and rounded) hash the same as an earlier family's; the family
  is folded into that one (kept as an alias). Earlier = catalog order, so a top300
  family wins, then the first id alphabetically (``hind`` before ``hind-siliguri``).
  Only outlines count: faces that differ only in spacing (``lexend``/``lexend-deca``)
  are twins, since the classifier sees one glyph at a time.
- ``twin`` too, drawn (glyphs/twins_drawn.py): the 62 glyphs drawn at 64 px per em
  overlap an earlier kept family's glyph for glyph (ink IoU >= 0.98 each). Script
  families of one superfamily often carry one Latin drawing in slightly different
  outline versions (``noto-serif-tamil``/``noto-serif-bengali``, ``bayon``/``koulen``):
  the hashes differ, no picture can tell them apart.
- ``not_fetched``: no files in the cache (fontsource has no package, or the fetch
  failed); only with ``drop_unfetched``, otherwise the pass stops and says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from glyphs.catalog import Family, FamilyFiles, FontFile, family_files
from glyphs.full_catalog import REQUIRED_TEXT, Dropped, nearest_400
from glyphs.twins_drawn import fold_drawn


class GlyphReadError(RuntimeError):
    """A font file fontTools cannot read."""


@dataclass(frozen=True)
class FoldResult:
    families: tuple[Family, ...]  # kept, catalog order
    dropped: tuple[Dropped, ...]


def upright_400(ff: FamilyFiles) -> tuple[FontFile, dict[str, float]] | None:
    """The file the pass reads and the variable location to read it at."""
    static = [f for f in ff.static if not f.italic and f.weight is not None]
    if static:
        w = nearest_400(tuple(f.weight for f in static))
        return next(f for f in static if f.weight == w), {}
    variable = [f for f in ff.variable if not f.italic]
    if variable:
        best = min(variable, key=lambda f: (len(f.axes), f.path.name))  # wght-only file first
        return best, {"wght": 400.0}
    return None


def glyph_hash(path: Path, location: dict[str, float], index: int = 0) -> tuple[str | None, str]:
    """(sha256 of the outlines of A–Z a–z 0–9, "") or (None, why the glyphs do not qualify).

    Raises GlyphReadError for a file fontTools cannot read."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            cmap = font.getBestCmap() or {}
            missing = [c for c in REQUIRED_TEXT if ord(c) not in cmap]
            if missing:
                return None, f"no glyph for {''.join(missing)!r} in {path.name}"
            axes = {a.axisTag for a in font["fvar"].axes} if "fvar" in font else set()
            loc = {k: v for k, v in location.items() if k in axes} or None
            glyphset = font.getGlyphSet(location=loc)
            scale = 1000.0 / font["head"].unitsPerEm
            digest = hashlib.sha256()
            for ch in REQUIRED_TEXT:
                pen = DecomposingRecordingPen(glyphset)
                glyphset[cmap[ord(ch)]].draw(pen)
                if not pen.value:
                    return None, f"glyph {ch!r} draws nothing in {path.name}"
                digest.update(_canonical(pen.value, scale).encode())
            return digest.hexdigest(), ""
    except (TTLibError, OSError, KeyError, AssertionError, ValueError) as e:
        raise GlyphReadError(f"cannot read {path} ({e})") from e


def _canonical(value: list, scale: float) -> str:
    """Pen operations with coordinates in 1/1000 em, rounded: one line a glyph."""
    ops = []
    for op, args in value:
        # a TrueType qCurveTo may end in None (a contour of off-curve points only)
        pts = ",".join("-" if pt is None else f"{round(pt[0] * scale)} {round(pt[1] * scale)}"
                       for pt in args)
        ops.append(f"{op}:{pts}")
    return ";".join(ops) + "\n"


def _memo_hash(f: FontFile, location: dict[str, float], memo: dict | None) -> tuple[str | None, str]:
    """glyph_hash through ``memo`` ({file key: [digest, why]}), keyed by path, size, mtime."""
    st = f.path.stat()
    key = f"{f.path}|{st.st_size}|{st.st_mtime_ns}|{f.index}|{sorted(location.items())}"
    if memo is not None and key in memo:
        return memo[key][0], memo[key][1]
    try:
        digest, why = glyph_hash(f.path, location, f.index)
    except GlyphReadError as e:
        digest, why = None, str(e)
    if memo is not None:
        memo[key] = [digest, why]
    return digest, why


def fold(families: tuple[Family, ...], cache: Path, drop_unfetched: bool,
         progress=None, memo: dict | None = None) -> FoldResult:
    """Run the pass over ``families`` (catalog order) with files in ``cache``; ``memo``
    (updated in place) keeps each file's hash between runs.

    Raises FileNotFoundError naming the unfetched families unless ``drop_unfetched``."""
    kept: list[Family] = []
    dropped: list[Dropped] = []
    first_of: dict[str, str] = {}  # outline hash -> the id it folds into
    choice_of: dict[str, tuple[FontFile, dict[str, float]]] = {}  # kept id -> the file and location read
    unfetched = []
    for fam in families:
        if progress is not None:
            progress.update(1)
        choice = upright_400(family_files(fam, cache))
        if choice is None:
            unfetched.append(fam.id)
            dropped.append(Dropped(fam.id, "not_fetched", "no upright latin file in the cache"))
            continue
        digest, why = _memo_hash(choice[0], choice[1], memo)
        if digest is None:
            dropped.append(Dropped(fam.id, "glyphs_missing", why))
        elif digest in first_of:
            dropped.append(Dropped(fam.id, "twin", f"A-Z a-z 0-9 outlines identical to {first_of[digest]}'s",
                                   alias_of=first_of[digest]))
        else:
            first_of[digest] = fam.id
            kept.append(fam)
            choice_of[fam.id] = choice
    kept, drawn = fold_drawn(kept, choice_of)
    into = {d.id: d.alias_of for d in drawn}  # a family an earlier twin folded into may itself fold now
    dropped = [replace(d, alias_of=into[d.alias_of], reason=f"{d.reason}, itself drawn like {into[d.alias_of]}'s")
               if d.alias_of in into else d for d in dropped] + drawn
    if unfetched and not drop_unfetched:
        shown = ", ".join(unfetched[:10]) + (" ..." if len(unfetched) > 10 else "")
        raise FileNotFoundError(f"{len(unfetched)} families have no files in {cache} ({shown}): "
                                "run `fonts fetch` for this catalog first, or pass --drop-unfetched")
    return FoldResult(tuple(kept), tuple(dropped))
