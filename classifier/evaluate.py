"""``python cli.py evaluate --model DIR --data DIR``: top-1/top-5, weight MAE, head vs class-average embeddings.

Class-average embeddings ("prototypes", prototypes.safetensors in the model
directory, (F, C + 1, D) float16) are the mean unit embedding of each font's
training glyphs of each character; row C is the font's mean over characters,
used when the character is unknown. They are written at the end of training.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import torch

from classifier import data as gdata
from classifier.config import EvalConfig
from classifier.metrics import class_averages, predict, summarize
from classifier.runtime import set_threads
from classifier.scoring import choose_scoring, head_vs_prototypes, scale_for
from classifier.store import PROTOTYPES, ModelError, load_prototypes, read_model_dir, save_prototypes
from glyphs.dataset import load_dataset

PROTOTYPE_FIT_MAX = 200_000  # training glyphs averaged into prototypes (at least)
PROTOTYPE_FIT_PER_CLASS = 16  # ... or this many per (font, char): 1,566 families need 1.6 M, not 2 each


class EvalError(ValueError):
    """A dataset that does not fit the model (other fonts, glyph set or normalisation)."""


def update_config(model_dir: Path, **entries) -> None:
    path = Path(model_dir) / "config.json"
    cfg = json.loads(path.read_text())
    cfg.update(entries)
    path.write_text(json.dumps(cfg, indent=1, sort_keys=True) + "\n")


def fit_prototypes(net, labels, train: gdata.GlyphArrays, device: torch.device) -> torch.Tensor:
    """Class-average embeddings (F, C + 1, D) of up to max(PROTOTYPE_FIT_MAX, PROTOTYPE_FIT_PER_CLASS * F * C)
    training glyphs (a fixed random subset)."""
    k = max(PROTOTYPE_FIT_MAX, PROTOTYPE_FIT_PER_CLASS * labels.num_fonts * labels.num_chars)
    fit = train.take(torch.from_numpy(gdata.subsample(len(train), k, 7)).to(train.font.device))
    fit = fit.to(torch.device("cpu"))
    emb = predict(net, fit, device=device).embedding
    return class_averages(emb, fit.font, fit.char, labels.num_fonts, labels.num_chars)


def add_prototypes(model_dir: Path, train: gdata.GlyphArrays, val: gdata.GlyphArrays, device: torch.device,
                   scoring: str = "auto") -> dict:
    """Fit class-average embeddings of the saved (best) model on training glyphs; compare on validation."""
    net, labels, _ = read_model_dir(model_dir)
    net = net.to(device)
    protos = fit_prototypes(net, labels, train, device)
    save_prototypes(model_dir, protos)
    cmp = head_vs_prototypes(net, val, protos, device)
    mode = choose_scoring(cmp) if scoring == "auto" else scoring
    update_config(model_dir, head_vs_prototypes=cmp, scoring=mode, prototype_scale=scale_for(mode, cmp),
                  prototype_scale_nochar=scale_for(mode, cmp, nochar=True))
    print(f"head vs class-average embeddings on validation glyphs: {json.dumps(cmp)}; scoring: {mode}",
          file=sys.stderr)
    return cmp


def _prototypes(model_dir: Path, net, labels, config: dict) -> torch.Tensor | None:
    """The model's prototypes.safetensors, or fitted now from its training split when that dataset is here."""
    protos = load_prototypes(model_dir)
    data = config.get("train", {}).get("data")
    if protos is not None or not data or not (Path(data) / "labels.json").is_file():
        return protos
    ds = load_dataset(data)
    if ds.fingerprint != config.get("dataset_fingerprint") or ds.labels != labels:
        return None
    print(f"fitting class-average embeddings on the training split of {data}", file=sys.stderr)
    return fit_prototypes(net, labels, gdata.load_arrays(ds, gdata.split_indices(ds, config["val_variants"])[0]),
                          torch.device("cpu"))


