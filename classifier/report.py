"""What a training run writes for people: metrics.jsonl, curves.png, predictions_epochNN.png."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def append_metrics(out: Path, row: dict) -> None:
    with open(out / "metrics.jsonl", "a") as f:
        f.write(json.dumps(row, sort_keys=True) + "\n")


def read_metrics(out: Path) -> list[dict]:
    path = out / "metrics.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def plot_curves(out: Path, rows: list[dict]) -> Path:
    """Loss and top-1/top-5 against epoch."""
    ep = [r["epoch"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(ep, [r["train_loss"] for r in rows], "o-", label="train (smoothed CE + style)")
    a.plot(ep, [r["val_loss"] for r in rows], "o-", label="validation NLL")
    a.set_xlabel("epoch"), a.set_ylabel("loss"), a.legend()
    for key, style in (("val_top1", "o-"), ("val_top5", "s-"), ("val_top1_nochar", "^--")):
        if key in rows[0]:
            b.plot(ep, [r[key] for r in rows], style, label=key)
    b.set_xlabel("epoch"), b.set_ylabel("accuracy"), b.set_ylim(0, 1), b.legend(), b.grid(alpha=0.3)
    fig.tight_layout()
    path = out / "curves.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_predictions(path: Path, images: np.ndarray, true: list[str], pred: list[str], chars: str) -> Path:
    """A grid of validation glyphs (one mosaic image) captioned with true -> predicted font.

    Green caption = right, red = wrong. images (N, S, S) uint8, ink 255.
    """
    n, s = len(images), images.shape[1]
    cols = 8
    rows = (n + cols - 1) // cols
    cell_w, cell_h = s + 4, int(s * 1.4)  # a gap between glyphs, two caption lines under each
    mosaic = np.full((rows * cell_h, cols * cell_w), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        mosaic[r * cell_h : r * cell_h + s, c * cell_w : c * cell_w + s] = 255 - images[i]
    px_per_inch = s / 1.1
    fig = plt.figure(figsize=(mosaic.shape[1] / px_per_inch, mosaic.shape[0] / px_per_inch))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(mosaic, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    ax.axis("off")
    for i in range(n):
        r, c = divmod(i, cols)
        ok = true[i] == pred[i]
        ax.text(c * cell_w, r * cell_h + s + 1, f"'{chars[i]}' {true[i][:15]}\n→ {pred[i][:15]}",
                fontsize=7.5, va="top", color="green" if ok else "red")
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
