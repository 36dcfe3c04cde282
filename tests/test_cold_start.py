"""Cold-start work of issue 13 that must not change what is loaded: the font cache is listed
once (families not fetched are not looked into), and the glyph model's ONNX session is made
once for the engine check and the load."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from classifier.onnx_inference import _session, has_onnx, load_onnx_model
from glyphs.catalog import FamilyFiles, catalog_families, family_files, load_catalog

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CATALOG = FIXTURES / "catalog-tiny.txt"
MODEL = ROOT / "models" / "default"


def test_catalog_families_list_the_cache_as_each_family_looked_up_alone(tmp_path):
    cache = tmp_path / "fonts"
    shutil.copytree(FIXTURES / "fonts", cache)
    families = load_catalog(CATALOG)
    shutil.rmtree(cache / "lobster")  # not fetched
    shutil.rmtree(cache / "dancing-script")
    (cache / "dancing-script" / "static").mkdir(parents=True)  # a fetch that left nothing usable
    (cache / "stray-file").write_text("not a family")
    got = catalog_families(CATALOG, cache)
    assert got == tuple(family_files(f, cache) for f in families)
    assert 0 < sum(f.present for f in got) < len(families)
    variable = next(f for f in got if f.variable)
    assert [p.path.name for p in variable.variable] == sorted(os.listdir(cache / variable.family.id / "variable"))
    for missing in (tmp_path / "nothing-fetched", cache / "stray-file"):
        assert catalog_families(CATALOG, missing) == tuple(FamilyFiles(f) for f in families)


def test_the_glyph_model_session_is_made_once_and_again_for_new_weights(tmp_path):
    d = tmp_path / "model"
    shutil.copytree(MODEL, d, ignore=shutil.ignore_patterns("index", "*.png"))
    assert has_onnx(d)
    model = load_onnx_model(d)
    assert model.session is _session(d / "model.onnx", 1)  # the engine check's session, not a second one
    os.utime(d / "model.onnx", ns=(1, 1))  # the file replaced on disk: loaded afresh
    assert load_onnx_model(d).session is not model.session


def test_a_catalog_is_parsed_once_until_its_file_changes(tmp_path):
    path = tmp_path / "catalog.txt"
    shutil.copy(CATALOG, path)
    first = load_catalog(path)
    assert load_catalog(path) is first  # the font files and the index read the same parse
    path.write_text(CATALOG.read_text() + "lora\tLora\t400,700\t1\n")
    os.utime(path, ns=(1, 1))
    assert [f.id for f in load_catalog(path)] == [f.id for f in first] + ["lora"]


def test_identify_before_fonts_fetch_loads_no_font_reading_code(tmp_path):
    """The sample identified with no font files: fontTools (0.03 s of a 1.5 s cold start) and
    torch stay unimported."""
    empty = tmp_path / "fonts"
    empty.mkdir()
    code = ("import runpy, sys\n"
            f"sys.argv = ['cli.py', 'identify', {str(ROOT / 'examples' / 'sample.png')!r}, '--json', "
            f"'--fonts-dir', {str(empty)!r}]\n"
            "try:\n    runpy.run_path('cli.py', run_name='__main__')\nexcept SystemExit as e:\n    assert not e.code\n"
            "print(sorted(m for m in ('fontTools', 'torch') if m in sys.modules))\n")
    env = {**os.environ, "FREEFONTFINDER_FONTS": str(empty), "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    lines = p.stdout.strip().splitlines()
    assert json.loads(lines[0])["fonts"][0]["family"]  # identified
    assert lines[-1] == "[]"


def test_the_same_picture_is_not_detected_twice(monkeypatch):
    """segmentation.read looks again at full scale after a weak reading; when that look is the
    same pixels the previous CRAFT run saw, its boxes are reused (not computed again)."""
    from segmentation import SegmentConfig, load_image
    from segmentation.easyocr_backend import detect_regions, get_engine
    from segmentation.ocr_onnx import exported

    if not exported():
        pytest.skip("models/ocr/*.onnx not exported: run `python cli.py export --ocr`")
    engine = get_engine("onnx")
    calls = []
    detect = engine.detect
    monkeypatch.setattr(engine, "detect", lambda rgb, cfg: calls.append(rgb.shape) or detect(rgb, cfg))
    rgb = load_image(ROOT / "examples" / "sample.png")
    cfg = SegmentConfig(engine="onnx")
    first = detect_regions(engine, rgb, cfg)
    assert detect_regions(engine, rgb.copy(), cfg)[0] == first[0] and len(calls) == 1
    detect_regions(engine, rgb[:, :-8].copy(), cfg)  # other pixels
    detect_regions(engine, rgb[:, :-8].copy(), SegmentConfig(engine="onnx", low_text=0.3))  # other thresholds
    assert len(calls) == 3
