"""The glyph CNN on ONNX Runtime: ``load_onnx_model(dir).score(images, chars) -> GlyphScores``, no torch.

Reads ``model.onnx`` (``python cli.py export MODEL_DIR --onnx``) beside the
model directory's labels.json, config.json and prototypes.safetensors, and
reproduces classifier.inference.GlyphModel: the same outputs and the same
scoring modes (head, class-average "prototype" embeddings, or both; see
classifier.scoring) computed in numpy. The ONNX file records the SHA-256 of the
model.safetensors it was exported from and is refused when the weights beside
it are other ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.errors import ModelError
from classifier.scores import GlyphScorer, GlyphScores
from glyphs.labels import LabelMap, LabelMapError

ONNX_FILE = "model.onnx"
WEIGHTS_FILE = "model.safetensors"
PROTOTYPES = "prototypes.safetensors"  # optional: class-average embeddings (F, C + 1, D), int8 + row scales
OUTPUTS = ("log_probs", "weight", "width", "italic_logit", "embedding")  # classifier.model.GlyphOutput


def weights_sha256(model_dir: str | Path) -> str:
    """SHA-256 of the model directory's model.safetensors (what model.onnx records)."""
    path = Path(model_dir) / WEIGHTS_FILE
    return _sha256(str(path.resolve()), _stamp(path))


