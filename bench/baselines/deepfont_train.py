"""Train the DeepFont baseline on the catalog's fonts within a wall-clock budget.

    python cli.py benchmark --train-baseline --baseline runs/deepfont --minutes 30

Lines are rendered once (``lines_per_font`` per family); every step draws
random 105 x 105 crops of random lines. The learning rate follows a cosine over
the budget (time or epochs, whichever ends first). Validation lines use other
words than training lines; their top-1/top-5 (patch-averaged, as ``predict``)
go into ``config.json``.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from bench.baselines.deepfont import CHANNELS, KIND, PATCH, DeepFont, DeepFontNet, patches, save
from bench.baselines.deepfont_data import LineSet, random_crops, render_lines
from bench.config import DeepFontConfig
from bench.make_testsets import catalog_files
from glyphs.labels import FontLabel, LabelMap


class TrainError(RuntimeError):
    """Nothing to train on."""


def train(cfg: DeepFontConfig) -> Path:
    """Render, train, validate and save; returns the model directory."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    families, missing = catalog_files(cfg.catalog, cfg.cache, cfg.families)
    if not families:
        raise TrainError(f"no font files found for catalog {cfg.catalog!r}: run `python cli.py fonts fetch`")
    t0 = time.perf_counter()
    train_set = render_lines(families, cfg.lines_per_font, "train", cfg.seed)
    val_set = render_lines(families, cfg.val_lines, "val", cfg.seed)
    render_s = time.perf_counter() - t0
    _log(f"rendered {len(train_set.lines)} + {len(val_set.lines)} lines of {len(families)} families "
         f"in {render_s:.0f} s ({len(missing)} families without files)")
    net = DeepFontNet(len(families))
    steps, train_s, loss = _fit(net, train_set, cfg)
    top1, top5 = evaluate(net, val_set)
    _log(f"{steps} steps in {train_s:.0f} s; validation top-1 {top1:.3f}, top-5 {top5:.3f}")
    labels = LabelMap(tuple(FontLabel(f.family.id, f.family.name) for f in families))
    config = {
        "kind": KIND, "arch": "deepfont-small", "channels": list(CHANNELS), "patch": PATCH,
        "training": {**_asdict(cfg), "steps": steps, "render_seconds": round(render_s, 1),
                     "train_seconds": round(train_s, 1), "final_loss": round(loss, 4),
                     "threads": torch.get_num_threads()},
        "dataset": {"catalog": cfg.catalog, "families": len(families), "missing": missing,
                    "train_lines": len(train_set.lines), "val_lines": len(val_set.lines)},
        "metrics": {"val_top1": round(top1, 4), "val_top5": round(top5, 4)},
    }
    return save(DeepFont(net, labels, config), cfg.baseline)


def _fit(net: DeepFontNet, data: LineSet, cfg: DeepFontConfig) -> tuple[int, float, float]:
    """Train in place; returns (steps, seconds, last smoothed loss)."""
    rng = np.random.default_rng([cfg.seed, 7])
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    per_epoch = max(1, len(data.lines) // cfg.batch)
    max_steps = cfg.epochs * per_epoch if cfg.epochs else None
    budget = cfg.minutes * 60.0
    start, step, smooth = time.perf_counter(), 0, float("nan")
    net.train()
    while True:
        elapsed = time.perf_counter() - start
        frac = max(elapsed / budget, step / max_steps if max_steps else 0.0)
        if frac >= 1.0:
            break
        for group in opt.param_groups:
            group["lr"] = cfg.lr * 0.5 * (1.0 + math.cos(math.pi * frac))
        idx = rng.integers(0, len(data.lines), size=cfg.batch)
        x = torch.from_numpy(random_crops(data, idx, rng))
        y = torch.from_numpy(data.labels[idx])
        loss = loss_fn(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        smooth = loss.item() if math.isnan(smooth) else 0.98 * smooth + 0.02 * loss.item()
        step += 1
        if step % 100 == 0:
            _log(f"step {step} ({elapsed / 60:.1f} min): loss {smooth:.3f}")
    net.eval()
    return step, time.perf_counter() - start, smooth


@torch.no_grad()
def evaluate(net: DeepFontNet, data: LineSet, n_patches: int = 8) -> tuple[float, float]:
    """Top-1 and top-5 over whole lines, patch probabilities averaged as in ``predict``."""
    net.eval()
    hits1 = hits5 = 0
    for line, label in zip(data.lines, data.labels, strict=True):
        x = torch.from_numpy(patches(line.astype(np.float32) / 255.0, n_patches)).unsqueeze(1)
        probs = torch.softmax(net(x), dim=1).mean(dim=0)
        top = torch.topk(probs, k=min(5, probs.numel())).indices.tolist()
        hits1 += int(top[0] == label)
        hits5 += int(label in top)
    n = max(1, len(data.lines))
    return hits1 / n, hits5 / n


def _asdict(cfg: DeepFontConfig) -> dict:
    from dataclasses import asdict

    return asdict(cfg)


def _log(msg: str) -> None:
    print(f"[deepfont] {msg}", file=sys.stderr, flush=True)
