"""End to end with the shipped model: rendered lines of catalog families -> ranking,
and the identify command's contract (JSON Lines, order, exit statuses)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from glyphs.catalog import catalog_families
from glyphs.normalize import estimate_line_metrics, normalize_glyph
from glyphs.render import FontStyle, render_sample
from pipeline import DEFAULT_MODEL, get_identifier

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
# Catalog families whose files are committed as fixtures, with words not in the training list.
LINES = {
    "roboto": "Harbour lights 1987",
    "libre-baskerville": "Velvet thunder",
    "dancing-script": "Sunday picnic",
    "lobster": "Fresh Bakery",
    "roboto-flex": "Quantum bicycle",
}


def _families():
    return {f.family.id: f for f in catalog_families(FIX / "catalog-tiny.txt", FIX / "fonts")}


def _line_image(family: str, text: str, seed: int = 0) -> np.ndarray:
    """A lightly degraded photo-like line: grey ink on off-white, blur, noise, JPEG."""
    r, _ = render_sample(_families()[family], FontStyle(400), 56, text)
    ink = r.mask.astype(np.float32) / 255.0
    rgb = 240 + (35 - 240) * ink[..., None] * np.ones(3)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7))
    arr = np.asarray(img).astype(np.float32) + np.random.default_rng(seed).normal(0, 3, (img.height, img.width, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=85)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


@pytest.fixture(scope="module")
def ident():
    return get_identifier(str(DEFAULT_MODEL))


@pytest.fixture(scope="module", params=["onnx", "torch"])
def engine_ident(request):
    """An Identifier on each engine (.ci/run exports the ONNX files first)."""
    from pipeline import Identifier
    from pipeline.engine import onnx_missing

    if request.param == "onnx" and onnx_missing(DEFAULT_MODEL):
        pytest.skip("ONNX networks not exported: run `python cli.py export --ocr` (.ci/run does)")
    return Identifier(DEFAULT_MODEL, engine=request.param)


def test_five_catalog_families_rank_right(engine_ident):
    ident = engine_ident
    top1 = 0
    for family, text in LINES.items():
        ranking = ident.rank(_line_image(family, text), top=5)
        ids = [f.family for f in ranking.fonts]
        assert family in ids, (family, ranking.text, ids)
        top1 += ids[0] == family
        assert abs(sum(f.score for f in ranking.fonts) - 1) <= 1 + 1e-6
        assert len(ranking.glyphs) >= len(text.replace(" ", "")) * 0.7
    assert top1 >= 4


def test_rendered_and_segmented_glyphs_look_alike(ident):
    """The shared normalisation: glyphs cut from an image by segmentation look like the
    same glyphs normalised from their true render boxes."""
    text = "Velvet thunder"
    fam = _families()["libre-baskerville"]
    r, _ = render_sample(fam, FontStyle(400), 56, text)
    line = estimate_line_metrics(r.boxes, r.chars)
    truth = {ch: normalize_glyph(255 - r.mask, b, line) for ch, b in zip(r.chars, r.boxes, strict=True)}
    from segmentation import segment

    rgb = np.repeat((255 - r.mask)[..., None], 3, axis=2)
    seg = segment(rgb, norm=ident.model.labels.norm)
    sims = []
    for g in seg.glyphs:
        if g.char in truth:
            a, b = truth[g.char].astype(np.float32).ravel(), g.image.astype(np.float32).ravel()
            sims.append(float(np.corrcoef(a, b)[0, 1]))
    assert len(sims) >= 8 and np.median(sims) > 0.8


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "identify", *args],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_identify_json_lines_order_errors_and_empty(tmp_path):
    good = tmp_path / "good.png"
    Image.fromarray(_line_image("lobster", "Fresh Bakery")).save(good)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (300, 100), "white").save(blank)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"%PDF-1.4 this is not an image")
    p = _run(str(good), str(bad), str(blank), "--json")
    assert p.returncode == 1, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [Path(r["image"]).name for r in rows] == ["good.png", "broken.jpg", "blank.png"]
    assert rows[0]["error"] is None and rows[0]["fonts"][0]["family"] == "lobster"
    assert rows[1]["fonts"] == [] and rows[1]["error"] and "Traceback" not in p.stderr
    assert rows[2]["error"] is None and rows[2]["fonts"] == [] and rows[2]["glyphs"] == []
    ok = _run(str(blank))
    assert ok.returncode == 0 and "no text found" in ok.stdout
    text = _run(str(bad), str(blank))  # text output: the error on stderr, the results alone on stdout
    assert text.returncode == 1 and "Traceback" not in text.stderr
    assert f"error: {bad} is a PDF document, not an image" in text.stderr  # the path as given
    missing = _run(str(tmp_path / "nope.png"))  # a missing file and a broken one name the file the same way
    assert missing.returncode == 1 and f"error: {tmp_path / 'nope.png'} does not exist." in missing.stderr
    assert "error" not in text.stdout and "no text found" in text.stdout



@pytest.mark.parametrize("flags, says", [(("--top", "0"), "at least 1"), (("--top", "-1"), "at least 1"),
                                         (("--backend", "bogus"), "invalid choice")])
def test_bad_flags_are_usage_errors_not_tracebacks(flags, says):
    """A negative --top once printed 1,565 rows and a made-up backend a traceback: both are usage errors."""
    p = _run("examples/sample.png", *flags)
    assert p.returncode == 2 and says in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_the_text_output_counts_the_main_texts_characters_and_names_its_decorations():
    """With two texts in a picture the evidence line counts the main text's characters (not all of them)
    and says how many the picture holds; the main text's decorations are named (second fresh-user trial:
    'evidence: 44 characters' under a 10-letter heading)."""
    from pipeline.output import format_table
    from pipeline.types import FontScore, GlyphEvidence, Ranking, Region
    from typography.types import Typography

    glyphs = [GlyphEvidence(c, (i, 0, i + 1, 1), 0.9, "oswald") for i, c in enumerate("SALEtoday")]
    heading = [FontScore("oswald", "Oswald", 0.9, 700, 100, False)]
    typo = Typography(size_px=40.0, letter_spacing_em=None, line_height=None, color=None, background=None,
                      alignment=None, case="upper", decorations=("underline",), css="", fontsource="", css_import="",
                      metrics="font")
    ranking = Ranking(heading, glyphs, "SALE today", [
        Region((0, 0, 4, 1), heading, [0, 1, 2, 3], typo),
        Region((4, 0, 9, 1), [FontScore("roboto", "Roboto", 0.8, 400, 100, False)], [4, 5, 6, 7, 8])])
    text = format_table("pic.png", ranking)
    assert "evidence: 4 characters of the main text (9 in the picture)" in text
    assert "drawn with: underline" in text
