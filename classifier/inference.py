"""Scoring API for the pipeline: ``load_model(dir).score(images, chars) -> GlyphScores``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from classifier.model import GlyphNet
from classifier.scores import GlyphScorer, GlyphScores
from classifier.scoring import prototype_similarity
from classifier.store import ModelError, load_prototypes, read_model_dir
from glyphs.labels import LabelMap


class GlyphModel(GlyphScorer):
    """A loaded model: its network (eval mode), label map and config. Stateless between calls.

    ``config["scoring"]`` says where log_probs come from: the classifier head
    (default), the class-average embeddings (``prototype``, needs
    prototypes.safetensors and the temperatures ``prototype_scale`` /
    ``prototype_scale_nochar``), or both added (see classifier.scoring).
    """

    def __init__(self, net: GlyphNet, labels: LabelMap, config: dict, device: str | torch.device = "cpu",
                 batch_size: int = 256, protos: torch.Tensor | None = None) -> None:
        self.net = net.to(device).eval()
        self.labels = labels
        self.config = config
        self.device = torch.device(device)
        self.batch_size = batch_size
        self.scoring = config.get("scoring", "head")
        self.prototypes = protos
        self.prototype_scale = float(config.get("prototype_scale", 5.0))
        self.prototype_scale_nochar = float(config.get("prototype_scale_nochar", self.prototype_scale))
        self.check_scoring()

    def score(self, images: np.ndarray, chars: Sequence[str]) -> GlyphScores:
        """images (N, S, S) uint8 from glyphs.normalize_glyph (ink 255); chars: the N letters read."""
        images, idx = self.checked_batch(images, chars)
        parts: list[tuple[torch.Tensor, ...]] = []
        with torch.inference_mode():
            for i in range(0, images.shape[0], self.batch_size):
                x = torch.from_numpy(np.ascontiguousarray(images[i : i + self.batch_size])).to(self.device)
                c = torch.from_numpy(idx[i : i + self.batch_size]).to(self.device)
                out = self.net(x, c)
                parts.append((self._log_probs(out.log_probs, out.embedding, c), out.weight, out.width, torch.sigmoid(out.italic_logit),
                              out.embedding))
        if not parts:
            f, d = self.labels.num_fonts, self.net.args.embed_dim
            z = np.zeros((0,), np.float32)
            return GlyphScores(np.zeros((0, f), np.float32), z, z, z, np.zeros((0, d), np.float32))
        cat = [torch.cat(col).float().cpu().numpy() for col in zip(*parts, strict=True)]
        return GlyphScores(*cat)


    def embed(self, images: np.ndarray, chars: Sequence[str]) -> np.ndarray:
        """(N, D) float32 embeddings only (no font scores): what render-and-compare compares."""
        idx = self.char_indices(chars)
        out = []
        with torch.inference_mode():
            for i in range(0, len(idx), self.batch_size):
                x = torch.from_numpy(np.ascontiguousarray(images[i : i + self.batch_size])).to(self.device)
                c = torch.from_numpy(idx[i : i + self.batch_size]).to(self.device)
                out.append(self.net(x, c).embedding.float().cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, self.net.args.embed_dim), np.float32)

    def _log_probs(self, head: torch.Tensor, emb: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """(B, F) log-probabilities under this model's scoring mode."""
        if self.scoring == "head":
            return head
        sim = prototype_similarity(emb.cpu(), c.cpu(), self.prototypes).to(head.device)  # (B, F)
        known = (c < self.labels.num_chars)[:, None]  # (B, 1): temperatures fitted with / without the char
        scaled = sim * torch.where(known, self.prototype_scale, self.prototype_scale_nochar)
        return torch.log_softmax(scaled if self.scoring == "prototype" else head + scaled, dim=1)


def load_model(model_dir: str | Path, device: str | torch.device = "cpu", batch_size: int = 256) -> GlyphModel:
    """Load a model directory (model.safetensors + labels.json + config.json); ModelError if unusable."""
    net, labels, config = read_model_dir(model_dir)
    protos = load_prototypes(Path(model_dir)) if config.get("scoring", "head") != "head" else None
    return GlyphModel(net, labels, config, device=device, batch_size=batch_size, protos=protos)


__all__ = ["GlyphModel", "GlyphScores", "ModelError", "load_model"]
