"""Font styles for the benchmark: which file draws a (weight, width, italic),
opened with PIL (FreeType) or described as CSS for the browser.

Independent of ``glyphs.render`` on purpose: test images must not share the
training renderer's code paths beyond the font files themselves.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from fontTools.ttLib import TTFont, TTLibError
from PIL import ImageFont

from glyphs.catalog import FamilyFiles

WIDTH_STEPS = (62.5, 75.0, 87.5, 112.5, 125.0)  # CSS font-stretch keywords, % of normal


class FontStyleError(ValueError):
    """A family without files, or a font file that cannot be opened."""


@dataclass(frozen=True)
class Style:
    """One drawable style: a file and, for variable files, its axis values."""

    path: Path
    weight: int  # 100..1000 (wght value for variable files)
    width: float = 100.0  # % of normal (wdth value for variable files)
    italic: bool = False
    variable: bool = False
    axes: tuple[tuple[str, float], ...] = ()  # other axes' values (variable files; e.g. opsz), else their default


@lru_cache(maxsize=512)
def variation_axes(path: Path) -> tuple[tuple[str, float, float, float], ...]:
    """(tag, min, default, max) of each axis of a variable font, in file order."""
    try:
        font = TTFont(str(path), lazy=True)
    except (OSError, TTLibError) as e:
        raise FontStyleError(f"cannot read font file {path} ({e})") from e
    if "fvar" not in font:
        return ()
    return tuple((a.axisTag, a.minValue, a.defaultValue, a.maxValue) for a in font["fvar"].axes)


def _axis(path: Path, tag: str) -> tuple[float, float, float] | None:
    for t, lo, default, hi in variation_axes(path):
        if t == tag:
            return lo, default, hi
    return None


def _variable_style(path: Path, weight: float, width: float, italic: bool) -> Style:
    wght, wdth = _axis(path, "wght"), _axis(path, "wdth")
    w = float(np.clip(weight, wght[0], wght[2])) if wght else 400.0
    s = float(np.clip(width, wdth[0], wdth[2])) if wdth else 100.0
    return Style(path, int(round(w)), s, italic, variable=True)


def regular_style(files: FamilyFiles) -> Style:
    """The family's regular: upright static closest to 400, else its variable file at 400."""
    upright = [f for f in files.static if not f.italic] or list(files.static)
    if upright:
        best = min(upright, key=lambda f: (abs((f.weight or 400) - 400), f.weight or 400))
        return Style(best.path, best.weight or 400, 100.0, best.italic)
    variable = [f for f in files.variable if not f.italic] or list(files.variable)
    if not variable:
        raise FontStyleError(f"family {files.family.id} has no font files")
    return _variable_style(variable[0].path, 400, 100.0, variable[0].italic)


def other_styles(files: FamilyFiles) -> list[Style]:
    """Every non-regular style a family offers: static weights and italics, and
    variable weights (100..900 in steps of 100) and widths (CSS stretch steps)."""
    regular = regular_style(files)
    styles = [Style(f.path, f.weight or 400, 100.0, f.italic) for f in files.static]
    for f in files.variable:
        wght, wdth = _axis(f.path, "wght"), _axis(f.path, "wdth")
        weights = [w for w in range(100, 1000, 100) if wght and wght[0] <= w <= wght[2]] or [400]
        styles += [_variable_style(f.path, w, 100.0, f.italic) for w in weights]
        if wdth:
            widths = [s for s in WIDTH_STEPS if wdth[0] <= s <= wdth[2]]
            styles += [_variable_style(f.path, w, s, f.italic) for s in widths for w in (300, 400, 700)]
    seen, out = set(), []
    for s in styles:
        key = (s.weight, s.width, s.italic)
        if key != (regular.weight, regular.width, regular.italic) and key not in seen:
            seen.add(key)
            out.append(s)
    return out


def pick_other_style(files: FamilyFiles, rng: np.random.Generator) -> Style:
    """A random non-regular style; width variants get a third of the draws when present."""
    styles = other_styles(files)
    if not styles:
        return regular_style(files)
    widths = [s for s in styles if s.width != 100.0]
    pool = widths if widths and rng.random() < 1 / 3 else [s for s in styles if s.width == 100.0] or widths
    return pool[int(rng.integers(0, len(pool)))]


