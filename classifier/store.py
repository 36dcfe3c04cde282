"""Model directories and resumable training checkpoints: safetensors + JSON, never pickles.

A model directory (DESIGN.md, "Models") holds:
    model.safetensors  the weights
    labels.json        the LabelMap (font order, glyph set, normalisation)
    config.json        architecture (ModelArgs), training settings, dataset fingerprint, metrics

A checkpoint directory (OUT/checkpoint/) holds state.safetensors (model,
optimizer moments, RNG) and state.json (epoch, step, best so far, elapsed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from classifier.errors import ModelError
from classifier.model import ArchError, GlyphNet, ModelArgs
from classifier.onnx_inference import PROTOTYPES, read_prototypes
from glyphs.labels import LabelMap, LabelMapError

FORMAT = "freefontfinder-glyphnet/1"


def _write_json(path: Path, obj: dict) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _save_tensors(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, str]) -> None:
    tmp = path.with_suffix(".tmp.safetensors")
    save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, str(tmp), metadata=meta)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def save_model_dir(directory: str | Path, net: GlyphNet, labels: LabelMap, config: dict) -> Path:
    """Write model.safetensors + labels.json + config.json (``config`` gets arch and format added)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    net = getattr(net, "module", net)  # unwrap DDP
    _save_tensors(d / "model.safetensors", net.state_dict(), {"format": FORMAT})
    labels.save(d)
    _write_json(d / "config.json", {**config, "format": FORMAT, "model_args": net.args.to_dict()})
    return d


def check_labels_fit(args: ModelArgs, labels: LabelMap, where: Path) -> None:
    if args.num_fonts != labels.num_fonts:
        raise ModelError(f"{where}/labels.json lists {labels.num_fonts} fonts but the model "
                         f"outputs {args.num_fonts}: the label map does not belong to these weights")
    if args.num_chars != labels.num_chars:
        raise ModelError(f"{where}/labels.json has {labels.num_chars} characters but the model "
                         f"was trained on {args.num_chars}")
    if args.size != labels.norm.size:
        raise ModelError(f"{where}/labels.json says glyph size {labels.norm.size} but the model takes {args.size}")


def read_model_dir(directory: str | Path) -> tuple[GlyphNet, LabelMap, dict]:
    """(network in eval mode, label map, config) from a model directory; ModelError if inconsistent."""
    d = Path(directory)
    if not d.is_dir():
        raise ModelError(f"model directory {d} does not exist")
    try:
        labels = LabelMap.load(d)
    except LabelMapError as e:
        raise ModelError(f"cannot use model {d}: {e}") from e
    for name in ("config.json", "model.safetensors"):
        if not (d / name).is_file():
            raise ModelError(f"model {d} has no {name}")
    try:
        config = json.loads((d / "config.json").read_text())
        args = ModelArgs.from_dict(config["model_args"])
        net = GlyphNet(args)
    except (json.JSONDecodeError, KeyError, ArchError) as e:
        raise ModelError(f"model {d} has an unreadable config.json ({e})") from e
    check_labels_fit(args, labels, d)
    try:
        net.load_state_dict(load_file(str(d / "model.safetensors")), strict=True)
    except (RuntimeError, SafetensorError) as e:
        raise ModelError(f"model {d}: weights do not match config.json ({str(e).splitlines()[0]})") from e
    return net.eval(), labels, config


def save_prototypes(directory: str | Path, protos: torch.Tensor) -> None:
    """Store (F, C + 1, D) class-average embeddings as int8 with one float16 scale per (font, char)
    row: a quarter of float32 (the full catalog's 1,566 families: 12.6 MB, not 25 as float16);
    cosines move by under 0.01."""
    p = protos.float()
    scale = p.abs().amax(dim=-1, keepdim=True).clamp_min(1e-8)  # (F, C + 1, 1)
    q = torch.round(p / scale * 127).to(torch.int8)
    _save_tensors(Path(directory) / PROTOTYPES, {"prototypes_q": q, "prototypes_scale": (scale / 127).half()},
                  {"format": FORMAT})


def load_prototypes(directory: str | Path) -> torch.Tensor | None:
    """(F, C + 1, D) float32 class-average embeddings, or None when the model has none
    (classifier.onnx_inference.read_prototypes: int8 + scales, or the older float16 file)."""
    protos = read_prototypes(Path(directory))
    return None if protos is None else torch.from_numpy(protos)


def save_checkpoint(directory: str | Path, net: torch.nn.Module, opt: torch.optim.Optimizer, state: dict) -> None:
    """Everything needed to resume: weights, optimizer moments, torch RNG, and ``state`` (JSON-able)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    net = getattr(net, "module", net)
    tensors = {f"model.{k}": v for k, v in net.state_dict().items()}
    opt_sd = opt.state_dict()
    opt_scalars: dict[str, dict] = {}
    for idx, st in opt_sd["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                tensors[f"opt.{idx}.{k}"] = v
            else:
                opt_scalars.setdefault(str(idx), {})[k] = v
    tensors["rng.torch"] = torch.get_rng_state()
    _save_tensors(d / "state.safetensors", tensors, {"format": FORMAT})
    _write_json(d / "state.json", {**state, "opt_param_groups": opt_sd["param_groups"], "opt_scalars": opt_scalars})


def load_checkpoint(directory: str | Path, net: torch.nn.Module, opt: torch.optim.Optimizer) -> dict | None:
    """Restore weights, optimizer and RNG from a checkpoint; its state dict, or None if there is none."""
    d = Path(directory)
    if not (d / "state.json").is_file() or not (d / "state.safetensors").is_file():
        return None
    state = json.loads((d / "state.json").read_text())
    tensors = load_file(str(d / "state.safetensors"))
    net = getattr(net, "module", net)
    net.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    opt_state: dict[int, dict] = {}
    for k, v in tensors.items():
        if k.startswith("opt."):
            _, idx, name = k.split(".", 2)
            opt_state.setdefault(int(idx), {})[name] = v
    for idx, scalars in state.pop("opt_scalars").items():
        opt_state.setdefault(int(idx), {}).update(scalars)
    opt.load_state_dict({"state": opt_state, "param_groups": state.pop("opt_param_groups")})
    torch.set_rng_state(tensors["rng.torch"])
    return state
