"""Benchmark plots (matplotlib, Agg): accuracy by split and by text length, and
the most confused family pairs drawn as specimens side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.draw import DrawError, ink_mask
from bench.fonts import FontStyleError, regular_style
from glyphs.catalog import FamilyFiles

SPECIMEN = "Hamburgefonstiv 0123"
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def _plt():
    """pyplot on the Agg backend (no display needed), imported only when plotting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _grouped_bars(ax, groups: list[str], series: dict[str, tuple[list[float], list[float]]]) -> None:
    """Per group, one bar per system: top-1 solid, top-5 as a pale bar behind it."""
    x = np.arange(len(groups))
    width = 0.8 / max(1, len(series))
    for i, (name, (top1, top5)) in enumerate(series.items()):
        pos = x - 0.4 + width * (i + 0.5)
        c = COLOURS[i % len(COLOURS)]
        ax.bar(pos, top5, width, color=c, alpha=0.3, label=f"{name} top-5")
        ax.bar(pos, top1, width, color=c, label=f"{name} top-1")
    ax.set_xticks(x, groups)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=2 * max(1, len(series)), loc="upper center", bbox_to_anchor=(0.5, -0.12),
              frameon=False)


def accuracy_by_split(summary: dict, path: Path) -> None:
    systems = summary["systems"]
    splits = list(dict.fromkeys(sp for v in systems.values() for sp in v["splits"] if v["splits"][sp].get("n")))
    series = {s: ([v["splits"].get(sp, {}).get("top1", 0.0) for sp in splits],
                  [v["splits"].get(sp, {}).get("top5", 0.0) for sp in splits]) for s, v in systems.items()}
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(splits) + 2), 4))
    _grouped_bars(ax, splits, series)
    ax.set_title("Font identification accuracy by split")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def accuracy_by_length(summary: dict, path: Path) -> None:
    systems = summary["systems"]
    buckets = list(dict.fromkeys(b for v in systems.values() for b in v["length"]))
    series = {s: ([v["length"].get(b, {}).get("top1", 0.0) for b in buckets],
                  [v["length"].get(b, {}).get("top5", 0.0) for b in buckets]) for s, v in systems.items()}
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    _grouped_bars(ax, [f"{b} chars" for b in buckets], series)
    ax.set_title("Accuracy by text length (all splits)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def specimen(files: FamilyFiles | None, size: int = 40) -> np.ndarray | None:
    """The family's regular drawing SPECIMEN, ink dark on white (None without files)."""
    if files is None or not files.present:
        return None
    try:
        alpha = ink_mask(regular_style(files), SPECIMEN, size, (8, 8))
    except (DrawError, FontStyleError):
        return None
    return 1.0 - alpha


def confusions(pairs: list[tuple[str, str, str, int]], fonts: dict[str, FamilyFiles], path: Path) -> None:
    """Rows of (system, true, predicted, count): the true family's specimen left, the
    predicted one's right."""
    rows = max(1, len(pairs))
    plt = _plt()
    fig, axes = plt.subplots(rows, 2, figsize=(10, 1.1 * rows + 0.6), squeeze=False)
    if not pairs:
        for ax in axes[0]:
            ax.axis("off")
        axes[0][0].text(0, 0.5, "no confusions", fontsize=12)
    for row, (system, true, pred, count) in zip(axes, pairs, strict=False):
        for ax, fam, label in ((row[0], true, f"true: {true}"), (row[1], pred, f"predicted: {pred}")):
            img = specimen(fonts.get(fam))
            ax.axis("off")
            if img is None:
                ax.text(0, 0.5, f"{fam} (font files not present)", fontsize=9)
            else:
                ax.imshow(img, cmap="gray", vmin=0, vmax=1)
            ax.set_title(f"{label}" + (f"  [{system}, ×{count}]" if ax is row[0] else ""), fontsize=8, loc="left")
    fig.suptitle("Most confused family pairs (true → predicted top-1)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
