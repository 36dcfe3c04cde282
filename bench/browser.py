"""The ``screenshot`` split: lines rendered by a real browser engine (headless
Chromium: Skia + HarfBuzz, not PIL/FreeType), with web-like colours and sizes.

Many lines share one page and one browser launch. Each line is an absolutely
positioned row of known height whose font stack falls back to a *blank* font
(every glyph empty, built here with fontTools): a row without ink means its web
font did not load, and it is retried once on a fresh page, then refused. A
control row in the blank font alone must stay empty (else the fallback itself
failed and the page is redone). Rows are cut from the screenshot by the known
layout and trimmed to the ink plus a margin.
"""

from __future__ import annotations

import base64
import html
import io
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from PIL import Image

from bench.draw import fit_size, fit_within
from bench.fonts import Style, css_face, css_variation, regular_style
from bench.splits import choose_text
from bench.texts import PHRASES
from glyphs.catalog import FamilyFiles

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
WEB_COLOURS = (  # (text, background)
    ("#111111", "#ffffff"), ("#333333", "#ffffff"), ("#222222", "#f5f5f5"), ("#1a0dab", "#ffffff"),
    ("#ffffff", "#1e1e1e"), ("#e8eaed", "#202124"), ("#ffffff", "#0b57d0"), ("#374151", "#f9fafb"),
    ("#5f6368", "#ffffff"), ("#ffffff", "#d93025"), ("#000000", "#fff8e1"), ("#263238", "#eceff1"),
)
WEB_SIZES = (16, 18, 20, 24, 28, 32, 36, 40, 48)  # CSS px
COL_W = 1040  # CSS px: page width
ROW_PAD = 20  # CSS px of background above and below each row's line box
MAX_PAGE_H = 6000  # CSS px of rows per page
SLACK = 240  # extra window height: headless Chromium leaves the bottom of the window unpainted
TIMEOUT_S = 90
CONTROL_H = 60  # CSS px: the blank-font control row at the top of each page
BLANK = "fff-blank"


class BrowserError(RuntimeError):
    """Chromium is missing, failed, or did not draw a row as laid out."""


@dataclass(frozen=True)
class WebLine:
    style: Style
    text: str
    size: int  # CSS px
    fg: str
    bg: str
    pad: int  # CSS px of background kept around the ink
    dsf: int  # device scale factor (2 = a HiDPI screenshot)

    @property
    def row_height(self) -> int:
        return int(np.ceil(self.size * 1.6)) + 2 * ROW_PAD


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise BrowserError("the screenshot split needs Chromium: apt-get install -y chromium")


