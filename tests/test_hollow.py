"""Hollow (outlined) letters (issue 11), drawn with bench/robust_draw.py's code and the fixture
fonts: where a letter's edge lies within its outline is not in the picture (PIL's stroke and
layer styles draw the outline outside the letters, CSS and drawing programs centre it on the
edge), so both cuts are made, each as thick as the letters of its kind of outline, and the
glyph model keeps the one whose glyphs look more like letters. Cut at the outline's middle only, outlines
drawn outside the letters gave letters half an outline too bold (top-5 0.800 against the
plain control's 0.938 in the robustness benchmark)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.robust_draw import _line, _paper
from segmentation.chars import ink_mask
from segmentation.hollow import fill_outlines
from tests.fixture_styles import FONTS, STYLES

SIZE = 56
TEXT = "Museum Entrance"


def _outside(font: str, stroke: int, text: str = TEXT) -> tuple[np.ndarray, np.ndarray]:
    """(gray (H, W) uint8 of the outline drawn outside the letters as the benchmark draws it,
    (H, W) bool of the solid letters at the same place)."""
    ring, _ = _line(STYLES[font], text, SIZE, stroke, outline_only=True)
    solid, _ = _line(STYLES[font], text, SIZE, stroke)  # same box: the stroke is in its bbox
    gray = cv2.cvtColor(_paper(ring, SIZE // 2), cv2.COLOR_RGB2GRAY)
    return gray, np.pad(solid, SIZE // 2) >= 0.5


def _centred(font: str, stroke: float, text: str = TEXT) -> tuple[np.ndarray, np.ndarray]:
    """The same with the outline centred on the letters' edge, drawn 4x larger and reduced."""
    from bench.draw import ink_mask as coverage

    k = 4
    solid = (np.pad(coverage(STYLES[font], text, SIZE * k), SIZE * k // 2) >= 0.5).astype(np.uint8)
    r = max(1, int(round(stroke * k / 2)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    ring = (cv2.dilate(solid, disc) & (1 - cv2.erode(solid, disc))).astype(np.float32)
    size = (ring.shape[1] // k, ring.shape[0] // k)
    small = cv2.resize(ring, size, interpolation=cv2.INTER_AREA)
    letters = cv2.resize(solid.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.5
    return np.clip(248.0 - 223.0 * small, 0, 255).astype(np.uint8), letters


def _core(gray: np.ndarray) -> tuple[int, int]:
    rows = np.nonzero(ink_mask(gray).any(axis=1))[0]
    return int(rows[0]), int(rows[-1]) + 1


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum()) / max(1, int((a | b).sum()))


@pytest.mark.parametrize("font", ["roboto", "roboto-bold", "libre-baskerville", "lobster"])
@pytest.mark.parametrize("share", [0.03, 0.05])
def test_outlines_drawn_outside_the_letters_are_cut_as_thick_as_the_letters(font, share):
    gray, solid = _outside(font, max(1, round(share * SIZE)))
    filled = fill_outlines(gray, _core(gray))
    assert filled is not None
    inner = ink_mask(filled.inner)
    assert 0.85 < inner.sum() / solid.sum() < 1.15
    assert _iou(inner, solid) > 0.8
    assert _iou(inner, solid) > _iou(ink_mask(filled.glyphs), solid) + 0.1  # the middle cut is too bold


@pytest.mark.parametrize("font", ["roboto", "libre-baskerville"])
def test_outlines_centred_on_the_edge_keep_their_middle_cut(font):
    gray, solid = _centred(font, 0.05 * SIZE)
    filled = fill_outlines(gray, _core(gray))
    assert filled is not None
    middle = _iou(ink_mask(filled.glyphs), solid)
    assert middle > 0.7
    assert middle > _iou(ink_mask(filled.inner), solid)  # the inner cut is half an outline too thin


@pytest.fixture(scope="module")
def ident():
    from pipeline import DEFAULT_MODEL, get_identifier

    return get_identifier(str(DEFAULT_MODEL))


@pytest.mark.slow
@pytest.mark.parametrize("font, drawn", [("roboto", "outside"), ("roboto", "centred"), ("libre-baskerville", "outside"),
                                         ("libre-baskerville", "centred")])  # a miss until hairlines kept their middle
def test_the_cut_kept_is_the_one_as_thick_as_the_letters(ident, font, drawn):
    """Read end to end, hollow letters reach the glyph model cut both ways, and the cut whose
    glyphs look more like letters (the one kept) is the one at the outline's right edge."""
    from pipeline.trust import more_like_letters
    from segmentation import segment

    gray = _outside(font, 3)[0] if drawn == "outside" else _centred(font, 0.05 * SIZE)[0]
    seg = segment(np.repeat(gray[..., None], 3, axis=2), norm=ident.model.labels.norm, config=ident.segment_config)
    assert seg.glyphs and all(g.alt_image is not None for g in seg.glyphs)
    chars = [g.char for g in seg.glyphs]
    middle = ident.glyph_log_probs(np.stack([g.image for g in seg.glyphs]), chars)[1].embedding
    inner = ident.glyph_log_probs(np.stack([g.alt_image for g in seg.glyphs]), chars)[1].embedding
    kept_inner = more_like_letters(inner, middle, ident.model.char_indices(chars), ident.prototypes)
    assert kept_inner == (drawn == "outside")


@pytest.mark.slow
def test_an_inline_design_the_ring_test_takes_for_hollow_letters_is_cut_as_drawn(ident):
    """Rye, a western face with a white line inside every stroke, passes the ring test for hollow
    letters; filled, its glyphs were slivers of each letter (a clean picture of it matched its own
    font at cosine 0.25 and was ranked 871st of 1,540). With the glyph model judging (as identify
    reads), the reading as drawn wins and its glyphs look more like the letters read; truly hollow
    letters are still filled."""
    from bench.fonts import Style
    from segmentation import segment

    rye = Style(FONTS / "rye" / "static" / "rye-latin-400-normal.woff2", 400)
    solid, _ = _line(rye, "Gift Shop", SIZE, 0)
    rgb = _paper(solid, SIZE // 2)  # (H, W, 3) black on white
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert fill_outlines(gray, _core(gray)) is not None  # taken for hollow letters
    judged = segment(rgb, norm=ident.model.labels.norm, config=ident.segment_config, likeness=ident.likeness)
    blind = segment(rgb, norm=ident.model.labels.norm, config=ident.segment_config)  # no judge: filled as before
    assert judged.text.replace(" ", "") == "GiftShop"
    assert all(g.alt_image is None for g in judged.glyphs) and all(g.alt_image is not None for g in blind.glyphs)

    def likeness(seg) -> float:
        return float(np.mean(ident.likeness(np.stack([g.image for g in seg.glyphs]), [g.char for g in seg.glyphs])))

    assert likeness(judged) > likeness(blind) + 0.1, (likeness(judged), likeness(blind))
    hollow = _outside("roboto", 3)[0]
    seg = segment(np.repeat(hollow[..., None], 3, axis=2), norm=ident.model.labels.norm,
                  config=ident.segment_config, likeness=ident.likeness)
    assert seg.glyphs and all(g.alt_image is not None for g in seg.glyphs)
