"""Typography (issue 16): regions split by size, the main answer is the largest text, and
each region's measured size, colours and CSS, on pictures drawn from real font files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from glyphs.catalog import catalog_families
from glyphs.render import FontStyle, open_font, pick_file
from pipeline import DEFAULT_MODEL, Identifier
from pipeline.rank import main_region
from pipeline.types import FontScore, Region
from pipeline.verify import FontSource
from typography import FontChoice, TextGlyph, describe_region
from typography.colour import delta_e
from typography.measure import letter_case

FIX = Path(__file__).resolve().parent / "fixtures"
HEADING = ("libre-baskerville", 700, 56, "#7a1f1f")  # family, weight, px, colour
BODY = ("roboto", 400, 20, "#222222")
PAPER = "#f4efe6"


def _families():
    return {f.family.id: f for f in catalog_families(FIX / "catalog-tiny.txt", FIX / "fonts")}


def _spaced_words(font, words: list[str], extra_px: float, width: int) -> tuple[Image.Image, list[TextGlyph]]:
    """``words`` drawn by FreeType one character at a time with ``extra_px`` added after each, on a
    (120, width) white picture: the picture and each character's true box."""
    img = Image.new("RGB", (width, 120), "white")
    draw = ImageDraw.Draw(img)
    glyphs, x = [], 20.0
    for w, word in enumerate(words):
        for ch in word:
            draw.text((x, 80), ch, font=font, fill="black", anchor="ls")
            b = draw.textbbox((x, 80), ch, font=font, anchor="ls")
            glyphs.append(TextGlyph(ch, tuple(int(round(v)) for v in b), w, 0))
            x += font.getlength(ch) + extra_px
        x += font.getlength(" ")
    return img, glyphs


def _font(family: str, weight: int, size: int):
    style = FontStyle(weight)
    return open_font(pick_file(_families()[family], style), style, size)[0]


def _picture(lines: list[tuple[tuple, str, int]], jpeg: bool = True) -> np.ndarray:
    """Lines of (font spec, text, baseline y) drawn on paper; JPEG 85 like a shared screenshot."""
    img = Image.new("RGB", (760, 300), PAPER)
    draw = ImageDraw.Draw(img)
    for (family, weight, size, colour), text, y in lines:
        draw.text((40, y), text, font=_font(family, weight, size), fill=colour, anchor="ls")
    if not jpeg:
        return np.asarray(img)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


@pytest.fixture(scope="module")
def ident():
    return Identifier(DEFAULT_MODEL, fonts=FontSource.from_catalog(FIX / "catalog-tiny.txt", FIX / "fonts"))


def test_heading_over_body_css_names_family_weight_size(ident):
    rgb = _picture([(HEADING, "Velvet Thunder", 90), (BODY, "Harbour lights open at seven", 150),
                    (BODY, "every evening until midnight", 178)])
    ranking = ident.rank(rgb)
    assert len(ranking.regions) == 2, [r.box for r in ranking.regions]
    head = main_region(ranking.regions)
    assert ranking.fonts == head.fonts and head.box[3] < 100  # the heading, not the longer body
    t = head.typography
    assert head.fonts[0].family == "libre-baskerville"
    assert "font-family: 'Libre Baskerville', Georgia" in t.css and "font-weight: 700" in t.css
    assert abs(t.size_px - 56) / 56 <= 0.05, t.size_px
    assert delta_e(t.color, HEADING[3]) <= 5 and delta_e(t.background, PAPER) <= 5
    assert t.fontsource == "@fontsource/libre-baskerville"
    assert t.css_import == '@import "@fontsource/libre-baskerville/700.css";'
    body = [r for r in ranking.regions if r is not head][0].typography
    assert abs(body.size_px - 20) / 20 <= 0.08 and abs(body.line_height - 28 / body.size_px) <= 0.08


def test_one_line_gives_one_region(ident):
    ranking = ident.rank(_picture([(BODY, "Harbour Lights 1987", 120)]))
    assert len(ranking.regions) == 1 and ranking.fonts == ranking.regions[0].fonts
    t = ranking.regions[0].typography
    assert t.line_height is None and t.alignment is None and t.case == "title"


def test_size_and_spacing_from_known_boxes_without_ocr():
    """describe_region on boxes drawn by FreeType at 40 px with 0.1 em added per character."""
    fam = _families()["roboto"]
    img, glyphs = _spaced_words(_font("roboto", 400, 40), ["Quietly", "jumping"], 4.0, 900)  # 0.1 em
    t = describe_region(glyphs, FontChoice("roboto", "Roboto", 400, False), fam, np.asarray(img))
    assert abs(t.size_px - 40) <= 1.5 and abs(t.letter_spacing_em - 0.1) <= 0.02, (t.size_px, t.letter_spacing_em)
    assert t.color == "#000000" and t.background == "#ffffff"
    nominal = describe_region(glyphs, FontChoice("roboto", "Roboto", 400, False), None, np.asarray(img))
    assert nominal.metrics == "nominal" and nominal.letter_spacing_em is None and nominal.size_px > 0


def test_case_from_heights_overrides_ocr_case_guesses():
    boxes = [(0, 0, 10, 30), (12, 0, 22, 30), (24, 0, 34, 30)]  # three letters, all cap height
    glyphs = [TextGlyph(c, b, 0, 0) for c, b in zip("Cos", boxes, strict=True)]
    assert letter_case(glyphs, np.array([30.0, 29.0, 29.5])) == "upper"
    assert letter_case(glyphs, np.array([30.0, 20.0, 20.5])) == "title"


