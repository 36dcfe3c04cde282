"""The optimised-graph cache of ONNX Runtime sessions (segmentation.ort_cache): the cached
session answers exactly as the source file's, a damaged entry is remade, and it can be off."""

import numpy as np
import pytest

from segmentation.ocr_onnx import RECOGNIZER, exported, ocr_dir
from segmentation.ort_cache import CACHE_ENV, cached_session

pytestmark = pytest.mark.skipif(not exported(), reason="models/ocr/*.onnx not exported: "
                                "run `python cli.py export --ocr` (.ci/run does)")


def _options():
    import onnxruntime as ort

    o = ort.SessionOptions()
    o.intra_op_num_threads = 1
    return o


def _logits(sess) -> np.ndarray:
    x = np.random.default_rng(0).uniform(-1, 1, (1, 1, 64, 256)).astype(np.float32)  # a 64 px line crop
    return sess.run(None, {"image": x})[0]


def test_cached_session_answers_as_the_source_and_survives_damage(tmp_path, monkeypatch):
    import onnxruntime as ort

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    src = ocr_dir() / RECOGNIZER
    plain = ort.InferenceSession(str(src), _options(), providers=["CPUExecutionProvider"])
    first = cached_session(src, _options)  # optimises and writes the cache entry
    (entry,) = tmp_path.glob("english_g2-*.onnx")
    (weights,) = tmp_path.glob(f"{entry.stem}.*.weights")  # memory-mapped when loaded, not parsed
    assert weights.stat().st_size > 10_000_000 > 1_000_000 > entry.stat().st_size
    again = cached_session(src, _options)  # loads the optimised graph, optimisation off
    np.testing.assert_allclose(_logits(first), _logits(plain), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(_logits(again), _logits(plain), rtol=1e-4, atol=1e-4)
    assert dict(again.get_modelmeta().custom_metadata_map) == dict(plain.get_modelmeta().custom_metadata_map)
    def cut_weights() -> None:  # a new, short file (one rewritten in place would fault its live mappings)
        w = next(tmp_path.glob("*.weights"))
        w.unlink()
        w.write_bytes(b"cut short")

    for damage in (lambda: entry.write_bytes(b"not an onnx graph"), cut_weights):
        damage()  # a damaged entry is remade, not an error; sessions already made keep working
        np.testing.assert_allclose(_logits(cached_session(src, _options)), _logits(plain), rtol=1e-4, atol=1e-4)
        assert len(list(tmp_path.glob("*.weights"))) == 1 and not list(tmp_path.glob("*.tmp"))
        np.testing.assert_allclose(_logits(again), _logits(plain), rtol=1e-4, atol=1e-4)


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    cached_session(ocr_dir() / RECOGNIZER, _options)
    assert not any(tmp_path.rglob("*.onnx")) and not any(tmp_path.rglob("*.weights"))
