"""The typography test set: pictures of two or three text regions in different fonts and
sizes (heading + body, label + name + price, caption over a photo), drawn by headless
Chromium from CSS written here, so the truth of every region *is* its CSS: family,
weight, font-size, letter-spacing, line-height, colour, background, alignment.

Several pictures share one page and one browser launch; each is an absolutely
positioned box of SCENE_W x SCENE_H CSS px cut from the screenshot. Font stacks fall
back to the blank font of bench.browser, so a region whose web font did not load has
no ink and its picture is dropped. A third of the pictures are saved as JPEG.
"""

from __future__ import annotations

import base64
import html
import io
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench.browser import BLANK, SLACK, _run, blank_face, find_browser
from bench.draw import text_width
from bench.fonts import Style, covers, css_face, css_variation, other_styles, regular_style
from bench.scene import background as photo_background
from bench.texts import PHRASES
from glyphs.catalog import FamilyFiles

SCENE_W, SCENE_H = 760, 420  # CSS px per picture (device scale factor 1: CSS px = pixels)
PER_PAGE = 8
MARGIN = 40
DARK_ON_LIGHT = (("#111111", "#ffffff"), ("#1f2937", "#f9fafb"), ("#7a1f1f", "#fff8e7"),
                 ("#0b3d91", "#eef3fb"), ("#333333", "#f4efe6"), ("#14532d", "#f0fdf4"))
LIGHT_ON_DARK = (("#ffffff", "#111827"), ("#fde68a", "#1e293b"), ("#e8eaed", "#202124"),
                 ("#ffffff", "#0b57d0"), ("#f5f5f4", "#7c2d12"))


@dataclass(frozen=True)
class RegionSpec:
    role: str  # heading | body | label | name | price | title | credit
    family: str
    weight: int
    italic: bool
    size: int  # CSS px
    letter_spacing: float  # em
    line_height: float  # unitless
    color: str
    lines: tuple[str, ...]
    align: str
    box: tuple[int, int, int, int]  # the region's CSS box in the picture (x0, y0, x1, y1)
    font_file: str  # the file that draws it
    variable: bool  # a variable file (font-variation-settings set to the weight)


@dataclass(frozen=True)
class SceneSpec:
    name: str
    layout: str  # heading-body | label-price | caption-photo
    background: str  # '#rrggbb', or 'photo'
    regions: tuple[RegionSpec, ...]
    jpeg: bool
    photo_png: str = ""  # base64 PNG of the photo background (caption-photo)


def _pick_style(files: FamilyFiles, rng: np.random.Generator, bold_share: float) -> Style:
    if rng.random() < bold_share:
        heavy = [s for s in other_styles(files) if s.width == 100.0 and not s.italic and s.weight >= 600]
        if heavy:
            return heavy[int(rng.integers(0, len(heavy)))]
    return regular_style(files)


def _lines(style: Style, rng: np.random.Generator, n: int, size: int, ls: float, max_w: int,
           upper: bool = False, words: tuple[int, int] = (1, 3)) -> tuple[str, ...] | None:
    """``n`` lines of benchmark phrases that the font draws and that fit ``max_w``."""
    out = []
    for _ in range(n):
        for _ in range(30):
            k = int(rng.integers(words[0], words[1] + 1))
            text = " ".join(PHRASES[int(rng.integers(0, len(PHRASES)))] for _ in range(k))
            text = text.upper() if upper else text
            w = text_width(style, text, size) + ls * size * len(text)
            if covers(style, text) and w <= max_w:
                out.append(text)
                break
        else:
            return None
    return tuple(out)


def _region(role: str, files: FamilyFiles, style: Style, size: int, ls: float, lh: float, colour: str,
            lines: tuple[str, ...], align: str, x: int, y: int, w: int) -> RegionSpec:
    h = int(round(len(lines) * lh * size))
    return RegionSpec(role, files.family.id, style.weight, style.italic, size, ls, lh, colour, lines, align,
                      (x, y, x + w, y + h), str(style.path), style.variable)


def region_style(r: RegionSpec) -> Style:
    return Style(Path(r.font_file), r.weight, 100.0, r.italic, r.variable)


