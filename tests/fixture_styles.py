"""Fixture fonts (tests/fixtures/fonts) as bench.fonts.Style, for tests that draw pictures with
bench.robust_draw: regular, bold, a serif and a script face."""

from __future__ import annotations

from pathlib import Path

from bench.fonts import Style

FONTS = Path(__file__).resolve().parent / "fixtures" / "fonts"
STYLES = {
    "roboto": Style(FONTS / "roboto" / "static" / "roboto-latin-400-normal.woff2", 400),
    "roboto-bold": Style(FONTS / "roboto" / "static" / "roboto-latin-700-normal.woff2", 700),
    "libre-baskerville": Style(FONTS / "libre-baskerville" / "static" / "libre-baskerville-latin-400-normal.woff2",
                               400),
    "lobster": Style(FONTS / "lobster" / "static" / "lobster-latin-400-normal.woff2", 400),
}
