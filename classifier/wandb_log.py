"""Optional Weights & Biases logging: used when enabled and the package is installed, never required."""

from __future__ import annotations

import os
import sys
from dataclasses import asdict
from typing import Any

from classifier.config import TrainConfig


class WandbLogger:
    """Logs epoch rows to W&B (offline unless WANDB_MODE says otherwise); a no-op when off or absent."""

    def __init__(self, cfg: TrainConfig | None) -> None:
        self.run: Any = None
        if cfg is None or not cfg.wandb:
            return
        try:
            import wandb
        except ImportError:
            print("wandb is not installed: W&B logging is off", file=sys.stderr)
            return
        mode = os.environ.get("WANDB_MODE", "offline")
        self.run = wandb.init(project=cfg.wandb_project, config=asdict(cfg), mode=mode, dir=cfg.out)

    def log(self, row: dict) -> None:
        if self.run is not None:
            self.run.log(row, step=int(row.get("step", 0)))

    def finish(self) -> None:
        if self.run is not None:
            self.run.finish()
