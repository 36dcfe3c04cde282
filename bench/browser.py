"""The ``screenshot`` split: lines rendered by a real browser engine (headless
Chromium: Skia + HarfBuzz, not PIL/FreeType), with web-like colours and sizes.

Many lines share one page and one browser launch. Each line is an absolutely
positioned row of known height; beside it, in a second column, the same text in
the fallback font only. A row identical to its fallback twin means the web font
did not load (the row is retried, then refused). Rows are cut from the
screenshot by the known layout and trimmed to the ink plus a margin.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
COL_W = 1040  # CSS px per column
ROW_PAD = 20  # CSS px of background above and below each row's line box
MAX_PAGE_H = 6000  # CSS px of rows per page
SLACK = 240  # extra window height: headless Chromium leaves the bottom of the window unpainted
TIMEOUT_S = 180


class BrowserError(RuntimeError):
    """Chromium is missing, failed, or did not draw a row as laid out."""


class FontNotLoadedError(BrowserError):
    """A row drew in the fallback font: the web font did not load."""


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


def render_lines(lines: list[WebLine], retries: int = 1) -> list[Image.Image | None]:
    """Screenshots of ``lines`` (RGB, trimmed), in order; one launch per page of rows.
    A line whose font will not load is None (its page is retried line by line)."""
    exe = find_browser()
    out: dict[int, Image.Image | None] = {}
    for batch in _pages(lines):
        try:
            out.update(zip(batch, _render_retrying(exe, [lines[i] for i in batch], retries), strict=True))
        except FontNotLoadedError:
            for i in batch:
                try:
                    out[i] = _render_retrying(exe, [lines[i]], retries)[0]
                except FontNotLoadedError:
                    out[i] = None
    return [out[i] for i in range(len(lines))]


def _render_retrying(exe: str, lines: list[WebLine], retries: int) -> list[Image.Image]:
    for attempt in range(retries + 1):
        try:
            return _render_page(exe, lines)
        except FontNotLoadedError:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


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


def page_html(lines: list[WebLine]) -> tuple[str, list[int]]:
    """The page and each row's top (CSS px)."""
    faces, names = [], {}
    for line in lines:
        if line.style.path not in names:
            names[line.style.path] = f"f{len(names)}"
            faces.append(css_face(line.style, names[line.style.path]))
    rows, tops, top = [], [], 0
    for line in lines:
        h = line.row_height
        base = (f"top:{top}px;height:{h}px;line-height:{h}px;font-size:{line.size}px;"
                f"color:{line.fg};background:{line.bg};")
        face = f"font-family:'{names[line.style.path]}',monospace;{css_variation(line.style)}"
        text = html.escape(line.text)
        rows.append(f'<div style="left:0;{base}{face}">{text}</div>')
        rows.append(f'<div style="left:{COL_W}px;{base}font-family:monospace">{text}</div>')
        tops.append(top)
        top += h
    css = (f"body{{margin:0;background:#fff}}div{{position:absolute;width:{COL_W}px;"
           "box-sizing:border-box;padding-left:30px;white-space:nowrap;overflow:hidden;"
           "font-synthesis:none;font-kerning:normal}")
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><style>{''.join(faces)}{css}</style>"
           f"</head><body>{''.join(rows)}</body></html>")
    return doc, tops


def _render_page(exe: str, lines: list[WebLine]) -> list[Image.Image]:
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
               f"--window-size={2 * COL_W},{height + SLACK}", f"--screenshot={shot}", page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as e:
            raise BrowserError(f"Chromium took over {TIMEOUT_S} s on a page of {len(lines)} rows") from e
        if not shot.is_file():
            tail = proc.stderr.decode(errors="replace")[-400:]
            raise BrowserError(f"Chromium wrote no screenshot (exit {proc.returncode}): {tail}")
        with Image.open(shot) as im:
            arr = np.asarray(im.convert("RGB"))
    return [_cut_row(arr, line, top) for line, top in zip(lines, tops, strict=True)]


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], np.int16)


def _cut_row(shot: np.ndarray, line: WebLine, top: int) -> Image.Image:
    """The row's ink plus its margin, checked against the layout and its fallback twin."""
    d = line.dsf
    y0, y1, cw = top * d, (top + line.row_height) * d, COL_W * d
    row, twin = shot[y0:y1, :cw].astype(np.int16), shot[y0:y1, cw:2 * cw].astype(np.int16)
    bg = _rgb(line.bg)
    if row.shape[0] != y1 - y0 or np.abs(row[0, -1] - bg).max() > 3 or np.abs(row[-1, 0] - bg).max() > 3:
        raise BrowserError(f"row at y={top} was not painted as laid out")
    if np.array_equal(row, twin):
        raise FontNotLoadedError(f"{line.style.path.name} did not load in Chromium")
    ink = np.abs(row - bg).max(axis=2) > 40
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        raise BrowserError(f"row {line.text!r} at y={top} has no ink")
    m = line.pad * d
    box = (max(0, xs.min() - m), max(0, ys.min() - m), min(cw, xs.max() + 1 + m),
           min(row.shape[0], ys.max() + 1 + m))
    crop = Image.fromarray(row[box[1]:box[3], box[0]:box[2]].astype(np.uint8))
    return fit_within(crop)
