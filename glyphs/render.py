"""Render text straight from font files, with each character's ink box.

Pure functions: the same (file, style, size, text) always gives the same
pixels. Static weight files are preferred; variable fonts supply in-between
weights and widths through their ``wght``/``wdth`` axes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from glyphs.catalog import FamilyFiles, FontFile


class FontFileError(OSError):
    """A font file that cannot be opened or rendered."""


@dataclass(frozen=True)
class FontStyle:
    weight: int = 400  # 100..900
    width: int = 100  # percent of normal (wdth axis)
    italic: bool = False
    opsz: float | None = None  # optical size (opsz axis of variable files); None = the file's default


@dataclass(frozen=True)
class RenderedText:
    """Ink mask of a rendered line: 255 = ink, 0 = paper."""

    mask: np.ndarray  # (H, W) uint8
    boxes: tuple[tuple[int, int, int, int], ...]  # ink box per non-space char
    chars: str  # the non-space characters, in order, matching boxes
    baseline: int  # y of the baseline in the mask


_AXIS_TAGS = {b"Weight": "wght", b"Width": "wdth", b"Optical size": "opsz",
              b"Optical Size": "opsz", b"Slant": "slnt", b"Italic": "ital"}


@lru_cache(maxsize=64)
def _open(path: str, size: int, index: int = 0) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.RAQM)
    except (OSError, ValueError) as e:
        raise FontFileError(f"cannot open font file {path} ({e})") from e


def variation_axes(path: str | Path) -> dict[str, tuple[float, float, float]]:
    """{tag: (min, default, max)} of a variable font; {} for a static one."""
    font = _open(str(path), 20)
    try:
        axes = font.get_variation_axes()
    except OSError:
        return {}
    return {_AXIS_TAGS.get(a["name"], str(a["name"])): (a["minimum"], a["default"], a["maximum"])
            for a in axes}


def check_font(file: FontFile) -> None:
    """Raise FontFileError unless ``file`` opens and draws."""
    try:
        _open(str(file.path), 20, file.index).getbbox("A")
    except OSError as e:
        raise FontFileError(f"font file {file.path} is unreadable ({e})") from e


def with_real_axes(file: FontFile) -> FontFile:
    """A variable FontFile whose ``axes`` are read from the file, not its name."""
    return replace(file, axes=tuple(variation_axes(file.path))) if file.weight is None else file


_VARIABLE_PREFERENCE = ("full", "standard", "wght")


def _variable_rank(f: FontFile) -> tuple[int, int]:
    tag = f.path.name.rsplit("-latin-", 1)[-1].split("-")[0]
    pref = _VARIABLE_PREFERENCE.index(tag) if tag in _VARIABLE_PREFERENCE else len(_VARIABLE_PREFERENCE)
    return (-len(f.axes), pref)


def pick_file(files: FamilyFiles, style: FontStyle) -> FontFile:
    """The file that draws ``style``: exact static weight first, else variable."""
    static = [f for f in files.static if f.italic == style.italic]
    exact = [f for f in static if f.weight == style.weight]
    variable = sorted((f for f in files.variable if f.italic == style.italic), key=_variable_rank)
    if exact and style.width == 100 and style.opsz is None:
        return exact[0]
    if variable:
        return variable[0]
    if static:  # nearest weight
        return min(static, key=lambda f: abs((f.weight or 400) - style.weight))
    pool = files.static + files.variable
    if not pool:
        raise FontFileError(f"family {files.family.id} has no font files")
    return pool[0]


def open_font(file: FontFile, style: FontStyle, size: int) -> tuple[ImageFont.FreeTypeFont, FontStyle]:
    """A FreeType font at ``size`` px set to ``style``; returns the style actually drawn."""
    if file.weight is not None:
        return _open(str(file.path), size, file.index), FontStyle(file.weight, 100, file.italic)
    font = ImageFont.truetype(str(file.path), size, layout_engine=ImageFont.Layout.RAQM)
    axes = variation_axes(file.path)
    values, actual = [], {"wght": 400.0, "wdth": 100.0}
    for tag, (lo, default, hi) in axes.items():
        want = {"wght": style.weight, "wdth": style.width, "opsz": style.opsz}.get(tag, default)
        want = default if want is None else want
        v = float(min(max(want, lo), hi))
        actual[tag] = v
        values.append(v)
    if values:
        try:
            font.set_variation_by_axes(values)
        except OSError as e:
            raise FontFileError(f"cannot set axes of {file.path} ({e})") from e
    return font, FontStyle(int(round(actual["wght"])), int(round(actual["wdth"])), file.italic,
                           actual.get("opsz") if style.opsz is not None else None)


def render_text(font: ImageFont.FreeTypeFont, text: str, pad: int | None = None) -> RenderedText:
    """Render ``text`` on one line; boxes are each character's ink (kerning as in real text)."""
    ascent, descent = font.getmetrics()
    size = ascent + descent
    pad = max(2, size // 4) if pad is None else pad
    width = int(np.ceil(font.getlength(text, features=["-liga"]))) + 2 * pad + size // 2
    height = size + 2 * pad
    img = Image.new("L", (max(width, 1), height), 0)
    baseline = pad + ascent
    ImageDraw.Draw(img).text((pad, baseline), text, font=font, fill=255, anchor="ls",
                             features=["-liga"])
    boxes, chars = [], []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        x = pad + font.getlength(text[:i], features=["-liga"])
        box = _char_ink_box(font, ch, x, baseline)
        if box is not None:
            boxes.append(box)
            chars.append(ch)
    return RenderedText(np.asarray(img), tuple(boxes), "".join(chars), baseline)


def _char_ink_box(font: ImageFont.FreeTypeFont, ch: str, x: float, baseline: int):
    """Ink box of one character drawn with its origin at (x, baseline)."""
    mask, offset = font.getmask2(ch, anchor="ls", features=["-liga"])
    bbox = mask.getbbox()
    if bbox is None:
        return None
    ox, oy = int(round(x)) + offset[0], baseline + offset[1]
    return (ox + bbox[0], oy + bbox[1], ox + bbox[2], oy + bbox[3])


def render_sample(files: FamilyFiles, style: FontStyle, size: int, text: str) -> tuple[RenderedText, FontStyle]:
    """Convenience: pick the file, open it at ``size``, render ``text``."""
    font, actual = open_font(pick_file(files, style), style, size)
    return render_text(font, text), actual
