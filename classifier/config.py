"""Config dataclasses of the classifier commands (defaults live here, in one place).

Light imports only: cli.py imports this module to show defaults in --help.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TrainConfig:
    data: str = "data/glyphs"
    out: str = "models/default"
    arch: str = "base"  # a name in classifier.model.ARCHS
    arch_overrides: str = ""  # JSON object of ModelArgs fields, e.g. '{"widths": [16, 32, 64], "convs_per_stage": 2}'
    size: int | None = None  # glyph size; None = the dataset's (must match it)
    epochs: int = 30
    time_budget_min: float = 0.0  # > 0: the LR schedule runs on wall time and training stops at the budget
    batch_size: int = 256  # per process
    lr: float = 3e-3
    min_lr_ratio: float = 0.02  # cosine decays to lr * this
    weight_decay: float = 0.05
    warmup_steps: int = 300
    label_smoothing: float = 0.1
    grad_clip: float = 2.0
    char_dropout: float = 0.1  # fraction of glyphs trained with the "unknown character" index
    shift: int = 1  # random +-pixels translation of training glyphs (0 = off)
    style_loss_weight: float = 0.5  # weight/width/italic losses relative to the font loss
    scoring: str = "auto"  # head | prototype | both | auto (lowest validation NLL); see bench/results/classifier_head_vs_prototypes.md
    val_fraction: float = 0.125  # share of rendering variants held out for validation
    val_max: int = 20000  # validation glyphs scored each epoch (fixed subset)
    max_steps: int = 0  # > 0: stop after this many optimizer steps (tests, smoke runs)
    seed: int = 0
    threads: int = 0  # torch CPU threads; 0 = all cores
    amp: bool = True  # bf16/fp16 autocast on GPU (never on CPU)
    resume: bool = True  # continue from OUT/checkpoint if it exists
    init_from: str = ""  # model directory whose weights start this run (fine-tuning; same labels, arch, split)
    wandb: bool = False  # log to Weights & Biases when the package is installed (offline works)
    wandb_project: str = "freefontfinder"
    progress: bool = True  # tqdm progress bar on stderr


@dataclass(frozen=True)
class EvalConfig:
    model: str = "models/default"
    data: str = "data/glyphs-val"
    split: str = "all"  # all | val (the training run's held-out variants) | train
    val_fraction: float = 0.125  # only for split=val/train: must match the training run
    batch_size: int = 512
    max_samples: int = 0  # 0 = all
    prototypes: bool = True  # also score by class-average embeddings (head vs prototypes)
    save_prototypes: str = ""  # head|prototype|both|auto: write prototypes.safetensors + that scoring into the model dir
    out: str = "bench/results"  # writes classifier_eval_<name>.json/.md here ('' = nowhere)
    name: str = ""  # result file suffix; '' = model dir name + data dir name
    threads: int = 0


@dataclass(frozen=True)
class ExportConfig:
    model: str = "models/default"
    onnx: bool = True
    out: str = ""  # '' = MODEL_DIR/model.onnx
    ocr: bool = False  # also export EasyOCR's CRAFT + english_g2 to ONNX (identify without torch)
    ocr_out: str = ""  # '' = models/ocr (or $FREEFONTFINDER_OCR_DIR)
    opset: int = 17
    check: bool = True  # compare onnxruntime outputs with torch (max abs diff <= 1e-4)


@dataclass(frozen=True)
class SweepConfig:
    config: str = "bench/sweep.json"  # JSON: {"data": ..., "base": {TrainConfig fields}, "grid": {...}}
    out: str = "bench/results/classifier_sweep"  # writes OUT.md, OUT.png, OUT.json
    runs: str = "data/sweep-runs"  # one model directory per run
    threads: int = 0  # > 0 overrides every run's threads
    bench_seconds: float = 2.0  # per speed measurement of each run's model
