"""CSS that reproduces a measured region, and how to load its free font (fontsource)."""

from __future__ import annotations

from glyphs.catalog import FamilyFiles
from typography.reference import GENERIC_STACKS, generic_family
from typography.types import FontChoice, Measurement


def css_weight(font: FontChoice, files: FamilyFiles | None) -> int:
    """The font's weight, moved to the nearest weight the family ships (fontsource files)."""
    weights = files.family.weights if files is not None else ()
    return min(weights, key=lambda w: (abs(w - font.weight), w)) if weights else font.weight


def fontsource_import(font: FontChoice, weight: int) -> tuple[str, str]:
    """(npm package, CSS @import) of a catalog family at ``weight`` (fontsource layout:
    ``@fontsource/<id>/<weight>.css``, ``<weight>-italic.css``); resolved by a bundler
    (Vite, webpack) after ``npm install <package>``. A font matched at a width end of its
    variable file comes from the variable package with its width axis
    (``@fontsource-variable/<id>/wdth.css``, ``wdth-italic.css``: fontsource's axis files)."""
    italic = "-italic" if font.italic else ""
    if font.width != 100:
        package = f"@fontsource-variable/{font.family}"
        return package, f'@import "{package}/wdth{italic}.css";'
    package = f"@fontsource/{font.family}"
    return package, f'@import "{package}/{weight}{italic}.css";'


def _num(v: float, unit: str = "") -> str:
    return f"{v:g}{unit}"


def css_rule(selector: str, font: FontChoice, files: FamilyFiles | None, m: Measurement,
             decorations: tuple[str, ...] = ()) -> str:
    """A CSS rule (font-family with a fallback stack, weight, style, size, letter-spacing,
    line-height, colour; alignment, case and background where measured)."""
    stack = GENERIC_STACKS[generic_family(files, font.name)]
    variable = f"'{font.name} Variable', " if font.width != 100 else ""  # fontsource's variable family name
    decl = [f"font-family: {variable}'{font.name}', {stack}", f"font-weight: {css_weight(font, files)}",
            f"font-style: {'italic' if font.italic else 'normal'}"]
    if font.width != 100:  # any width the axis has; font-stretch only takes 50-200 %
        decl.append(f"font-variation-settings: 'wdth' {font.width}")
    if m.size_px:
        decl.append(f"font-size: {_num(round(m.size_px, 1), 'px')}")
    if m.letter_spacing_em is not None:
        ls = round(m.letter_spacing_em, 3)
        decl.append(f"letter-spacing: {'normal' if abs(ls) < 0.01 else _num(ls, 'em')}")
    if m.line_height is not None:
        decl.append(f"line-height: {_num(round(m.line_height, 2))}")
    if m.color and m.outline_px:  # letters drawn as outlines: the stroke in the text's colour, no fill
        decl += ["color: transparent", f"-webkit-text-stroke: {_num(m.outline_px, 'px')} {m.color}"]
    elif m.color:
        decl.append(f"color: {m.color}")
    if m.background and m.solid_background:
        decl.append(f"background-color: {m.background}")
    if m.alignment:
        decl.append(f"text-align: {m.alignment}")
    if m.case == "upper":
        decl.append("text-transform: uppercase")
    if lines := [d for d in decorations if d in ("underline", "line-through")]:
        decl.append(f"text-decoration: {' '.join(lines)}")
    body = "".join(f"  {d};\n" for d in decl)
    return f"{selector} {{\n{body}}}"
