"""Running a network over glyph arrays, accuracy metrics, and class-average embeddings (prototypes).

Prototype scoring answers "keep the classifier head or compare each glyph's
embedding with every font's average embedding for that character?": both are
computed from the same network on the same glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F  # noqa: N812

from classifier.data import GlyphArrays


@dataclass(frozen=True)
class Predictions:
    top5: torch.Tensor  # (N, 5) font indices, best first
    nll: torch.Tensor  # (N,) -log p(true font)
    weight: torch.Tensor  # (N,)
    width: torch.Tensor  # (N,)
    italic_logit: torch.Tensor  # (N,)
    embedding: torch.Tensor  # (N, D)


@torch.inference_mode()
def predict(net: torch.nn.Module, arrays: GlyphArrays, batch_size: int = 512, unknown_char: bool = False,
            device: torch.device = torch.device("cpu")) -> Predictions:
    """Run ``net`` (eval mode) over every glyph; with ``unknown_char`` every character is withheld."""
    was_training = net.training
    net.eval()
    num_chars = getattr(net, "module", net).args.num_chars
    cols: list[list[torch.Tensor]] = [[] for _ in range(6)]
    for i in range(0, len(arrays), batch_size):
        x = arrays.images[i : i + batch_size].to(device)
        c = arrays.char[i : i + batch_size].to(device)
        if unknown_char:
            c = torch.full_like(c, num_chars)
        y = arrays.font[i : i + batch_size].to(device)
        out = net(x, c)
        k = min(5, out.log_probs.shape[1])
        top = out.log_probs.topk(k, dim=1).indices  # (B, k)
        top = F.pad(top, (0, 5 - k), value=-1)
        nll = -out.log_probs.gather(1, y[:, None])[:, 0]
        for col, t in zip(cols, (top, nll, out.weight, out.width, out.italic_logit, out.embedding), strict=True):
            col.append(t.float().cpu() if t.is_floating_point() else t.cpu())
    net.train(was_training)
    return Predictions(*(torch.cat(c) for c in cols))


def topk_accuracy(top5: torch.Tensor, font: torch.Tensor) -> tuple[float, float]:
    """(top-1, top-5) accuracy from (N, 5) ranked indices."""
    hit = top5 == font[:, None]  # (N, 5)
    return float(hit[:, 0].float().mean()), float(hit.any(dim=1).float().mean())


def summarize(p: Predictions, arrays: GlyphArrays, prefix: str = "val_") -> dict[str, float]:
    top1, top5 = topk_accuracy(p.top5, arrays.font)
    italic_acc = ((p.italic_logit > 0).float() == arrays.italic).float().mean()
    return {
        f"{prefix}loss": float(p.nll.mean()),
        f"{prefix}top1": top1,
        f"{prefix}top5": top5,
        f"{prefix}weight_mae": float((p.weight - arrays.weight).abs().mean()),
        f"{prefix}width_mae": float((p.width - arrays.width).abs().mean()),
        f"{prefix}italic_acc": float(italic_acc),
    }


# Regression losses count errors in these units: an error of one weight step (100) or of
# 10% width costs as much as the font loss does for a clear mistake, so the heads learn.
WEIGHT_LOSS_UNIT, WIDTH_LOSS_UNIT = 100.0, 10.0


def style_loss(weight: torch.Tensor, width: torch.Tensor, italic_logit: torch.Tensor,
               arrays: GlyphArrays) -> torch.Tensor:
    """Smooth-L1 on weight (in steps of 100) and width (in 10%) + BCE on italic; all (N,) inputs."""
    lw = F.smooth_l1_loss(weight / WEIGHT_LOSS_UNIT, arrays.weight / WEIGHT_LOSS_UNIT)
    lwd = F.smooth_l1_loss(width / WIDTH_LOSS_UNIT, arrays.width / WIDTH_LOSS_UNIT)
    li = F.binary_cross_entropy_with_logits(italic_logit, arrays.italic)
    return lw + lwd + li


def class_averages(emb: torch.Tensor, font: torch.Tensor, char: torch.Tensor, num_fonts: int,
                   num_chars: int) -> torch.Tensor:
    """Prototypes (F, C + 1, D): mean unit embedding per (font, char); row C = per-font mean over chars.

    A (font, char) pair never seen falls back to that font's all-character mean.
    """
    d = emb.shape[1]
    e = F.normalize(emb.float(), dim=1)  # (N, D)
    sums = torch.zeros(num_fonts * num_chars, d).index_add_(0, font * num_chars + char, e)
    counts = torch.bincount(font * num_chars + char, minlength=num_fonts * num_chars).float()
    sums, counts = sums.view(num_fonts, num_chars, d), counts.view(num_fonts, num_chars)
    font_mean = sums.sum(1) / counts.sum(1).clamp(min=1)[:, None]  # (F, D)
    per_char = torch.where(counts[..., None] > 0, sums / counts.clamp(min=1)[..., None], font_mean[:, None, :])
    protos = torch.cat([per_char, font_mean[:, None, :]], dim=1)  # (F, C + 1, D)
    return F.normalize(protos, dim=2)
