"""Round trip of the typography CSS (issue 16): identify a picture (or take
bench_typography's identification of it), render the CSS that `identify --css` prints
for it in headless Chromium (the read text of each region at the
region's place, the fonts loaded from the font cache instead of fontsource), and put the
two pictures side by side.

    python bench/bench_typography.py --make 120     # the test set, once
    python bench/typography_roundtrip.py            # -> bench/results/typography-roundtrip.png
"""

from __future__ import annotations

import base64
import html
import json
import os
import sys
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_typography import RESULTS, TESTSET  # noqa: E402
from bench.browser import SLACK, _run, find_browser  # noqa: E402
from glyphs.normalize import estimate_line_metrics  # noqa: E402
from glyphs.render import FontStyle, pick_file  # noqa: E402

PER_LAYOUT = 2


def vertical_metrics(path: str) -> tuple[float, float]:
    """(ascent, descent) in em as Chromium lays out lines (OS/2 typo when USE_TYPO_METRICS, else hhea)."""
    f = TTFont(path, lazy=True)
    upm = f["head"].unitsPerEm
    os2 = f["OS/2"] if "OS/2" in f else None
    if os2 is not None and os2.fsSelection & (1 << 7):
        return os2.sTypoAscender / upm, -os2.sTypoDescender / upm
    return f["hhea"].ascent / upm, -f["hhea"].descent / upm


def region_text(glyphs: list[tuple], ix: list[int]) -> list[str]:
    """The region's text as read, one string per line, words joined by spaces.
    ``glyphs``: (char, box, word, line) per glyph."""
    lines: dict[int, dict[int, str]] = {}
    for i in ix:
        ch, _, word, line = glyphs[i]
        words = lines.setdefault(line, {})
        words[word] = words.get(word, "") + ch
    return [" ".join(w[k] for k in sorted(w)) for _, w in sorted(lines.items())]


def page_for(regions: list[dict], glyphs: list[tuple], size: tuple[int, int], fonts) -> str:
    """HTML drawing each region (identify's JSON region objects) with the CSS identify
    printed, its first baseline on the measured one."""
    faces, divs = [], []
    bg = next((r["background"] for r in regions if r.get("background")), "#fff")
    for k, r in enumerate(regions, 1):
        f = r["fonts"][0]
        files = fonts.files(f["family"])
        if files is None or not r.get("size_px"):
            continue
        path = str(pick_file(files, FontStyle(f["weight"], 100, f["italic"])).path)
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        faces.append(f"@font-face{{font-family:'{f['name']}';src:url(data:font/woff2;base64,{data});"
                     f"font-weight:100 900;font-style:{'italic' if f['italic'] else 'normal'}}}")
        first_line = glyphs[r["glyphs"][0]][3]
        first = [glyphs[i] for i in r["glyphs"] if glyphs[i][3] == first_line]
        base = estimate_line_metrics([g[1] for g in first], [g[0] for g in first]).baseline
        asc, desc = vertical_metrics(path)
        lh, px = r["line_height"] or 1.2, r["size_px"]
        top = base - ((lh - asc - desc) / 2 + asc) * px
        x0, _, x1, _ = r["box"]
        place = {"center": f"left:{(x0 + x1) / 2 - 1000}px;width:2000px",
                 "right": f"left:{x1 - 2000}px;width:2000px"}.get(r["alignment"] or "", f"left:{x0}px")
        text = "<br>".join(html.escape(x) for x in region_text(glyphs, r["glyphs"]))
        divs.append(f'<div class="region-{k}" style="position:absolute;top:{top:.1f}px;{place};'
                    f'white-space:nowrap;line-height:{lh:g}">{text}</div>')
    css = "\n".join(r["css"] for r in regions if r.get("css"))
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{''.join(faces)}"
            f"body{{margin:0;background:{bg};width:{size[0]}px;height:{size[1]}px;overflow:hidden;"
            f"position:relative}}{css}</style></head><body>{''.join(divs)}</body></html>")


def screenshot(doc: str, size: tuple[int, int]) -> Image.Image:
    with tempfile.TemporaryDirectory(prefix="fff-roundtrip-") as tmp:
        page, shot = Path(tmp) / "page.html", Path(tmp) / "shot.png"
        page.write_text(doc, encoding="utf-8")
        _run([find_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              f"--user-data-dir={tmp}/profile", "--force-device-scale-factor=1",
              "--virtual-time-budget=5000", f"--window-size={size[0]},{size[1] + SLACK}",
              f"--screenshot={shot}", page.as_uri()])
        with Image.open(shot) as im:
            return im.convert("RGB").crop((0, 0, size[0], size[1]))


def identified(t: dict, ident) -> tuple[list[dict], list[tuple]]:
    """(identify's region objects, (char, box, word, line) per glyph) of a test picture:
    from bench_typography's predictions when it has identified it, else identified now."""
    from pipeline.output import ranking_to_dict
    from segmentation import load_image, segment

    cache = TESTSET / "predictions.jsonl"
    for line in (cache.read_text().splitlines() if cache.is_file() else []):
        row = json.loads(line)
        if row["file"] == t["file"]:
            g = row["pred"]["glyphs"]
            return row["pred"]["regions"], [(x["char"], x["box"], *wl) for x, wl in zip(g, row["word_line"], strict=True)]
    rgb = load_image(str(TESTSET / t["file"]))
    seg = segment(rgb, norm=ident().model.labels.norm, config=ident().segment_config)
    pred = ranking_to_dict(t["file"], ident().rank_glyphs(seg.glyphs, seg.text, 5, rgb))
    return pred["regions"], [(g.char, g.box, g.word_index, g.line_index) for g in seg.glyphs]


def main() -> int:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from pipeline.rank import get_identifier
    from pipeline.verify import FontSource

    truths = [json.loads(x) for x in (TESTSET / "truth.jsonl").read_text().splitlines()]
    chosen = []
    for layout in ("heading-body", "label-price", "caption-photo"):
        chosen += [t for t in truths if t["layout"] == layout][:PER_LAYOUT]
    fonts = FontSource.from_catalog()
    pairs = []
    for t in chosen:
        regions, glyphs = identified(t, get_identifier)
        with Image.open(TESTSET / t["file"]) as im:
            orig = im.convert("RGB")
        pairs.append((t, orig, screenshot(page_for(regions, glyphs, orig.size, fonts), orig.size)))
        print(f"{t['file']}: {len(regions)} regions", file=sys.stderr)
    out = RESULTS / "typography-roundtrip.png"
    sheet(pairs).save(out)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def sheet(pairs: list) -> Image.Image:
    """Rows of (original | CSS rendered by Chromium), scaled to half size, with captions."""
    w, h = pairs[0][1].width // 2, pairs[0][1].height // 2
    head = 22
    out = Image.new("RGB", (2 * w + 30, len(pairs) * (h + head) + 10), "white")
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(14)
    for k, (t, orig, made) in enumerate(pairs):
        y = k * (h + head) + 5
        truth = ", ".join(f"{r['family']} {r['size']}px" for r in t["regions"])
        draw.text((10, y + 3), f"{t['file']} as drawn ({truth})  |  right: its identify --css "
                  "in Chromium", font=font, fill=(60, 60, 60))
        out.paste(orig.resize((w, h), Image.LANCZOS), (10, y + head - 4))
        out.paste(made.resize((w, h), Image.LANCZOS), (w + 20, y + head - 4))
    return out


if __name__ == "__main__":
    sys.exit(int(main() or 0))