def heading_body(fa: FamilyFiles, fb: FamilyFiles, rng: np.random.Generator) -> tuple[list, str] | None:
    fg, bg = (DARK_ON_LIGHT + LIGHT_ON_DARK)[int(rng.integers(0, 11))]
    sa, sb = _pick_style(fa, rng, 0.4), _pick_style(fb, rng, 0.1)
    size_a, size_b = int(rng.integers(34, 65)), int(rng.integers(15, 23))
    ls_a = float(rng.choice([0.0, 0.0, -0.02, 0.03, 0.06]))
    ls_b = float(rng.choice([0.0, 0.0, 0.0, 0.02]))
    lh_b = float(rng.choice([1.3, 1.45, 1.6, 1.75]))
    align = str(rng.choice(["left", "left", "center"]))
    w = SCENE_W - 2 * MARGIN
    head = _lines(sa, rng, 1, size_a, ls_a, w, words=(1, 2))
    body = _lines(sb, rng, int(rng.integers(2, 4)), size_b, ls_b, w, words=(2, 4))
    if not head or not body:
        return None
    y = int(rng.integers(30, 70))
    ra = _region("heading", fa, sa, size_a, ls_a, 1.2, fg, head, align, MARGIN, y, w)
    rb = _region("body", fb, sb, size_b, ls_b, lh_b, fg, body, align, MARGIN, ra.box[3] + int(0.6 * size_a), w)
    return ([ra, rb], bg) if rb.box[3] < SCENE_H - 10 else None


def label_price(fa: FamilyFiles, fb: FamilyFiles, fc: FamilyFiles | None,
                rng: np.random.Generator) -> tuple[list, str] | None:
    fg, bg = DARK_ON_LIGHT[int(rng.integers(0, len(DARK_ON_LIGHT)))]
    w, x = SCENE_W - 2 * MARGIN, MARGIN
    sa, sb = _pick_style(fa, rng, 0.5), _pick_style(fb, rng, 0.5)
    size_a, size_b = int(rng.integers(14, 21)), int(rng.integers(48, 81))
    ls_a = float(rng.choice([0.08, 0.12, 0.2]))
    label = _lines(sa, rng, 1, size_a, ls_a, w, upper=True, words=(1, 2))
    price = (f"${int(rng.integers(2, 990))}.{int(rng.integers(0, 100)):02d}",)
    if not label or not covers(sb, price[0]):
        return None
    y = int(rng.integers(40, 80))
    regions = [_region("label", fa, sa, size_a, ls_a, 1.2, fg, label, "left", x, y, w)]
    y = regions[-1].box[3] + 16
    if fc is not None:
        sc = _pick_style(fc, rng, 0.2)
        size_c = int(rng.integers(24, 31))
        name = _lines(sc, rng, 1, size_c, 0.0, w, words=(1, 2))
        if not name:
            return None
        regions.append(_region("name", fc, sc, size_c, 0.0, 1.2, fg, name, "left", x, y, w))
        y = regions[-1].box[3] + 16
    regions.append(_region("price", fb, sb, size_b, float(rng.choice([0.0, -0.02])), 1.1, fg, price,
                           "left", x, y, w))
    return (regions, bg) if regions[-1].box[3] < SCENE_H - 10 else None


def caption_photo(fa: FamilyFiles, fb: FamilyFiles, rng: np.random.Generator) -> tuple[list, str, str] | None:
    photo, _ = photo_background(rng, SCENE_W, SCENE_H)
    dark = float(photo.mean()) < 110 or rng.random() < 0.7
    photo = photo * 0.45 if dark else photo * 0.5 + 127  # darken or lighten: the caption stays legible
    fg = "#ffffff" if dark else "#111111"
    sa, sb = _pick_style(fa, rng, 0.5), _pick_style(fb, rng, 0.1)
    size_a, size_b = int(rng.integers(36, 61)), int(rng.integers(16, 23))
    w = SCENE_W - 2 * MARGIN
    title = _lines(sa, rng, 1, size_a, 0.0, w, words=(1, 2))
    credit = _lines(sb, rng, 1, size_b, 0.02, w, words=(2, 3))
    if not title or not credit:
        return None
    y = SCENE_H - int(rng.integers(40, 70)) - int(1.2 * size_a) - int(1.4 * size_b) - 16
    ra = _region("title", fa, sa, size_a, 0.0, 1.2, fg, title, "left", MARGIN, y, w)
    rb = _region("credit", fb, sb, size_b, 0.02, 1.4, fg, credit, "left", MARGIN, ra.box[3] + 16, w)
    buf = io.BytesIO()
    Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)).save(buf, format="PNG")
    return [ra, rb], "photo", base64.b64encode(buf.getvalue()).decode("ascii")


def plan_scene(name: str, families: list[FamilyFiles], rng: np.random.Generator) -> SceneSpec | None:
    """One random picture: a layout, distinct families, sizes, spacing, colours."""
    pick = rng.choice(len(families), size=3, replace=False)
    fa, fb, fc = (families[int(i)] for i in pick)
    u = rng.random()
    photo = ""
    if u < 0.5:
        made, layout = heading_body(fa, fb, rng), "heading-body"
    elif u < 0.75:
        made, layout = label_price(fa, fb, fc if rng.random() < 0.5 else None, rng), "label-price"
    else:
        made, layout = caption_photo(fa, fb, rng), "caption-photo"
        if made:
            made, photo = (made[0], made[1]), made[2]
    if made is None:
        return None
    regions, bg = made
    return SceneSpec(name, layout, bg, tuple(regions), bool(rng.random() < 1 / 3), photo)


