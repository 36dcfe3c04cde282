"""The open-set benchmark's tables and plots (bench/results/openset.md, in_catalog.md/.png)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SPLITS = ("clean", "photo")


def _acc(rows: list[dict], split: str) -> str:
    sel = [r for r in rows if r["split"] == split]
    if not sel:
        return "- | -"
    return f"{np.mean([r['rank'] == 0 for r in sel]):.3f} | {np.mean([r['rank'] is not None for r in sel]):.3f}"


def _p50(rows: list[dict]) -> float:
    return float(np.median([r["seconds"] for r in rows])) if rows else float("nan")


def roc(known: list[float], unknown: list[float]) -> tuple[float, np.ndarray, np.ndarray]:
    """ROC AUC of in_catalog separating known (1) from unknown (0), and the curve."""
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.r_[np.ones(len(known)), np.zeros(len(unknown))]
    s = np.r_[known, unknown]
    fpr, tpr, _ = roc_curve(y, s)
    return float(roc_auc_score(y, s)), fpr, tpr


def _roc_plot(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey")
    for name, (auc, fpr, tpr) in curves.items():
        ax.plot(fpr, tpr, label=f"{name} (AUC {auc:.3f})")
    ax.set(xlabel="unknown fonts called known (FPR)", ylabel="known fonts called known (TPR)",
           title="Is the font in the catalog?")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _auc_rows(results: dict, unknown: dict, clones: set[str]) -> tuple[list[str], dict]:
    """The ROC table's rows and the curves (all unknown families; without the clones)."""
    def scores(rows: list[dict], drop: set[str] = frozenset()) -> np.ndarray:
        return np.array([r["in_catalog"] for r in rows if r["in_catalog"] is not None and r["family"] not in drop])

    lines, curves = [], {}
    for name in unknown:
        k, u = scores(results[name]), scores(unknown[name])
        if not len(k) or not len(u):
            continue
        curves[name] = roc(list(k), list(u))
        by_split = " | ".join(f"{roc(list(scores([r for r in results[name] if r['split'] == sp])), list(scores([r for r in unknown[name] if r['split'] == sp])))[0]:.3f}"  # noqa: E501
                              for sp in SPLITS)
        plain = f"{roc(list(k), list(scores(unknown[name], clones)))[0]:.3f}" if clones else "-"
        lines.append(f"| {name} | {curves[name][0]:.3f} | {by_split} | {plain} | {np.mean(k >= 0.5):.3f} | "
                     f"{np.mean(u < 0.5):.3f} |")
    return lines, curves


def report(out: Path, results: dict, unknown: dict, added: dict, n_cat: int, n_new: int,
           clones: set[str] = frozenset(), source: str = "bench/openset_added.txt", note: str = "") -> str:
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# Open world: the font index\n\n{n_cat} catalog families (one clean and one photo picture each, "
             f"drawn as the benchmark draws them) and {n_new} families in no catalog "
             f"(`{source}`). Same pictures, read once; each row ranks the same glyphs.{note}\n",
             "## Catalog families\n", "| configuration | clean top-1 | clean top-5 | photo top-1 | photo top-5 | "
             "p50 s/picture |", "|---|---|---|---|---|---|"]
    for name, rows in results.items():
        lines.append(f"| {name} | {_acc(rows, 'clean')} | {_acc(rows, 'photo')} | {_p50(rows):.3f} |")
    if added:
        lines += ["\n## Families in no catalog, added with `fonts add` (no retraining)\n",
                  "| configuration | clean top-1 | clean top-5 | photo top-1 | photo top-5 |", "|---|---|---|---|---|"]
        for name, rows in added.items():
            lines.append(f"| {name} | {_acc(rows, 'clean')} | {_acc(rows, 'photo')} |")
    rows, curves = _auc_rows(results, unknown, clones)
    if curves:
        lines += ["\n## Not in the catalog\n", "Known: the catalog pictures above; unknown: the pictures of the "
                  f"{n_new} families before they were added. ROC AUC of `in_catalog`:\n",
                  f"| configuration | ROC AUC | clean | photo | without the {len(clones)} clones | "
                  "known called known at 0.5 | unknown called unknown at 0.5 |", "|---|---|---|---|---|---|---|"]
        lines += rows
        _roc_plot(curves, out / "in_catalog.png")
        lines.append("\n![ROC](in_catalog.png)\n")
    text = "\n".join(lines) + "\n"
    (out / "openset.md").write_text(text)
    (out / "openset.json").write_text(json.dumps({"results": results, "unknown": unknown, "added": added},
                                                 default=float) + "\n")
    return text
