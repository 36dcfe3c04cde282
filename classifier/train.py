"""Training: ``python cli.py train --data DIR --out models/NAME`` (CPU, one GPU, or torchrun DDP).

AdamW (no decay on norms, biases, embeddings), linear warmup then cosine decay
(over steps, or over wall time with --time-budget-min), label smoothing,
gradient clipping, bf16/fp16 autocast on GPU. Validation glyphs are whole
rendering variants held out. Each epoch appends to metrics.jsonl, redraws
curves.png, draws predictions_epochNN.png and writes a resumable checkpoint;
the model directory holds the best epoch by validation top-1, not the last.
"""

from __future__ import annotations

import json
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from classifier import data as gdata
from classifier.config import TrainConfig
from classifier.evaluate import add_prototypes, update_config
from classifier.metrics import predict, style_loss, summarize
from classifier.model import GlyphNet, build_classifier
from classifier.report import append_metrics, plot_curves, plot_predictions, read_metrics
from classifier.runtime import (
    DistEnv,
    autocast_context,
    cleanup_distributed,
    needs_grad_scaler,
    seed_everything,
    set_threads,
    setup_distributed,
)
from classifier.store import ModelError, load_checkpoint, read_model_dir, save_checkpoint, save_model_dir
from classifier.wandb_log import WandbLogger
from classifier.warmstart import WarmStartError, extend_head
from glyphs.dataset import load_dataset
from glyphs.labels import LabelMap


class TrainError(RuntimeError):
    """Training cannot start or resume as asked."""


@dataclass(frozen=True)
class RunState:
    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps taken
    elapsed_s: float = 0.0  # wall seconds spent, all sessions together
    best_top1: float = -1.0
    best_loss: float = math.inf
    best_epoch: int = 0
    done: bool = False


@dataclass(frozen=True)
class Run:
    cfg: TrainConfig
    env: DistEnv
    out: Path
    labels: LabelMap
    fingerprint: str
    val_variants: list[int]
    train: gdata.GlyphArrays
    val: gdata.GlyphArrays
    net: torch.nn.Module  # DDP-wrapped when distributed
    opt: torch.optim.Optimizer
    total_steps: int
    logger: WandbLogger


@dataclass(frozen=True)
class Clock:
    base_s: float  # wall seconds spent by earlier sessions (resume)
    t0: float  # time.time() when this session started

    def elapsed(self) -> float:
        return self.base_s + time.time() - self.t0