def page_html(scenes: list[SceneSpec]) -> str:
    """One page holding ``scenes`` stacked top to bottom, SCENE_H CSS px each."""
    faces, names = [blank_face()], {}
    divs = []
    for k, sc in enumerate(scenes):
        bg = (f"background:url(data:image/png;base64,{sc.photo_png})" if sc.background == "photo"
              else f"background:{sc.background}")
        inner = []
        for r in sc.regions:
            if r.font_file not in names:
                names[r.font_file] = f"f{len(names)}"
                faces.append(css_face(region_style(r), names[r.font_file]))
            x0, y0, x1, _ = r.box
            text = "<br>".join(html.escape(t) for t in r.lines)
            inner.append(f'<div class="r" style="left:{x0}px;top:{y0}px;width:{x1 - x0}px;'
                         f"font-family:'{names[r.font_file]}','{BLANK}';{css_variation(region_style(r))}"
                         f"font-size:{r.size}px;letter-spacing:{r.letter_spacing:g}em;"
                         f'line-height:{r.line_height:g};color:{r.color};text-align:{r.align}">{text}</div>')
        divs.append(f'<div class="s" style="top:{k * SCENE_H}px;{bg}">{"".join(inner)}</div>')
    css = (f"body{{margin:0;background:#fff}}.s{{position:absolute;left:0;width:{SCENE_W}px;"
           f"height:{SCENE_H}px;overflow:hidden}}.r{{position:absolute;white-space:nowrap;"
           "font-synthesis:none;font-kerning:normal}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{''.join(faces)}{css}</style>"
            f"</head><body>{''.join(divs)}</body></html>")


def render_scenes(scenes: list[SceneSpec]) -> list[Image.Image]:
    """Screenshots of ``scenes`` (RGB, SCENE_W x SCENE_H), PER_PAGE per browser launch."""
    exe = find_browser()
    out = []
    for i in range(0, len(scenes), PER_PAGE):
        batch = scenes[i:i + PER_PAGE]
        with tempfile.TemporaryDirectory(prefix="fff-typo-") as tmp:
            page, shot = Path(tmp) / "page.html", Path(tmp) / "shot.png"
            page.write_text(page_html(batch), encoding="utf-8")
            _run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                  "--no-first-run", "--disable-background-networking", f"--user-data-dir={tmp}/profile",
                  "--force-device-scale-factor=1", "--run-all-compositor-stages-before-draw",
                  "--virtual-time-budget=5000", f"--window-size={SCENE_W},{len(batch) * SCENE_H + SLACK}",
                  f"--screenshot={shot}", page.as_uri()])
            with Image.open(shot) as im:
                arr = np.asarray(im.convert("RGB"))
        out += [Image.fromarray(arr[k * SCENE_H:(k + 1) * SCENE_H, :SCENE_W]) for k in range(len(batch))]
    return out


def inked(img: Image.Image, sc: SceneSpec) -> bool:
    """Every region drew ink (its web font loaded): pixels far from the region's own
    surroundings inside its box."""
    arr = np.asarray(img).astype(np.int16)
    for r in sc.regions:
        x0, y0, x1, y1 = r.box
        patch = arr[y0:y1, x0:x1]
        fg = np.array([int(r.color[i:i + 2], 16) for i in (1, 3, 5)], np.int16)
        if patch.size == 0 or (np.abs(patch - fg).max(axis=2) < 40).sum() < 10:
            return False
    return True


def make_testset(out: Path, families: list[FamilyFiles], n: int, seed: int) -> int:
    """Draw ``n`` pictures into ``out`` (PNG/JPEG + truth.jsonl); returns how many were kept."""
    rng = np.random.default_rng(seed)
    scenes: list[SceneSpec] = []
    while len(scenes) < n:
        sc = plan_scene(f"typo-{len(scenes):04d}", families, rng)
        if sc is not None:
            scenes.append(sc)
    out.mkdir(parents=True, exist_ok=True)
    kept = 0
    with open(out / "truth.jsonl", "w") as f:
        for sc, img in zip(scenes, render_scenes(scenes), strict=True):
            if not inked(img, sc):
                continue
            path = out / f"{sc.name}.{'jpg' if sc.jpeg else 'png'}"
            img.save(path, **({"quality": 85} if sc.jpeg else {}))
            row = {k: v for k, v in asdict(sc).items() if k != "photo_png"}
            f.write(json.dumps({**row, "file": path.name}) + "\n")
            kept += 1
    return kept
