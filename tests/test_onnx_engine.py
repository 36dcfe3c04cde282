"""The ONNX Runtime engine: same readings, boxes and scores as torch, provenance checked, and
identification running in a process where torch cannot be imported.

OCR tests need models/ocr/*.onnx (`python cli.py export --ocr`, which .ci/run does first);
without them they are skipped with that reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from segmentation import SegmentConfig, load_image, segment
from segmentation.ocr_onnx import DETECTOR, RECOGNIZER, exported, ocr_dir

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample.png"
needs_ocr_onnx = pytest.mark.skipif(not exported(), reason="models/ocr/*.onnx not exported: "
                                    "run `python cli.py export --ocr` (.ci/run does)")
# Makes `import torch` (and easyocr, onnx) fail in a child process: proof the path needs none of them.
NO_TORCH = "import sys\nfor m in ('torch', 'torchvision', 'easyocr', 'onnx'):\n    sys.modules[m] = None\n"


def test_numpy_pre_and_post_processing_match_easyocr():
    """segmentation.easyocr_numpy gives EasyOCR's own results on real CRAFT-like maps."""
    pytest.importorskip("easyocr")
    from easyocr import craft_utils, imgproc, utils
    from easyocr.recognition import adjust_contrast_grey

    from segmentation import easyocr_numpy as en

    rng = np.random.default_rng(0)
    rgb = load_image(SAMPLE)
    x, ratio = en.craft_input(rgb, 640)
    ref, ref_ratio, _ = imgproc.resize_aspect_ratio(rgb, 640, interpolation=1, mag_ratio=1)
    np.testing.assert_allclose(x[0].transpose(1, 2, 0), imgproc.normalizeMeanVariance(ref), atol=1e-5)
    assert ratio == pytest.approx(ref_ratio)
    # Maps with blobs of text and links: smoothed noise, thresholds as the reader uses them.
    import cv2

    for seed in range(3):
        noise = np.random.default_rng(seed).random((96, 320, 2)).astype(np.float32)
        maps = cv2.GaussianBlur(noise, (0, 0), 4) * 3 - 1.0
        maps = np.clip(maps, 0, 1).astype(np.float32)
        mine = en.det_boxes(maps[..., 0], maps[..., 1], 0.7, 0.4, 0.4)
        theirs, _, _ = craft_utils.getDetBoxes(maps[..., 0], maps[..., 1], 0.7, 0.4, 0.4)
        assert len(mine) == len(theirs) and len(mine) > 0
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(a, b)
        polys = [np.array(b * 2.5).astype(np.int32).reshape(-1) for b in mine]
        assert en.group_text_box(polys) == utils.group_text_box(polys, 0.1, 0.5, 0.5, 0.5, 0.1, True)
    crop = (rng.random((30, 90)) * 40 + 100).astype(np.uint8)  # low contrast
    np.testing.assert_array_equal(en.adjust_contrast_grey(crop, 0.5), adjust_contrast_grey(crop, 0.5))


@needs_ocr_onnx
@pytest.mark.slow
def test_both_engines_read_the_sample_alike():
    pytest.importorskip("easyocr")
    rgb = load_image(SAMPLE)
    segs = {e: segment(rgb, config=replace(SegmentConfig(), engine=e)) for e in ("onnx", "torch")}
    assert segs["onnx"].text == segs["torch"].text == "Quietly jumping over lazy foxes"
    boxes = [[g.box for g in s.glyphs] for s in segs.values()]
    assert boxes[0] == boxes[1]


@needs_ocr_onnx
@pytest.mark.slow
def test_torch_engine_runs_the_network_the_onnx_engine_runs():
    """``torch`` is the exported float recogniser (in eval mode: EasyOCR leaves a float one in
    training mode, whose BatchNorm then uses each crop's statistics); ``torch-int8`` is
    EasyOCR's int8 default, a different network. Logits of the sample's words, both heights."""
    pytest.importorskip("easyocr")
    import cv2

    from segmentation.easyocr_backend import get_engine

    gray = load_image(SAMPLE).mean(axis=2)
    crops = [gray[40:150, 20:500], gray[40:150, 480:1060]]  # (110, w): two word groups of the line
    engines = {e: get_engine(e) for e in ("onnx", "torch", "torch-int8")}
    assert not engines["torch"].reader.recognizer.training
    for crop in crops:
        for height in (64, 96):
            w = round(crop.shape[1] * height / crop.shape[0])
            x = cv2.resize(crop.astype(np.float32), (w, height), interpolation=cv2.INTER_AREA)
            x = ((x / 255.0 - 0.5) / 0.5).astype(np.float32)[None, None]  # (1, 1, H, W)
            logits = {e: eng.logits(x) for e, eng in engines.items()}  # (T, C) each
            assert np.abs(logits["torch"] - logits["onnx"]).max() < 1e-3
            assert np.abs(logits["torch-int8"] - logits["onnx"]).max() > 1e-2  # really quantised


