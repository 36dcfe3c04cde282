"""Lettering effects undone before reading (segmentation.effects), on lines drawn with a real
font (Roboto from tests/fixtures): each effect is found and undone where it is, and plain
text, including text enlarged with cubic interpolation (its edges ring darker than its
middle: two inks without any shadow), is left as it is."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.fonts import Style
from bench.robust_draw import KINDS
from segmentation.chars import ink_mask
from segmentation.effects import remove_rules, remove_shadow
from segmentation.hollow import fill_outlines

FONTS = Path(__file__).resolve().parent / "fixtures" / "fonts"
ROBOTO = Style(FONTS / "roboto" / "static" / "roboto-latin-400-normal.woff2", 400)
STYLES = {"roboto": ROBOTO, "roboto-bold": Style(FONTS / "roboto" / "static" / "roboto-latin-700-normal.woff2", 700),
          "libre-baskerville": Style(FONTS / "libre-baskerville" / "static" / "libre-baskerville-latin-400-normal.woff2",
                                     400),
          "lobster": Style(FONTS / "lobster" / "static" / "lobster-latin-400-normal.woff2", 400)}
TEXT = "Quiet harbour"
SIZE = 56


def _gray(kind: str, seed: int = 0, style: Style = ROBOTO, text: str = TEXT) -> np.ndarray:
    rgb = KINDS[kind](style, text, SIZE, np.random.default_rng(seed))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)  # (H, W) uint8


def _core(gray: np.ndarray) -> tuple[int, int]:
    rows = np.nonzero(ink_mask(gray).any(axis=1))[0]
    return int(rows[0]), int(rows[-1]) + 1


def _tight(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two masks, each cut to its ink's box (a shadow left in one
    makes its box larger: the union grows)."""
    a, b = _tight(a), _tight(b)
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    a, b = (np.pad(m, ((0, h - m.shape[0]), (0, w - m.shape[1]))) for m in (a, b))
    return float((a & b).sum()) / max(1, int((a | b).sum()))


def _holes(mask: np.ndarray, min_area: int = 30) -> int:
    """Enclosed background areas (letter insides, counters) of a mask."""
    contours, hier = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return sum(1 for c, h in zip(contours, hier[0], strict=True) if h[3] >= 0 and cv2.contourArea(c) >= min_area)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_drop_shadow_is_removed_and_letters_stay(seed):
    plain, shadowed = _gray("control", seed), _gray("shadow", seed)
    fixed = remove_shadow(shadowed, _core(shadowed))
    assert fixed is not None
    assert _iou(ink_mask(plain), ink_mask(fixed)) > 0.85
    assert _iou(ink_mask(plain), ink_mask(shadowed)) < 0.7  # what it was


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_plain_text_has_no_shadow_even_enlarged(scale):
    gray = _gray("control")
    if scale > 1:  # as segment() enlarges small screenshots
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    core = _core(gray)
    assert remove_shadow(gray, core) is None
    assert remove_rules(gray, core) is None
    assert fill_outlines(gray, core) is None


@pytest.mark.parametrize("kind", ["underline", "strike-through"])
def test_ruled_lines_are_removed(kind):
    gray = _gray(kind)
    fixed = remove_rules(gray, _core(gray))
    assert fixed is not None
    long_runs = cv2.morphologyEx(ink_mask(fixed).astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, 3 * SIZE), np.uint8))
    assert not long_runs.any()


def test_hollow_letters_are_filled():
    gray = _gray("outline")
    filled = fill_outlines(gray, _core(gray))
    assert filled is not None
    glyphs = filled.glyphs
    plain = ink_mask(_gray("control"))
    assert _holes(ink_mask(gray)) >= len(TEXT.replace(" ", ""))  # every hollow letter encloses its inside
    assert abs(_holes(ink_mask(glyphs)) - _holes(plain)) <= 1  # only counters (Q, e, a, b, o) stay open
    assert _iou(plain, ink_mask(glyphs)) > 0.6


@pytest.mark.parametrize("font", list(STYLES))
@pytest.mark.parametrize("text", ["Museum Entrance", "good bad dog"])
def test_hollow_letters_of_any_weight_are_found_and_solid_counters_are_not(font, text):
    """Regular-weight hollow letters have narrow insides (no big hole), and solid text full
    of counters (o, d, b, a, g) has a hole in nearly every letter: neither may fool it."""
    hollow, solid = _gray("outline", style=STYLES[font], text=text), _gray("control", style=STYLES[font], text=text)
    assert fill_outlines(hollow, _core(hollow)) is not None
    assert fill_outlines(solid, _core(solid)) is None


