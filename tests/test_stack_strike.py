"""Letters stacked one per row, and lines struck through (issue 11), drawn with the fixture
fonts (tests/fixtures) the way bench/robust_draw.py draws the robustness benchmark.

Stacked: a column's own upright box (one tall box, its margin a share of its height) used to
out-score the stacked reading by its paper ('Suite' read as '3', 'Log' as '8'); readings now
compete by the ink they explain. Descending letters (g, p) are cut standing on the baseline
as in a line. Struck through: the rule is removed in every direction the picture is read (a
struck line seen sideways is one shape, read as '3'), short words' rules are found, and the
letters a rule only crosses (o, c) keep their insides."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.robust_draw import KINDS
from segmentation.chars import ink_mask
from segmentation.effects import remove_rules
from tests.fixture_styles import STYLES

SIZE = 56


def _picture(kind: str, font: str, text: str) -> np.ndarray:
    return KINDS[kind](STYLES[font], text, SIZE, np.random.default_rng(0))  # (H, W, 3) uint8


def _gray(kind: str, font: str, text: str) -> np.ndarray:
    return cv2.cvtColor(_picture(kind, font, text), cv2.COLOR_RGB2GRAY)


def _core(gray: np.ndarray) -> tuple[int, int]:
    rows = np.nonzero(ink_mask(gray).any(axis=1))[0]
    return int(rows[0]), int(rows[-1]) + 1


def _holes(mask: np.ndarray, min_area: int = 20) -> int:
    """Enclosed background areas (letter insides) of an ink mask."""
    contours, hier = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hier is None:
        return 0
    return sum(1 for c, h in zip(contours, hier[0], strict=True) if h[3] >= 0 and cv2.contourArea(c) >= min_area)


@pytest.mark.parametrize("font", ["roboto", "roboto-bold", "libre-baskerville"])
@pytest.mark.parametrize("text", ["Scissors", "Cocoa Room", "Bookshop"])
def test_a_rule_through_round_letters_leaves_them_open(font, text):
    struck = _gray("strike-through", font, text)
    fixed = remove_rules(struck, _core(struck))
    assert fixed is not None
    long_runs = cv2.morphologyEx(ink_mask(fixed).astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, 2 * SIZE), np.uint8))
    assert not long_runs.any()
    # no bar drawn across an o or a c (which reads 'Seissers', 'Coeoa'): no inside more than the plain line's
    assert _holes(ink_mask(fixed)) <= _holes(ink_mask(_gray("control", font, text)))


@pytest.mark.parametrize("text", ["Log", "Joy", "Yelp"])
def test_a_short_struck_word_loses_its_rule(text):
    """Cut as the detector boxes it (the ink with a margin of 12 % of its height), a short
    word's rule is shorter than 2.5 text heights."""
    struck = _gray("strike-through", "roboto", text)
    ys, xs = np.nonzero(ink_mask(struck))
    m = int(0.12 * (ys.max() - ys.min()))
    crop = struck[ys.min() - m:ys.max() + 1 + m, xs.min() - m:xs.max() + 1 + m]
    fixed = remove_rules(crop, _core(crop))
    assert fixed is not None
    width = int(ink_mask(crop).any(axis=0).sum())
    assert (ink_mask(crop).sum(axis=1) > 0.8 * width).any()  # the rule is there ...
    assert not (ink_mask(fixed).sum(axis=1) > 0.8 * width).any()  # ... and gone


@pytest.mark.slow
@pytest.mark.parametrize("font, word", [("roboto", "Suite"), ("roboto", "Owls"), ("roboto-bold", "Log"),
                                        ("libre-baskerville", "Sale"), ("roboto", "Chocolate")])
def test_stacked_letters_are_read_as_one_word(font, word):
    from segmentation import segment

    seg = segment(_picture("vertical-stack", font, word))
    assert seg.text == word[:7]  # robust_draw stacks at most 7 letters
    assert all(w.rotation == 0.0 for w in seg.words)


@pytest.mark.slow
@pytest.mark.parametrize("font, text", [("roboto", "Submit"), ("roboto", "Cocoa Room"), ("roboto-bold", "Scissors")])
def test_struck_lines_are_read_upright(font, text):
    from segmentation import segment

    seg = segment(_picture("strike-through", font, text))
    assert seg.text == text
    assert all(w.rotation == 0.0 for w in seg.words)


@pytest.mark.slow
@pytest.mark.parametrize("word, letter", [("Penguins", "g"), ("Maple", "p")])
def test_stacked_descenders_are_cut_as_in_a_line(word, letter):
    """A stacked g laid beside its neighbours with its bottom on theirs would be cut a
    descender's depth too high (7 of 40 rows): the glyph model would see no g of any font."""
    from segmentation import segment

    def rows(seg) -> tuple[int, int]:
        img = next(g.image for g in seg.glyphs if g.char == letter)  # (S, S) uint8, ink high
        ys = np.nonzero(img > 128)[0]
        return int(ys.min()), int(ys.max())

    stacked, line = (rows(segment(_picture(k, "roboto", word))) for k in ("vertical-stack", "control"))
    assert abs(stacked[0] - line[0]) <= 2 and abs(stacked[1] - line[1]) <= 2, (stacked, line)


WORDS = ["Zoom", "Settings", "Penguins", "SALE", "Quiet", "Inbox", "MENU", "Harbour", "Fabulous", "Exit"]


def _column(kind: str, font: str, word: str):
    from segmentation.orient import View
    from segmentation.stack import stack_view

    gray = _gray(kind, font, word)
    return stack_view(View(gray, (0, 0), (0, gray.shape[0])))


def test_letters_centred_one_per_row_are_told_from_a_turned_line():
    """The evidence that doubts a sideways reading of a column (segmentation.read._doubted):
    never given by a line turned 90 or 270 degrees, whose letters share a baseline."""
    from segmentation.stack import centred

    fonts = ["roboto", "roboto-bold", "libre-baskerville"]
    stacks = [centred(_column("vertical-stack", f, w)) for f in fonts for w in WORDS]
    turned = [centred(s) for f in fonts for w in WORDS for k in ("rotate-90", "rotate-270")
              if (s := _column(k, f, w)) is not None]
    assert not any(turned)
    assert np.mean(stacks) >= 0.5


def test_a_column_grows_over_a_letter_the_detector_missed():
    """A lone capital I or l is often not boxed by the detector: the column still starts at it,
    while a line of text across the top of the picture is no letter of the column."""
    from segmentation.stack import grown

    gray = _gray("vertical-stack", "roboto", "Inbox")
    ink = ink_mask(gray)
    rows = np.nonzero(ink.any(axis=1))[0]
    cols = np.nonzero(ink.any(axis=0))[0]
    first_gap = rows[np.nonzero(np.diff(rows) > 1)[0][0] + 1]  # where the n starts
    col = (int(cols[0]), int(first_gap), int(cols[-1]) + 1, int(rows[-1]) + 1)  # n, b, o, x
    assert grown(col, ink)[1] == rows[0]  # the I's top
    heading = np.zeros_like(ink)
    heading[rows[0]:rows[0] + 30, :] = True  # a wide line of ink where the I is
    assert grown(col, ink | heading)[1] == col[1]
