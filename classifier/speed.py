"""Throughput measurements on this machine: inference glyphs/s and training glyphs/s."""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F  # noqa: N812

from classifier.model import GlyphNet


def _timed(fn, seconds: float, per_call: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += per_call
    return n / (time.perf_counter() - t0)


def inference_rate(net: GlyphNet, batch: int = 64, seconds: float = 2.0) -> float:
    """Glyphs per second of ``net`` in eval mode under inference_mode, random uint8 glyphs."""
    a = net.args
    x = torch.randint(0, 256, (batch, a.size, a.size), dtype=torch.uint8)
    c = torch.randint(0, a.num_chars + 1, (batch,))
    net.eval()
    with torch.inference_mode():
        return _timed(lambda: net(x, c), seconds, batch)


def train_rate(net: GlyphNet, batch: int = 256, seconds: float = 3.0) -> float:
    """Glyphs per second of forward + backward + AdamW step (no data loading)."""
    a = net.args
    x = torch.randint(0, 256, (batch, a.size, a.size), dtype=torch.uint8)
    c = torch.randint(0, a.num_chars + 1, (batch,))
    y = torch.randint(0, a.num_fonts, (batch,))
    opt = torch.optim.AdamW(net.parameters())
    net.train()

    def step() -> None:
        loss = F.nll_loss(net(x, c).log_probs, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return _timed(step, seconds, batch, warmup=2)


def weights_mb(net: torch.nn.Module) -> float:
    """Size of the float32 weights (what model.safetensors holds), in MB."""
    return sum(t.numel() * t.element_size() for t in net.state_dict().values()) / 1e6
