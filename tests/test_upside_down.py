"""Upside-down lines that the recogniser reads confidently as other letters ('sayoimpups' for
'Sandwiches'): the letters hang from a common top line (segmentation.orient.hangs), so the
box is also read turned 180 degrees and the upright reading wins. Real fonts (tests/fixtures)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.robust_draw import KINDS
from segmentation.orient import View, hangs
from tests.fixture_styles import STYLES


def _view(kind: str, font: str, text: str) -> View:
    import cv2

    gray = cv2.cvtColor(KINDS[kind](STYLES[font], text, 56, np.random.default_rng(0)), cv2.COLOR_RGB2GRAY)
    return View(gray, (0, 0), (0, gray.shape[0]))


@pytest.mark.parametrize("font", ["roboto", "roboto-bold", "libre-baskerville"])
@pytest.mark.parametrize("text", ["Sandwiches", "Profile", "Quiet harbour", "Bookshop"])
def test_upside_down_lowercase_hangs_and_upright_does_not(font, text):
    assert hangs(_view("rotate-180", font, text))
    assert not hangs(_view("control", font, text))


@pytest.mark.parametrize("font", ["roboto", "roboto-bold", "libre-baskerville", "lobster"])
def test_an_exclamation_mark_does_not_make_a_line_hang(font):
    # the bar of a '!' alone ends above the baseline: with its dot it is one unit (orient.columns_joined)
    assert not hangs(_view("control", font, "Oh!"))


@pytest.mark.parametrize("text", ["Sandwiches", "Profile", "Quiet harbour"])
def test_joined_script_gives_no_evidence_either_way(text):
    assert not hangs(_view("control", "lobster", text))


@pytest.mark.parametrize("text", ["SALE", "EXIT 12", "Log In"])
def test_capitals_never_hang(text):
    for kind in ("control", "rotate-180"):
        assert not hangs(_view(kind, "roboto", text)), (kind, text)


@pytest.mark.slow
def test_a_confidently_misread_upside_down_line_is_read_upright():
    from segmentation import segment

    seg = segment(KINDS["rotate-180"](STYLES["roboto"], "Sandwiches", 56, np.random.default_rng(0)))
    assert seg.text == "Sandwiches"
    assert all(w.rotation == 180.0 for w in seg.words)


@pytest.mark.parametrize("font", ["roboto", "libre-baskerville"])
def test_letter_sized_parts_are_counted_alike_upright_and_sideways(font):
    # a reading of one character from three letters' ink ('Gym' sideways as '3') is implausible
    # only if the letters count alike both ways; the dot of the i is not a letter
    from segmentation.passes import letter_parts as _parts

    gray = _view("control", font, "Taxi").gray
    h, w = gray.shape
    assert _parts(gray, (0, h)) == 4
    assert _parts(np.ascontiguousarray(np.rot90(gray)), (0, w)) == 4


@pytest.mark.parametrize("font", ["roboto", "libre-baskerville"])
def test_a_weakly_read_flat_line_is_not_turned_sideways_but_a_tall_one_is(font):
    # a display face read weakly upright is still written left to right: turning the picture
    # cost 0.4-0.7 CPU s and read nothing better (bench/results/robustness_speed.md); a line
    # standing on its end is still turned, however weakly it was read
    from segmentation import SegmentConfig
    from segmentation.passes import try_sideways as _try_sideways

    cfg = SegmentConfig()
    flat = _view("control", font, "Sandwiches")
    tall = _view("rotate-90", font, "Sandwiches")
    assert not _try_sideways([flat], [None], [], cfg)
    assert _try_sideways([tall], [None], [], cfg)
    assert _try_sideways([flat, tall], [None, None], [], cfg)  # a side label beside a heading


@pytest.mark.slow
def test_a_small_vertical_label_beside_a_heading_is_read_turned():
    # a side label half the heading's size is too small a share of the text for tall_share, and the
    # heading reads surely; its upright reading ('8' from a column of letters) cannot be its text
    from segmentation import segment

    heading = KINDS["control"](STYLES["libre-baskerville"], "Annual Book Fair", 64, np.random.default_rng(0))
    label = KINDS["rotate-90"](STYLES["roboto"], "SPRING 2025", 30, np.random.default_rng(0))
    h = max(heading.shape[0], label.shape[0])
    page = np.full((h, heading.shape[1] + label.shape[1] + 40, 3), 245, np.uint8)
    page[(h - heading.shape[0]) // 2:(h - heading.shape[0]) // 2 + heading.shape[0], :heading.shape[1]] = heading
    page[:label.shape[0], heading.shape[1] + 40:] = label
    seg = segment(page)
    turned = [w for w in seg.words if w.rotation in (90.0, 270.0)]
    assert "".join(w.text for w in turned) == "SPRING2025"
    assert " ".join(w.text for w in seg.words if w.rotation == 0.0) == "Annual Book Fair"