@functools.lru_cache(maxsize=8)
def _sha256(path: str, stamp: tuple[int, int]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _stamp(path: Path) -> tuple[int, int]:
    """(size, mtime ns): a file rewritten in place is read again, not served from a cache."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def has_onnx(model_dir: str | Path) -> bool:
    """Whether MODEL_DIR/model.onnx exists and was exported from the model.safetensors beside it."""
    d = Path(model_dir)
    if not (d / ONNX_FILE).is_file():
        return False
    try:
        meta = dict(_session(d / ONNX_FILE, 1).get_modelmeta().custom_metadata_map)
    except ModelError:
        return False
    return not (d / WEIGHTS_FILE).is_file() or meta.get("source_sha256") == weights_sha256(d)


class OnnxGlyphModel(GlyphScorer):
    """A loaded ONNX glyph model: session, label map, config (and prototypes when scoring needs them)."""

    def __init__(self, session, labels: LabelMap, config: dict, protos: np.ndarray | None,
                 batch_size: int = 256) -> None:
        self.session = session
        self.labels = labels
        self.config = config
        self.batch_size = batch_size
        self.scoring = config.get("scoring", "head")
        self.prototypes = protos  # (F, C + 1, D) float32 unit rows, or None
        self.prototype_scale = float(config.get("prototype_scale", 5.0))
        self.prototype_scale_nochar = float(config.get("prototype_scale_nochar", self.prototype_scale))
        self.embed_dim = int(config.get("model_args", {}).get("embed_dim", 0))
        self.check_scoring()

    def score(self, images: np.ndarray, chars: Sequence[str]) -> GlyphScores:
        """images (N, S, S) uint8 from glyphs.normalize_glyph (ink 255); chars: the N letters read."""
        images, idx = self.checked_batch(images, chars)
        parts = []
        for i in range(0, images.shape[0], self.batch_size):
            x = np.ascontiguousarray(images[i : i + self.batch_size])
            c = idx[i : i + self.batch_size]
            lp, weight, width, italic, emb = self.session.run(list(OUTPUTS), {"images": x, "chars": c})
            parts.append((self._log_probs(lp, emb, c), weight, width, 1.0 / (1.0 + np.exp(-italic)), emb))
        if not parts:
            z = np.zeros((0,), np.float32)
            return GlyphScores(np.zeros((0, self.labels.num_fonts), np.float32), z, z, z,
                               np.zeros((0, self.embed_dim), np.float32))
        return GlyphScores(*(np.concatenate(col).astype(np.float32) for col in zip(*parts, strict=True)))

    def embed(self, images: np.ndarray, chars: Sequence[str]) -> np.ndarray:
        """(N, D) float32 embeddings only (no font scores): what render-and-compare compares."""
        idx = self.char_indices(chars)
        out = [self.session.run(["embedding"], {"images": np.ascontiguousarray(images[i : i + self.batch_size]),
                                                "chars": idx[i : i + self.batch_size]})[0]
               for i in range(0, len(idx), self.batch_size)]
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, self.embed_dim), np.float32)

    def _log_probs(self, head: np.ndarray, emb: np.ndarray, c: np.ndarray) -> np.ndarray:
        """(B, F) log-probabilities under this model's scoring mode (classifier.inference._log_probs)."""
        if self.scoring == "head":
            return head
        e = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)  # (B, D), F.normalize
        sim = np.einsum("nd,fnd->nf", e, self.prototypes[:, c, :])  # (B, F) cosine similarity
        known = (c < self.labels.num_chars)[:, None]  # (B, 1): temperatures fitted with / without the char
        scaled = sim * np.where(known, self.prototype_scale, self.prototype_scale_nochar).astype(np.float32)
        return _log_softmax(scaled if self.scoring == "prototype" else head + scaled)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise log_softmax of (B, F)."""
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def load_onnx_model(model_dir: str | Path, threads: int = 1, batch_size: int = 256) -> OnnxGlyphModel:
    """Load MODEL_DIR/model.onnx with its labels, config and prototypes; ModelError if unusable.

    threads: onnxruntime intra-op threads (0 = its default, all cores).
    """
    d = Path(model_dir)
    path = d / ONNX_FILE
    if not path.is_file():
        raise ModelError(f"{path} is missing; run `python cli.py export {d} --onnx` (needs the .[train] extra)")
    try:
        labels = LabelMap.load(d)
        config = json.loads((d / "config.json").read_text())
    except (LabelMapError, OSError, json.JSONDecodeError) as e:
        raise ModelError(f"cannot use model {d}: {e}") from e
    session = _session(path, threads)
    recorded = dict(session.get_modelmeta().custom_metadata_map).get("source_sha256")
    if (d / WEIGHTS_FILE).is_file() and recorded != weights_sha256(d):
        raise ModelError(f"{path} was not exported from the {WEIGHTS_FILE} beside it; "
                         f"run `python cli.py export {d} --onnx` again")
    protos = read_prototypes(d) if config.get("scoring", "head") != "head" else None
    return OnnxGlyphModel(session, labels, config, protos, batch_size)


def _session(path: Path, threads: int):
    """The InferenceSession of ``path`` for ``threads``, made once per process and file version:
    has_onnx (the engine check) and load_onnx_model share it instead of each building one."""
    return _cached_session(str(Path(path).resolve()), _stamp(Path(path)), threads)


@functools.lru_cache(maxsize=8)
def _cached_session(path: str, stamp: tuple[int, int], threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(0, threads)
    opts.inter_op_num_threads = 1
    opts.enable_cpu_mem_arena = False  # peak RSS -30..60 MB, same speed (bench/results/light.md)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own, unexported exception types
        raise ModelError(f"{path} is not a readable ONNX model ({str(e).splitlines()[0]})") from None


def read_prototypes(d: Path) -> np.ndarray | None:
    """(F, C + 1, D) float32 class-average embeddings of model directory ``d``, or None when it has
    none; the one reader (numpy only, so the ONNX path needs no torch). ModelError if unreadable."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = d / PROTOTYPES
    if not path.is_file():
        return None
    try:
        t = load_file(str(path))
        if "prototypes" in t:  # the older float16 file
            return t["prototypes"].astype(np.float32)
        return t["prototypes_q"].astype(np.float32) * t["prototypes_scale"].astype(np.float32)  # int8 x row scale
    except (SafetensorError, KeyError, OSError) as e:
        raise ModelError(f"{path} is unreadable ({e})") from e