@needs_ocr_onnx
def test_onnx_files_record_and_check_their_source(tmp_path, monkeypatch):
    onnx = pytest.importorskip("onnx")
    from segmentation.easyocr_backend import WEIGHTS_MD5, OcrUnavailableError
    from segmentation.ocr_onnx import OnnxOcr

    ocr = OnnxOcr(ocr_dir())
    assert ocr.metadata[DETECTOR]["source_md5"] == WEIGHTS_MD5["craft_mlt_25k.pth"]
    assert ocr.metadata[RECOGNIZER]["source_md5"] == WEIGHTS_MD5["english_g2.pth"]
    assert ocr.character[0] == "[blank]" and "a" in ocr.character
    assert all(0 < i < len(ocr.character) for i in ocr.ignored)
    shutil.copy(ocr_dir() / DETECTOR, tmp_path / DETECTOR)
    model = onnx.load(str(ocr_dir() / RECOGNIZER))
    for p in model.metadata_props:
        if p.key == "source_md5":
            p.value = "0" * 32  # as if exported from other weights
    onnx.save(model, str(tmp_path / RECOGNIZER))
    with pytest.raises(OcrUnavailableError, match="not exported from EasyOCR's english_g2.pth"):
        OnnxOcr(tmp_path)
    (tmp_path / RECOGNIZER).unlink()
    with pytest.raises(OcrUnavailableError, match="export --ocr"):
        OnnxOcr(tmp_path)


def _identify_without_torch(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "shim").mkdir(exist_ok=True)
    (tmp_path / "shim" / "sitecustomize.py").write_text(NO_TORCH)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "shim"), str(ROOT)])}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "identify", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


@needs_ocr_onnx
@pytest.mark.slow
def test_identify_runs_without_torch(tmp_path):
    (tmp_path / "nofonts").mkdir()
    p = _identify_without_torch(tmp_path, str(SAMPLE), "--json", "--fonts-dir", str(tmp_path / "nofonts"))
    assert p.returncode == 0, p.stderr
    row = json.loads(p.stdout)
    assert row["text"] == "Quietly jumping over lazy foxes"
    assert row["fonts"][0]["family"] == "playfair-display"


def test_missing_onnx_files_give_one_clear_sentence(tmp_path):
    env_dir = tmp_path / "empty-ocr"
    env_dir.mkdir()
    (tmp_path / "shim").mkdir()
    (tmp_path / "shim" / "sitecustomize.py").write_text(NO_TORCH)
    env = {**os.environ, "FREEFONTFINDER_OCR_DIR": str(env_dir),
           "PYTHONPATH": os.pathsep.join([str(tmp_path / "shim"), str(ROOT)])}
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "identify", str(SAMPLE)], capture_output=True,
                       text=True, timeout=120, cwd=ROOT, env=env)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert "python cli.py export --ocr" in p.stderr and "craft.onnx" in p.stderr


@needs_ocr_onnx
def test_a_stale_glyph_model_onnx_is_not_used(tmp_path):
    """model.onnx exported from other weights: auto falls back to torch, onnx says to re-export."""
    onnx = pytest.importorskip("onnx")
    from pipeline.engine import resolve_engine
    from segmentation.easyocr_backend import OcrUnavailableError

    d = tmp_path / "model"
    shutil.copytree(ROOT / "models" / "default", d)
    assert resolve_engine("auto", d) == "onnx"
    m = onnx.load(str(d / "model.onnx"))
    for p in m.metadata_props:
        if p.key == "source_sha256":
            p.value = "0" * 64
    onnx.save(m, str(d / "model.onnx"))
    assert resolve_engine("auto", d) == "torch"
    with pytest.raises(OcrUnavailableError, match="model.onnx"):
        resolve_engine("onnx", d)