def test_main_region_is_largest_type_ties_by_evidence():
    from typography.types import Typography

    def region(size: float, n: int) -> Region:
        t = Typography(size, None, None, None, None, None, "mixed", (), "", "", "")
        return Region((0, 0, 1, 1), [FontScore(f"f{size}-{n}", "F", 1.0, 400, 100, False)], list(range(n)), t)

    big, body, tiny = region(48, 8), region(18, 120), region(80, 2)
    assert main_region([body, big, tiny]) is big  # under 3 glyphs only when nothing else
    near = region(46, 20)
    assert main_region([big, near, body]) is near  # within 10 %: more evidence wins


def test_css_block_lists_installs_and_imports_first_then_one_rule_per_region():
    from pipeline.output import format_css, region_to_dict
    from pipeline.types import Ranking

    glyphs = [TextGlyph(c, (10 + 30 * i, 10, 36 + 30 * i, 50), 0, 0) for i, c in enumerate("Hamburg")]
    fam = _families()["roboto"]
    regions = []
    for k, (w, italic) in enumerate(((700, False), (400, True))):
        t = describe_region(glyphs, FontChoice("roboto", "Roboto", w, italic), fam, None, selector=f".region-{k + 1}")
        regions.append(Region((10, 10, 220, 50), [FontScore("roboto", "Roboto", 0.9, w, 100 - 25 * k, italic)],
                              list(range(7)), t))
    text = format_css(Ranking(regions[0].fonts, [], "Hamburg", regions))
    lines = text.splitlines()
    assert lines[0] == "/* npm install @fontsource/roboto */"
    assert lines[1:3] == ['@import "@fontsource/roboto/700.css";', '@import "@fontsource/roboto/400-italic.css";']
    assert text.count(".region-") == 2 and "font-style: italic" in text and "(main answer)" in text
    d = region_to_dict(regions[1])
    assert d["css"] == regions[1].typography.css and d["fontsource"] == "@fontsource/roboto"
    assert d["size_px"] > 0 and d["color"] is None and d["decorations"] == []
    # each region's fonts carry the width estimate like the main answer's (shared/DESIGN.md FontScore)
    assert d["fonts"] == [{"family": "roboto", "name": "Roboto", "score": 0.9, "weight": 400, "width": 75,
                           "italic": True}]


def test_nominal_size_prefers_the_larger_sample_and_skips_tailed_capitals():
    """Without font files: 'Quietly jumping...' has one capital, a Q whose tail hangs below the
    baseline (82 px estimated from it for a 64 px line), and many x-height letters."""
    from typography.measure import measure_size

    glyphs = [TextGlyph(c, (0, 0, 10, 10), 0, 0) for c in "Quietox"]
    heights = np.array([58.0, 33.0, 46.0, 33.0, 40.0, 33.0, 33.0])  # Q with its tail, then u i e t o x
    size, how = measure_size(glyphs, heights, None)
    assert how == "nominal" and 60 < size < 70, size
    caps = [TextGlyph(c, (0, 0, 10, 10), 0, 0) for c in "BIG"]
    assert abs(measure_size(caps, np.array([45.0, 45.0, 45.0]), None)[0] - 45 / 0.70) < 1e-6


def test_a_font_matched_at_a_width_end_is_measured_and_written_at_that_width():
    """Roboto Flex drawn at width 25 with 0.1 em added per character: measured against its 25 %
    cut the spacing is 0.1 em (against the default cut, off), and the CSS loads the variable
    package's width axis and sets it."""
    fam = _families()["roboto-flex"]
    style = FontStyle(400, 25)
    img, glyphs = _spaced_words(open_font(pick_file(fam, style), style, 40)[0], ["Quietly", "jumping"], 4.0, 700)
    narrow = describe_region(glyphs, FontChoice("roboto-flex", "Roboto Flex", 400, False, 25), fam, np.asarray(img))
    default = describe_region(glyphs, FontChoice("roboto-flex", "Roboto Flex", 400, False), fam, np.asarray(img))
    assert abs(narrow.letter_spacing_em - 0.1) <= 0.02, (narrow.letter_spacing_em, default.letter_spacing_em)
    assert abs(default.letter_spacing_em - 0.1) > 0.02  # measured against the wrong cut
    assert narrow.css_import == '@import "@fontsource-variable/roboto-flex/wdth.css";'
    assert "font-variation-settings: 'wdth' 25" in narrow.css and "'Roboto Flex Variable'" in narrow.css
    assert default.css_import == '@import "@fontsource/roboto-flex/400.css";'


def test_the_css_fallback_is_cursive_for_looped_scripts_only(tmp_path):
    """The generic family of the CSS fallback comes from the font's shapes when its tables say
    nothing: a script's looped 'l' makes it cursive; a caps display face (Bungee) and an outlined
    one (Bungee Outline: its hollow 'l' is one hole as tall as the letter) were given
    'Brush Script MT' before."""
    from typography.reference import generic_family

    fonts = Path(__file__).parent / "fixtures" / "fonts"
    (tmp_path / "cat.txt").write_text("dancing-script\tDancing Script\t400\t0\nlibre-baskerville\tLibre Baskerville\t"
                                      "400\t0\nbungee\tBungee\t400\t0\nbungee-outline\tBungee Outline\t400\t0\n")
    fams = {f.family.id: f for f in catalog_families(tmp_path / "cat.txt", fonts)}
    assert all(f.present for f in fams.values())
    got = {i: generic_family(f, f.family.name) for i, f in fams.items()}
    assert got == {"dancing-script": "cursive", "libre-baskerville": "serif", "bungee": "sans-serif",
                   "bungee-outline": "sans-serif"}