def test_spaced_out_letters_are_closed_up_and_map_back():
    from segmentation.orient import View, to_image
    from segmentation.spacing import close_spacing, spelled_out

    spaced, plain = _gray("letter-spacing"), _gray("control")
    core = _core(spaced)
    tight = close_spacing(View(spaced, (0, 0), core))
    assert tight is not None and close_spacing(View(plain, (0, 0), _core(plain))) is None
    assert tight.gray.shape[1] < 0.8 * spaced.shape[1]  # letters closer together
    assert abs(int(ink_mask(tight.gray).sum()) - int(ink_mask(spaced).sum())) < 0.02 * ink_mask(spaced).sum()
    # every letter's box in the closed-up view lands on that letter's ink in the picture
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink_mask(tight.gray).astype(np.uint8))
    for x, y, w, h, area in stats[1:]:
        if area < 20:
            continue
        x0, y0, x1, y1 = to_image(tight, (x, y, x + w, y + h))
        assert ink_mask(spaced)[y0:y1, x0:x1].sum() >= 0.9 * area
    assert spelled_out("M U s e U m") and not spelled_out("Museum Entrance") and not spelled_out("A B")


def test_letters_on_a_curve_keep_only_their_own_ink():
    from segmentation.curve import own_ink

    ink = ink_mask(_gray("arc")).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    letters = [k for k in range(1, n) if stats[k, 4] >= 30]
    grow = 6  # boxes larger than their letters: a leaning neighbour's corner reaches in
    boxes = [(max(0, stats[k, 0] - grow), max(0, stats[k, 1] - grow), stats[k, 0] + stats[k, 2] + grow,
              stats[k, 1] + stats[k, 3] + grow) for k in letters]
    owner = own_ink(ink, boxes)
    big = np.isin(labels, letters)
    for i, k in enumerate(letters):  # each letter's whole component, and no other letter's ink
        assert np.array_equal((owner == i) & big, labels == k)


def _centred_outline(style: Style, text: str, stroke: float) -> np.ndarray:
    """Hollow letters with the outline centred on the letters' edge (as CSS text-stroke and
    drawing programs draw it; robust_draw's outline lies outside the edge): drawn 4x larger
    and reduced, so the ring is anti-aliased. (H, W) uint8."""
    from bench.draw import ink_mask as coverage

    k = 4
    solid = (np.pad(coverage(style, text, SIZE * k), SIZE * k // 2) >= 0.5).astype(np.uint8)
    r = max(1, int(round(stroke * k / 2)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    ring = (cv2.dilate(solid, disc) & (1 - cv2.erode(solid, disc))).astype(np.float32)
    small = cv2.resize(ring, (ring.shape[1] // k, ring.shape[0] // k), interpolation=cv2.INTER_AREA)
    return np.clip(248.0 - 223.0 * small, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("font", ["roboto", "roboto-bold", "libre-baskerville"])
@pytest.mark.parametrize("stroke", [0.03, 0.06])
def test_outlines_centred_on_the_edge_are_found_thin_or_thick(font, stroke):
    """A centred outline leaves a regular-weight stem an inside only its width less the
    stroke wide; the reading mask's blur closed it (68 % of 100 drawn families found)."""
    gray = _centred_outline(STYLES[font], "Museum Entrance", stroke * SIZE)
    filled = fill_outlines(gray, _core(gray))
    assert filled is not None
    plain = ink_mask(_gray("control", style=STYLES[font], text="Museum Entrance"))
    assert _iou(plain, ink_mask(filled.glyphs)) > 0.6


@pytest.fixture(scope="module")
def ident():
    from pipeline import DEFAULT_MODEL, get_identifier

    return get_identifier(str(DEFAULT_MODEL))


@pytest.mark.slow
@pytest.mark.parametrize("kind, says, css", [("control", (), None), ("underline", ("underline",), "underline"),
                                             ("strike-through", ("line-through",), "line-through"),
                                             ("shadow", ("shadow",), None), ("outline", ("outline",), None)])
def test_the_effects_undone_are_reported_as_decorations(ident, kind, says, css):
    """A line drawn with an underline, a strike-through, a drop shadow or as outlines reads as the same
    words, and its region says which (Typography.decorations; CSS text-decoration for the ruled ones); a
    plain line says nothing."""
    rgb = KINDS[kind](ROBOTO, TEXT, SIZE, np.random.default_rng(3))
    ranking = ident.rank(rgb, top=5)
    assert ranking.text.replace(" ", "").lower() == TEXT.replace(" ", "").lower(), ranking.text
    typo = ranking.regions[0].typography
    assert typo.decorations == says
    assert (f"text-decoration: {css}" in typo.css) if css else ("text-decoration" not in typo.css)
