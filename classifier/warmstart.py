"""Warm start of a glyph model on a larger label map (issue 15: 300 families -> the full catalog).

``python cli.py train --init-from models/default --data DATA_ALL`` where DATA_ALL's
label map holds every family of the source model (any order) plus new ones:

- every layer but the font head is copied as it is (the backbone, the character
  embedding, the style head): the architecture must match except ``num_fonts``;
- the font head's row and bias of each source family move to that family's new
  index, looked up **by font id**, never by position (an off-by-one between ids and
  names once shipped a model answering the neighbour font);
- each new family's row is imprinted (Qi et al., "Low-Shot Learning with Imprinted
  Weights", CVPR 2018): the mean of its training glyphs' embeddings, centred on the
  mean over all new families, scaled to the source rows' mean norm; its bias is the
  source biases' mean. Fine-tuning then starts from a head that already ranks the
  new families roughly, not from noise.
"""

from __future__ import annotations

import numpy as np
import torch

from classifier.data import GlyphArrays
from classifier.model import GlyphNet
from glyphs.labels import LabelMap


class WarmStartError(ValueError):
    """The source model cannot start this run (architecture or label maps disagree)."""


def source_rows(src: LabelMap, dst: LabelMap) -> np.ndarray:
    """(F_src,) index in ``dst`` of each source family; WarmStartError when one is missing."""
    where = {f.family: i for i, f in enumerate(dst.fonts)}
    missing = [f.family for f in src.fonts if f.family not in where]
    if missing:
        raise WarmStartError(f"the dataset lacks {len(missing)} of the source model's families "
                             f"(e.g. {', '.join(missing[:3])}): it must hold all of them")
    if src.glyph_set != dst.glyph_set or src.norm != dst.norm:
        raise WarmStartError("the dataset's glyph set or normalisation differs from the source model's")
    return np.array([where[f.family] for f in src.fonts], dtype=np.int64)


@torch.no_grad()
def class_mean_embeddings(net: GlyphNet, train: GlyphArrays, fonts: np.ndarray, per_font: int = 64,
                          batch: int = 1024) -> torch.Tensor:
    """(len(fonts), D) mean embedding of the first ``per_font`` training glyphs of each font index
    (eval mode); zeros for a font without glyphs."""
    was_training = net.training
    net.eval()
    font_col = train.font.cpu().numpy()
    order = np.argsort(font_col, kind="stable")  # rows grouped by font, once
    starts = np.searchsorted(font_col[order], fonts)
    rows = [order[a:a + per_font][font_col[order[a:a + per_font]] == f] for a, f in zip(starts, fonts, strict=True)]
    flat = torch.from_numpy(np.concatenate(rows) if rows else np.zeros(0, np.int64))
    out = torch.zeros(len(fonts), net.args.embed_dim)
    owner = torch.from_numpy(np.repeat(np.arange(len(fonts)), [len(r) for r in rows]))  # (M,) row of out
    for i in range(0, len(flat), batch):
        part = train.take(flat[i:i + batch].to(train.font.device))
        out.index_add_(0, owner[i:i + batch], net(part.images, part.char).embedding.cpu())  # (B, D) summed
    out /= torch.tensor([max(len(r), 1) for r in rows], dtype=torch.float32)[:, None]
    net.train(was_training)
    return out


def extend_head(net: GlyphNet, src: GlyphNet, src_labels: LabelMap, labels: LabelMap,
                train: GlyphArrays) -> dict:
    """Load ``src`` into ``net`` (which has ``labels.num_fonts`` outputs); returns a summary for config.json.

    Raises WarmStartError when the architectures differ beyond num_fonts or a source family is missing.
    """
    rows = source_rows(src_labels, labels)
    if src.args.to_dict() | {"num_fonts": 0} != net.args.to_dict() | {"num_fonts": 0}:
        raise WarmStartError("the source model's architecture differs (other than its number of fonts)")
    state = {k: v for k, v in src.state_dict().items() if not k.startswith("font_head.")}
    net.load_state_dict(state, strict=False)
    w_src, b_src = src.font_head.weight.detach(), src.font_head.bias.detach()  # (F_src, D), (F_src,)
    new = np.setdiff1d(np.arange(labels.num_fonts), rows)
    with torch.no_grad():
        w, b = net.font_head.weight, net.font_head.bias  # (F, D), (F,)
        keep = torch.from_numpy(rows).to(w.device)
        w[keep], b[keep] = w_src.to(w.device), b_src.to(w.device)
        if len(new):
            mu = class_mean_embeddings(net, train, new).to(w.device)  # (F_new, D)
            centred = mu - mu.mean(0, keepdim=True)
            unit = centred / centred.norm(dim=1, keepdim=True).clamp_min(1e-8)
            add = torch.from_numpy(new).to(w.device)
            w[add] = unit * w_src.norm(dim=1).mean().to(w.device)
            b[add] = b_src.mean().to(w.device)
    return {"source_families": int(len(rows)), "imprinted_families": int(len(new))}
