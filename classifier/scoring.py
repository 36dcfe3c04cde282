"""Classifier head vs class-average embeddings ("prototypes") vs both, on the same glyphs.

Prototype scores are cosine similarities of a glyph's embedding to each font's
average embedding for that character, turned into log-probabilities by
``log_softmax(scale * similarity)``; ``scale`` (a temperature) is the one of
SCALES with the lowest NLL, since the pipeline sums log-scores over glyphs.
"Both" is log_softmax(head log-probs + scale * similarity), its scale fitted the same way.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812

from classifier.data import GlyphArrays

SCALES = (1.0, 2.5, 5.0, 10.0, 20.0, 40.0)


def prototype_similarity(emb: torch.Tensor, char: torch.Tensor, protos: torch.Tensor) -> torch.Tensor:
    """emb (N, D), char (N,) in [0, C], protos (F, C + 1, D) unit rows -> cosine similarity (N, F)."""
    e = F.normalize(emb.float(), dim=1)
    return torch.einsum("nd,fnd->nf", e, protos[:, char, :])


def _hits(scores: torch.Tensor, font: torch.Tensor) -> torch.Tensor:
    """(2,) number of top-1 and top-5 hits of (N, F) scores."""
    top = scores.topk(min(5, scores.shape[1]), dim=1).indices == font[:, None]
    return torch.stack([top[:, 0].sum(), top.any(dim=1).sum()]).double()


@torch.inference_mode()
def compare_scoring(net: torch.nn.Module, arrays: GlyphArrays, protos: torch.Tensor, unknown_char: bool = False,
                    batch_size: int = 1024, device: torch.device = torch.device("cpu")) -> dict:
    """Top-1/top-5 (and NLL) of head, prototypes and both, over the same glyphs."""
    net.eval()
    n_scale = len(SCALES)
    head, proto = torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    both = torch.zeros(n_scale, 2, dtype=torch.float64)
    nll_head = 0.0
    nll_proto, nll_both = torch.zeros(n_scale, dtype=torch.float64), torch.zeros(n_scale, dtype=torch.float64)
    unknown = protos.shape[1] - 1
    for i in range(0, len(arrays), batch_size):
        x, c, y = (t[i : i + batch_size] for t in (arrays.images, arrays.char, arrays.font))
        if unknown_char:
            c = torch.full_like(c, unknown)
        out = net(x.to(device), c.to(device))
        lp, emb = out.log_probs.float().cpu(), out.embedding.float().cpu()
        sim = prototype_similarity(emb, c, protos)  # (B, F)
        head += _hits(lp, y)
        proto += _hits(sim, y)
        nll_head += float(-lp.gather(1, y[:, None]).sum())
        for k, s in enumerate(SCALES):
            plp = F.log_softmax(s * sim, dim=1)
            nll_proto[k] += float(-plp.gather(1, y[:, None]).sum())
            blp = F.log_softmax(lp + plp, dim=1)
            nll_both[k] += float(-blp.gather(1, y[:, None]).sum())
            both[k] += _hits(blp, y)
    n = max(len(arrays), 1)
    bp, bb = int(nll_proto.argmin()), int(nll_both.argmin())
    return {"glyphs": len(arrays), "head_top1": float(head[0]) / n, "head_top5": float(head[1]) / n,
            "head_nll": nll_head / n, "proto_top1": float(proto[0]) / n, "proto_top5": float(proto[1]) / n,
            "proto_nll": float(nll_proto[bp]) / n, "proto_scale": SCALES[bp],
            "both_top1": float(both[bb, 0]) / n, "both_top5": float(both[bb, 1]) / n,
            "both_nll": float(nll_both[bb]) / n, "both_scale": SCALES[bb]}


def head_vs_prototypes(net: torch.nn.Module, arrays: GlyphArrays, protos: torch.Tensor,
                       device: torch.device = torch.device("cpu")) -> dict:
    """compare_scoring with the character known, and with it withheld (keys suffixed _nochar)."""
    known = compare_scoring(net, arrays, protos, device=device)
    blind = compare_scoring(net, arrays, protos, unknown_char=True, device=device)
    return {**known, **{f"{k}_nochar": v for k, v in blind.items() if k != "glyphs"}}


PREFIX = {"head": "head", "both": "both", "prototype": "proto"}


def choose_scoring(cmp: dict) -> str:
    """The mode with the lowest NLL (what the pipeline sums), character known plus withheld; head on ties."""
    return min(PREFIX, key=lambda m: cmp[f"{PREFIX[m]}_nll"] + cmp[f"{PREFIX[m]}_nll_nochar"])


def scale_for(mode: str, cmp: dict, nochar: bool = False) -> float:
    """The temperature fitted for a mode, with the character known or withheld; 1 for the head."""
    return float(cmp.get(f"{PREFIX[mode]}_scale{'_nochar' if nochar else ''}", 1.0))