def lr_factor(step: int, progress: float, warmup_steps: int, min_ratio: float) -> float:
    """Linear warmup over ``warmup_steps``, then cosine from 1 to ``min_ratio`` as progress goes 0 -> 1."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    p = min(max(progress, 0.0), 1.0)
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * p))


def is_better(metrics: dict, state: RunState) -> bool:
    """Best by validation top-1; a tie goes to the lower validation loss."""
    t, loss = metrics["val_top1"], metrics["val_loss"]
    return t > state.best_top1 or (t == state.best_top1 and loss < state.best_loss)


def make_optimizer(net: GlyphNet, cfg: TrainConfig) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, p in net.named_parameters():
        (decay if p.ndim >= 2 and "char_emb" not in name else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.99))


def _load_data(cfg: TrainConfig, env: DistEnv) -> tuple:
    ds = load_dataset(cfg.data)
    size = ds.labels.norm.size
    if cfg.size is not None and cfg.size != size:
        raise TrainError(f"--size {cfg.size} but dataset {cfg.data} has {size}px glyphs; generate it at that size")
    val_variants = gdata.split_variants(ds.variant, cfg.val_fraction, cfg.seed)
    tr_rows, va_rows = gdata.split_indices(ds, val_variants)
    va_rows = va_rows[gdata.subsample(len(va_rows), cfg.val_max, cfg.seed + 1)]
    train, val = gdata.load_arrays(ds, tr_rows), gdata.load_arrays(ds, va_rows)
    if env.device.type == "cuda":
        train = train.to(env.device)
    return ds.labels, ds.fingerprint, val_variants, train, val


def prepare(cfg: TrainConfig) -> Run:
    if cfg.scoring not in ("auto", "head", "prototype", "both"):
        raise TrainError(f"--scoring must be auto, head, prototype or both, not {cfg.scoring!r}")
    env = setup_distributed()
    set_threads(cfg.threads)
    seed_everything(cfg.seed)
    labels, fingerprint, val_variants, train, val = _load_data(cfg, env)
    net = build_classifier(cfg.arch, labels.num_fonts, labels.num_chars, size=labels.norm.size,
                           **parse_overrides(cfg.arch_overrides)).to(env.device)
    if cfg.init_from:
        warm_start(net, cfg, labels, val_variants, train, fingerprint)
    opt = make_optimizer(net, cfg)
    if env.distributed:
        ids = [env.device.index] if env.device.type == "cuda" else None
        net = torch.nn.parallel.DistributedDataParallel(net, device_ids=ids)
    spe = gdata.steps_per_epoch(len(train), cfg.batch_size, env.world)
    if spe < 1:
        raise TrainError(f"{len(train)} training glyphs is less than one batch of {cfg.batch_size} per process")
    total = cfg.epochs * spe if cfg.max_steps <= 0 else min(cfg.epochs * spe, cfg.max_steps)
    logger = WandbLogger(cfg) if env.main else WandbLogger(None)
    return Run(cfg, env, Path(cfg.out), labels, fingerprint, val_variants, train, val, net, opt, total, logger)


def warm_start(net: GlyphNet, cfg: TrainConfig, labels: LabelMap, val_variants: list[int],
               train: gdata.GlyphArrays, fingerprint: str = "") -> None:
    """Load the weights of model directory ``cfg.init_from`` into ``net`` (fine-tuning).

    Same label map: the architecture must be identical, and on the source model's own
    dataset (same fingerprint) the held-out variants too, otherwise validation would score
    glyphs the first model trained on. A new dataset of the same families (another
    ``glyphs generate --seed``, or new styles) holds no glyph the source trained on, so any
    held-out variants are clean there. A larger label
    map holding every source family (the full catalog after the 300): the font head is
    extended by font id and new families imprinted (classifier.warmstart); generate that
    dataset with another ``--seed`` than the source's, so no validation glyph is one the
    source model trained on.
    """
    try:
        src, src_labels, src_config = read_model_dir(cfg.init_from)
    except ModelError as e:
        raise TrainError(f"--init-from: {e}") from e
    if src_labels.to_dict() != labels.to_dict():
        try:
            summary = extend_head(net, src, src_labels, labels, train)
        except WarmStartError as e:
            raise TrainError(f"--init-from {cfg.init_from}: {e}") from e
        print(f"warm start from {cfg.init_from}: {summary['source_families']} families kept by id, "
              f"{summary['imprinted_families']} imprinted", file=sys.stderr)
        return
    if src.args != net.args:
        raise TrainError(f"--init-from {cfg.init_from}: its architecture differs from --arch {cfg.arch} "
                         f"{cfg.arch_overrides}".rstrip())
    same_data = src_config.get("dataset_fingerprint", fingerprint) == fingerprint
    if same_data and list(src_config.get("val_variants", [])) != list(val_variants):
        raise TrainError(f"--init-from {cfg.init_from} held out variants {src_config.get('val_variants')}, "
                         f"this run {list(val_variants)}: use the same --seed and --val-fraction")
    net.load_state_dict(src.state_dict(), strict=True)


def parse_overrides(text: str) -> dict:
    if not text:
        return {}
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise TrainError(f"--arch-overrides is not JSON ({e.msg})") from e
    if not isinstance(d, dict):
        raise TrainError("--arch-overrides must be a JSON object of model settings")
    return d


def progress_of(run: Run, state: RunState, elapsed: float) -> float:
    p = state.step / run.total_steps
    if run.cfg.time_budget_min > 0:
        p = max(p, elapsed / (60.0 * run.cfg.time_budget_min))
    return p


def _sync_max(run: Run, value: float) -> float:
    """The largest value over all processes (so every rank stops at the same step)."""
    if not run.env.distributed:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=run.env.device)
    torch.distributed.all_reduce(t, op=torch.distributed.ReduceOp.MAX)
    return float(t.item())


def train_step(run: Run, batch: gdata.GlyphArrays, gen: torch.Generator, scaler) -> float:
    cfg, net = run.cfg, run.net
    x, c = gdata.augment(batch.images, batch.char, run.labels.num_chars, cfg.char_dropout, cfg.shift, gen)
    with autocast_context(run.env.device, cfg.amp):
        out = net(x, c)  # GlyphOutput, each (N, ...)
        nll = -out.log_probs.gather(1, batch.font[:, None])[:, 0]  # (N,)
        smooth = -out.log_probs.mean(dim=1)  # (N,)
        font_loss = ((1 - cfg.label_smoothing) * nll + cfg.label_smoothing * smooth).mean()
        loss = font_loss + cfg.style_loss_weight * style_loss(out.weight, out.width, out.italic_logit, batch)
    run.opt.zero_grad(set_to_none=True)
    if scaler is not None:
        scaler.scale(loss).backward()
        scaler.unscale_(run.opt)
    else:
        loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.grad_clip)
    if scaler is not None:
        scaler.step(run.opt)
        scaler.update()
    else:
        run.opt.step()
    return float(loss.detach())


def train_epoch(run: Run, state: RunState, clock: Clock, scaler) -> tuple[RunState, dict]:
    """One pass over the training glyphs (or until the step/time budget ends)."""
    cfg, env = run.cfg, run.env
    gen = torch.Generator().manual_seed(cfg.seed * 7919 + state.epoch)
    spe = gdata.steps_per_epoch(len(run.train), cfg.batch_size, env.world)
    bar = tqdm(total=spe, desc=f"epoch {state.epoch + 1}", disable=not (cfg.progress and env.main),
               file=sys.stderr, dynamic_ncols=True, leave=False)
    run.net.train()
    losses, n, t_start = [], 0, time.time()
    step = state.step
    for idx in gdata.epoch_batches(len(run.train), cfg.batch_size, state.epoch, cfg.seed, env.rank, env.world):
        elapsed = _sync_max(run, clock.elapsed())
        p = progress_of(run, replace(state, step=step), elapsed)
        if p >= 1.0:
            break
        lr = cfg.lr * lr_factor(step, p, cfg.warmup_steps, cfg.min_lr_ratio)
        for g in run.opt.param_groups:
            g["lr"] = lr
        losses.append(train_step(run, run.train.take(idx.to(run.train.font.device)), gen, scaler))
        step, n = step + 1, n + len(idx) * env.world
        bar.update(1)
        if step % 20 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}", lr=f"{lr:.2e}")
    bar.close()
    train_s = time.time() - t_start
    done = progress_of(run, replace(state, step=step), _sync_max(run, clock.elapsed())) >= 1.0 or state.epoch + 1 >= cfg.epochs
    new = replace(state, epoch=state.epoch + 1, step=step, done=done)
    return new, {"train_loss": float(np.mean(losses)) if losses else float("nan"), "lr": lr if losses else 0.0,
                 "samples_per_s": n / max(train_s, 1e-9), "train_s": train_s}


def validate(run: Run) -> tuple[dict, torch.Tensor]:
    """Validation metrics (with and without the character) and the top-5 of every validation glyph."""
    net = getattr(run.net, "module", run.net)
    p = predict(net, run.val, device=run.env.device)
    m = summarize(p, run.val)
    few = run.val.take(torch.arange(min(len(run.val), 5000)))
    q = predict(net, few, unknown_char=True, device=run.env.device)
    m["val_top1_nochar"], m["val_top5_nochar"] = summarize(q, few)["val_top1"], summarize(q, few)["val_top5"]
    return m, p.top5


def hardware() -> str:
    if torch.cuda.is_available():
        return f"{torch.cuda.device_count()}x {torch.cuda.get_device_name(0)}"
    return f"CPU {platform.machine()} ({torch.get_num_threads()} threads)"


def model_config(run: Run, state: RunState, metrics: dict) -> dict:
    return {
        "arch": run.cfg.arch,
        "train": asdict(run.cfg),
        "dataset_fingerprint": run.fingerprint,
        "val_variants": run.val_variants,
        "epoch": state.epoch,
        "metrics": metrics,
        "hardware": hardware(),
        "world_size": run.env.world,
        "scoring": "head",
    }


def _draw_predictions(run: Run, epoch: int, top5: torch.Tensor) -> None:
    k = min(32, len(run.val))
    idx = torch.from_numpy(gdata.subsample(len(run.val), k, 12345))
    names = [f.name for f in run.labels.fonts]
    gs = run.labels.glyph_set
    plot_predictions(run.out / f"predictions_epoch{epoch:02d}.png", run.val.images[idx].numpy(),
                     [names[int(i)] for i in run.val.font[idx]], [names[int(i)] for i in top5[idx, 0]],
                     "".join(gs[int(c)] if int(c) < len(gs) else "?" for c in run.val.char[idx]))


def end_epoch(run: Run, state: RunState, train_metrics: dict, epoch_t0: float, clock: Clock) -> RunState:
    """Validate, log, plot, keep the best model and write the checkpoint (main process only)."""
    if run.env.main:
        m, top5 = validate(run)
        row = {"epoch": state.epoch, "step": state.step, **train_metrics, **m}
        if is_better(m, state):
            state = replace(state, best_top1=m["val_top1"], best_loss=m["val_loss"], best_epoch=state.epoch)
            save_model_dir(run.out, run.net, run.labels, model_config(run, state, row))
        row["epoch_wall_s"] = time.time() - epoch_t0
        row["elapsed_s"] = clock.elapsed()
        row["best_epoch"] = state.best_epoch
        append_metrics(run.out, row)
        plot_curves(run.out, read_metrics(run.out))
        _draw_predictions(run, state.epoch, top5)
        run.logger.log(row)
        print(_epoch_line(row), file=sys.stderr, flush=True)
        state = replace(state, elapsed_s=row["elapsed_s"])
        save_checkpoint(run.out / "checkpoint", run.net, run.opt, asdict(state) | _identity(run))
    if run.env.distributed:
        torch.distributed.barrier()
    return state


def _epoch_line(r: dict) -> str:
    return (f"epoch {r['epoch']}: loss {r['train_loss']:.3f} val top-1 {r['val_top1']:.3f} "
            f"top-5 {r['val_top5']:.3f} (no char {r['val_top1_nochar']:.3f}) weight MAE "
            f"{r['val_weight_mae']:.0f} | {r['samples_per_s']:.0f} glyphs/s, {r['epoch_wall_s']:.0f}s")


def _identity(run: Run) -> dict:
    return {"fingerprint": run.fingerprint, "val_variants": run.val_variants, "arch": run.cfg.arch,
            "arch_overrides": run.cfg.arch_overrides}


def resume_state(run: Run) -> RunState:
    """The saved state when resuming a matching run, else a fresh one (old metrics cleared)."""
    saved = load_checkpoint(run.out / "checkpoint", run.net, run.opt) if run.cfg.resume else None
    if saved is None:
        (run.out / "metrics.jsonl").unlink(missing_ok=True)
        return RunState()
    ident = {k: saved.pop(k, None) for k in _identity(run)}
    if ident != _identity(run):
        raise TrainError(f"{run.out}/checkpoint belongs to another dataset, split or arch; "
                         "use a new --out or --no-resume")
    state = RunState(**saved)
    state = replace(state, done=state.epoch >= run.cfg.epochs or progress_of(run, state, state.elapsed_s) >= 1.0)
    rows = [r for r in read_metrics(run.out) if r["epoch"] <= state.epoch]
    (run.out / "metrics.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    print(f"resuming {run.out} after epoch {state.epoch} (step {state.step})", file=sys.stderr)
    return state


def train(cfg: TrainConfig) -> int:
    """Train until the epochs, steps or time budget are spent; the model dir holds the best epoch."""
    run = prepare(cfg)
    run.out.mkdir(parents=True, exist_ok=True)
    state = resume_state(run)
    scaler = torch.amp.GradScaler("cuda") if needs_grad_scaler(run.env.device, cfg.amp) else None
    clock = Clock(state.elapsed_s, time.time())
    if run.env.main:
        print(f"training {cfg.arch} on {len(run.train)} glyphs ({len(run.val)} validation), "
              f"{run.labels.num_fonts} fonts, {hardware()}, world {run.env.world}", file=sys.stderr)
    while not state.done:
        epoch_t0 = time.time()
        state, tm = train_epoch(run, state, clock, scaler)
        state = end_epoch(run, state, tm, epoch_t0, clock)
    if run.env.main:
        update_config(run.out, run_summary={"epochs": state.epoch, "steps": state.step, "best_epoch": state.best_epoch,
                                            "wall_s": state.elapsed_s, "hardware": hardware(),
                                            "train_glyphs": len(run.train), "world_size": run.env.world})
        add_prototypes(run.out, run.train, run.val, run.env.device, cfg.scoring)
        run.logger.finish()
    cleanup_distributed()
    return 0
