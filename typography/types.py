"""What typography measures, and what it measures from (frozen, typed)."""

from __future__ import annotations

from dataclasses import dataclass

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in the input image's pixels (x1/y1 exclusive)


@dataclass(frozen=True)
class TextGlyph:
    """One character the OCR read: the input of every measurement here."""

    char: str
    box: Box  # ink box in the image
    word: int  # word index (glyphs of one word share it)
    line: int  # line index (top to bottom)


@dataclass(frozen=True)
class FontChoice:
    """The font a region was matched to (pipeline's top FontScore of the region)."""

    family: str  # fontsource id
    name: str  # display name
    weight: int  # 100..900
    italic: bool
    width: int = 100  # percent of normal: a variable family matched at a width end of its axis


@dataclass(frozen=True)
class Measurement:
    """What typography.measure finds in a region (fields as in Typography)."""

    size_px: float | None
    letter_spacing_em: float | None
    line_height: float | None
    color: str | None
    background: str | None
    solid_background: bool  # the background around the text is one colour (not a photo)
    alignment: str | None
    case: str
    metrics: str  # 'font' | 'nominal'
    outline_px: float | None = None  # band width of letters drawn as outlines (None: solid letters)


@dataclass(frozen=True)
class Typography:
    """How one text region is set. Lengths are in the input image's pixels (a screenshot
    taken at device scale factor 2 shows CSS sizes doubled); None = could not be measured.

    ``line_height`` is CSS's unitless multiple of the font size (baseline-to-baseline
    distance / size_px), None for a single line; ``letter_spacing_em`` is the space added
    after every character, in em of the measured size, against the font's own advances
    and kerning; ``alignment`` is left | center | right | justify for several lines (None
    for one); ``case`` is upper | lower | title | mixed; colours are '#rrggbb'.
    ``metrics`` says what the size came from: 'font' (the matched font's drawn glyph
    heights) or 'nominal' (its files were not at hand: typical Latin proportions).
    """

    size_px: float | None
    letter_spacing_em: float | None
    line_height: float | None
    color: str | None
    background: str | None
    alignment: str | None
    case: str
    decorations: tuple[str, ...]  # 'underline', 'line-through', 'outline', 'shadow' when seen; () = none
    css: str  # a CSS rule reproducing the region
    fontsource: str  # npm package of the free font, e.g. '@fontsource/roboto'
    css_import: str  # how to load it from CSS, e.g. '@import "@fontsource/roboto/700.css";'
    metrics: str = "font"