def plan_line(files: FamilyFiles, rng: np.random.Generator) -> WebLine:
    """Random web-like text, size, colours and scale for one line of a family."""
    style = regular_style(files)
    text = choose_text(style, PHRASES, rng)
    dsf = 2 if rng.random() < 0.3 else 1
    fg, bg = WEB_COLOURS[int(rng.integers(0, len(WEB_COLOURS)))]
    pad = int(rng.integers(4, 17))
    max_w = min(COL_W - 60, 1000 // dsf - 2 * pad - 16)
    size = fit_size(style, text, int(WEB_SIZES[int(rng.integers(0, len(WEB_SIZES)))]), max_w)
    return WebLine(style, text, size, fg, bg, pad, dsf)


def render_lines(lines: list[WebLine]) -> list[Image.Image | None]:
    """Screenshots of ``lines`` (RGB, trimmed), in order; one launch per page of rows.
    Rows whose font did not load get a second page; None if they fail again."""
    exe = find_browser()
    out: dict[int, Image.Image | None] = {}
    for batch in _pages(lines):
        out.update(zip(batch, _render_page(exe, [lines[i] for i in batch]), strict=True))
    again = [i for i in range(len(lines)) if out[i] is None]
    for batch in _pages([lines[i] for i in again]):
        idx = [again[j] for j in batch]
        out.update(zip(idx, _render_page(exe, [lines[i] for i in idx]), strict=True))
    return [out[i] for i in range(len(lines))]


def _pages(lines: list[WebLine]) -> list[list[int]]:
    """Indices grouped into pages: one scale factor per page, at most MAX_PAGE_H tall."""
    pages: list[list[int]] = []
    for dsf in sorted({line.dsf for line in lines}):
        page, height = [], 0
        for i, line in enumerate(lines):
            if line.dsf != dsf:
                continue
            if page and height + line.row_height > MAX_PAGE_H // dsf:
                pages.append(page)
                page, height = [], 0
            page.append(i)
            height += line.row_height
        if page:
            pages.append(page)
    return pages


@lru_cache(maxsize=1)
def blank_face() -> str:
    """@font-face of a font whose every Latin glyph is empty (the detectable fallback)."""
    chars = [*range(0x20, 0x7F), *range(0xA0, 0x180), 0x20AC, 0x2013, 0x2014, 0x2018, 0x2019,
             0x201C, 0x201D, 0x2026]
    names = [".notdef"] + [f"u{c:04X}" for c in chars]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({c: f"u{c:04X}" for c in chars})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({n: empty for n in names})
    fb.setupHorizontalMetrics({n: (500, 0) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "FFF Blank", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    buf = io.BytesIO()
    fb.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f"@font-face{{font-family:'{BLANK}';src:url(data:font/ttf;base64,{data}) format('truetype')}}"


def page_html(lines: list[WebLine]) -> tuple[str, list[int]]:
    """The page and each row's top (CSS px); the control row sits above the first."""
    faces, names = [blank_face()], {}
    for line in lines:
        if line.style.path not in names:
            names[line.style.path] = f"f{len(names)}"
            faces.append(css_face(line.style, names[line.style.path]))
    rows = [f'<div style="top:0;height:{CONTROL_H}px;line-height:{CONTROL_H}px;font-size:32px;'
            f"color:#000;background:#fff;font-family:'{BLANK}'\">Hamburgefonstiv 0123</div>"]
    tops, top = [], CONTROL_H
    for line in lines:
        h = line.row_height
        face = f"font-family:'{names[line.style.path]}','{BLANK}';{css_variation(line.style)}"
        rows.append(f'<div style="top:{top}px;height:{h}px;line-height:{h}px;font-size:{line.size}px;'
                    f'color:{line.fg};background:{line.bg};{face}">{html.escape(line.text)}</div>')
        tops.append(top)
        top += h
    css = (f"body{{margin:0;background:#fff}}div{{position:absolute;left:0;width:{COL_W}px;"
           "box-sizing:border-box;padding-left:30px;white-space:nowrap;overflow:hidden;"
           "font-synthesis:none;font-kerning:normal}")
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><style>{''.join(faces)}{css}</style>"
           f"</head><body>{''.join(rows)}</body></html>")
    return doc, tops


def _render_page(exe: str, lines: list[WebLine], retries: int = 1) -> list[Image.Image | None]:
    """Rows of one page (None: font not loaded); the page is redone once if Chromium fails."""
    for attempt in range(retries + 1):
        try:
            shot = _screenshot(exe, lines)
            if _has_ink(shot[:CONTROL_H * lines[0].dsf], np.array([255, 255, 255], np.int16)):
                raise BrowserError("the blank fallback font did not load")
            tops = page_html(lines)[1]
            return [_cut_row(shot, line, top) for line, top in zip(lines, tops, strict=True)]
        except BrowserError:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


def _screenshot(exe: str, lines: list[WebLine]) -> np.ndarray:
    doc, tops = page_html(lines)
    dsf = lines[0].dsf
    height = tops[-1] + lines[-1].row_height
    with tempfile.TemporaryDirectory(prefix="fff-chromium-") as tmp:
        page, shot = Path(tmp) / "page.html", Path(tmp) / "shot.png"
        page.write_text(doc, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               "--mute-audio", f"--user-data-dir={tmp}/profile", f"--force-device-scale-factor={dsf}",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000",
               f"--window-size={COL_W},{height + SLACK}", f"--screenshot={shot}", page.as_uri()]
        err = _run(cmd)
        if not shot.is_file():
            raise BrowserError(f"Chromium wrote no screenshot: {err[-400:]}")
        with Image.open(shot) as im:
            return np.asarray(im.convert("RGB"))


def _run(cmd: list[str]) -> str:
    """Run Chromium in its own process group; on timeout kill that group. Returns stderr."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise BrowserError(f"Chromium took over {TIMEOUT_S} s") from e
    return err.decode(errors="replace")


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], np.int16)


def _has_ink(region: np.ndarray, bg: np.ndarray) -> bool:
    return bool((np.abs(region.astype(np.int16) - bg).max(axis=2) > 40).any())


def _cut_row(shot: np.ndarray, line: WebLine, top: int) -> Image.Image | None:
    """The row's ink plus its margin (None when the row has no ink: font not loaded)."""
    d = line.dsf
    y0, y1, cw = top * d, (top + line.row_height) * d, COL_W * d
    row = shot[y0:y1, :cw].astype(np.int16)
    bg = _rgb(line.bg)
    if row.shape[0] != y1 - y0 or np.abs(row[0, -1] - bg).max() > 3 or np.abs(row[-1, 0] - bg).max() > 3:
        raise BrowserError(f"row at y={top} was not painted as laid out")
    ys, xs = np.nonzero(np.abs(row - bg).max(axis=2) > 40)
    if ys.size == 0:
        return None
    m = line.pad * d
    box = (max(0, xs.min() - m), max(0, ys.min() - m), min(cw, xs.max() + 1 + m),
           min(row.shape[0], ys.max() + 1 + m))
    return fit_within(Image.fromarray(row[box[1]:box[3], box[0]:box[2]].astype(np.uint8)))