def _rows(cfg: EvalConfig, ds, config: dict):
    if cfg.split == "all":
        rows = torch.arange(len(ds)).numpy()
    elif cfg.split in ("val", "train"):
        if "val_variants" not in config:
            raise EvalError("this model's config.json records no validation variants; use --split all")
        tr, va = gdata.split_indices(ds, config["val_variants"])
        rows = va if cfg.split == "val" else tr
    else:
        raise EvalError(f"--split must be all, val or train, not {cfg.split!r}")
    return rows[gdata.subsample(len(rows), cfg.max_samples, 0)]


def evaluate(cfg: EvalConfig) -> int:
    set_threads(cfg.threads)
    net, labels, config = read_model_dir(cfg.model)
    ds = load_dataset(cfg.data)
    if ds.labels != labels:
        raise EvalError(f"dataset {cfg.data} has other fonts, characters or normalisation than model {cfg.model}")
    arrays = gdata.load_arrays(ds, _rows(cfg, ds, config))
    t = time.perf_counter()
    p = predict(net, arrays, batch_size=cfg.batch_size)
    rate = len(arrays) / (time.perf_counter() - t)
    res = {"model": str(cfg.model), "data": str(cfg.data), "split": cfg.split, "glyphs": len(arrays),
           "glyphs_per_s": rate,
           "dataset_config": json.loads((Path(cfg.data) / "labels.json").read_text()).get("config", {}),
           **summarize(p, arrays, prefix="")}
    protos = _prototypes(Path(cfg.model), net, labels, config) if cfg.prototypes else None
    if protos is not None:
        res["head_vs_prototypes"] = head_vs_prototypes(net, arrays, protos, torch.device("cpu"))
    if cfg.save_prototypes:
        _save_scoring(cfg, res, protos)
    _report(cfg, res)
    return 0


def _save_scoring(cfg: EvalConfig, res: dict, protos: torch.Tensor | None) -> None:
    """Write prototypes.safetensors and the chosen scoring (from this evaluation) into the model dir."""
    if cfg.save_prototypes not in ("head", "prototype", "both", "auto"):
        raise EvalError(f"--save-prototypes must be head, prototype, both or auto, not {cfg.save_prototypes!r}")
    if protos is None or cfg.split != "val":
        raise EvalError("--save-prototypes needs --split val and the model's training dataset (to fit them)")
    cmp = res["head_vs_prototypes"]
    mode = choose_scoring(cmp) if cfg.save_prototypes == "auto" else cfg.save_prototypes
    save_prototypes(cfg.model, protos)
    update_config(Path(cfg.model), head_vs_prototypes=cmp, scoring=mode, prototype_scale=scale_for(mode, cmp),
                  prototype_scale_nochar=scale_for(mode, cmp, nochar=True))
    print(f"{cfg.model}: wrote {PROTOTYPES}, scoring {mode}", file=sys.stderr)


def _report(cfg: EvalConfig, res: dict) -> None:
    lines = ["| metric | value |", "| --- | --- |"]
    for k in ("glyphs_per_s", "top1", "top5", "loss", "weight_mae", "width_mae", "italic_acc"):
        lines.append(f"| {k} | {res[k]:.4g} |")
    for k, v in res.get("head_vs_prototypes", {}).items():
        lines.append(f"| {k} | {v:.4g} |")
    md = (f"# Classifier evaluation\n\nmodel `{res['model']}`, data `{res['data']}` (split {res['split']}, "
          f"{res['glyphs']} glyphs)\n\n" + "\n".join(lines) + "\n")
    print(md)
    if cfg.out:
        name = cfg.name or f"{Path(cfg.model).name}_{Path(cfg.data).name}"
        out = Path(cfg.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"classifier_eval_{name}.json").write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")
        (out / f"classifier_eval_{name}.md").write_text(md)
        print(f"wrote {out}/classifier_eval_{name}.json and .md", file=sys.stderr)


__all__ = ["EvalError", "ModelError", "add_prototypes", "evaluate", "head_vs_prototypes"]