@lru_cache(maxsize=256)
def open_font(style: Style, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size`` px drawing ``style`` (axes set for variable files)."""
    try:
        font = ImageFont.truetype(str(style.path), size, layout_engine=ImageFont.Layout.RAQM)
    except OSError as e:
        raise FontStyleError(f"cannot open font file {style.path} ({e})") from e
    if style.variable:
        values = [_axis_value(style, tag, default) for tag, _, default, _ in variation_axes(style.path)]
        if values:
            font.set_variation_by_axes(values)
    return font


def _axis_value(style: Style, tag: str, default: float) -> float:
    return {"wght": float(style.weight), "wdth": float(style.width), **dict(style.axes)}.get(tag, default)


EXTREMES = ("wdth-min", "wdth-max", "opsz-max", "opsz-min", "wght-min", "wght-max")  # most telling first


def _main_variable(files: FamilyFiles) -> Path | None:
    """The upright variable file with the most axes (ties: the first by name)."""
    upright = sorted((f.path for f in files.variable if not f.italic), key=lambda p: (-len(variation_axes(p)), p.name))
    return upright[0] if upright else None


def default_instance(files: FamilyFiles) -> Style | None:
    """The family's variable file at every axis' default (None for a family without one)."""
    path = _main_variable(files)
    if path is None or not variation_axes(path):
        return None
    ax = {t: d for t, _, d, _ in variation_axes(path)}
    return Style(path, int(round(ax.get("wght", 400.0))), float(ax.get("wdth", 100.0)), False, True)


def axis_extremes(files: FamilyFiles) -> list[tuple[str, Style]]:
    """(name, style) of the family's variable file at each end of its wdth, opsz and wght
    axes (other axes at their default), in EXTREMES order; ends equal to the default are left
    out (e.g. most wdth axes end at 100). Empty for a family without a variable file."""
    base = default_instance(files)
    if base is None:
        return []
    axes = {t: (lo, d, hi) for t, lo, d, hi in variation_axes(base.path)}
    out = []
    for name in EXTREMES:
        tag, end = name.split("-")
        if tag not in axes:
            continue
        lo, d, hi = axes[tag]
        v = lo if end == "min" else hi
        if v == d:
            continue
        if tag == "wght":
            out.append((name, Style(base.path, int(round(v)), base.width, False, True)))
        elif tag == "wdth":
            out.append((name, Style(base.path, base.weight, float(v), False, True)))
        else:
            out.append((name, Style(base.path, base.weight, base.width, False, True, ((tag, float(v)),))))
    return out


def css_face(style: Style, name: str) -> str:
    """An @font-face rule embedding the file (declared normal/normal, so the
    browser never synthesises bold or oblique: the file is the style)."""
    data = base64.b64encode(Path(style.path).read_bytes()).decode("ascii")
    fmt = {"woff2": "woff2", "woff": "woff", "ttf": "truetype", "otf": "opentype"}
    kind = fmt.get(Path(style.path).suffix.lstrip(".").lower(), "woff2")
    return (f"@font-face{{font-family:'{name}';src:url(data:font/{kind};base64,{data}) "
            f"format('{kind}');font-display:block}}")


def css_variation(style: Style) -> str:
    """``font-variation-settings`` for a variable style ('' for a static file)."""
    if not style.variable:
        return ""
    parts = [f'"{tag}" {_axis_value(style, tag, default):g}'
             for tag, _, default, _ in variation_axes(style.path)]
    return "font-variation-settings:" + ",".join(parts) + ";" if parts else ""


@lru_cache(maxsize=512)
def _cmap(path: Path) -> frozenset[int]:
    try:
        return frozenset(TTFont(str(path), lazy=True).getBestCmap() or {})
    except (OSError, TTLibError) as e:
        raise FontStyleError(f"cannot read font file {path} ({e})") from e


def covers(style: Style, text: str) -> bool:
    """Whether the file has a glyph for every non-space character of ``text``."""
    cmap = _cmap(Path(style.path))
    return all(ord(c) in cmap for c in text if not c.isspace())
