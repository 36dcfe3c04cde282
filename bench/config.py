"""Config dataclasses of the benchmark command (defaults live here, in one place).

``python cli.py benchmark`` builds all three from the same flags: a flag sets
the field of the same name in each dataclass that has one.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_SPLITS = "clean,screenshot,photo,scene,weights,short"


@dataclass(frozen=True)
class TestsetConfig:
    """``benchmark --make-testsets``: draw the test images and manifests."""

    __test__ = False  # not a pytest test class

    testsets: str = "bench/testsets"  # root; one folder per split
    split: str = ALL_SPLITS  # comma-separated splits (also: clean-beyond300, photo-beyond300)
    catalog: str = "top300"  # families of the six original splits (the beyond300 ones: bench.make_testsets)
    cache: str | None = None  # None -> glyphs.catalog.default_cache_dir()
    families: int = 0  # only the first N catalog families (0 = all)
    per_family: int = 4  # samples per family per split
    limit: int = 0  # at most N samples per split, round-robin over families (0 = no cap)
    seed: int = 0
    workers: int = 0  # processes for the PIL splits (0 = all cores)


@dataclass(frozen=True)
class BenchmarkConfig:
    """``benchmark``: run our pipeline and the baseline over the test sets."""

    testsets: str = "bench/testsets"
    split: str = ALL_SPLITS
    catalog: str = "default"  # the families our pipeline ranks (default = all; top300 = the model's classes)
    cache: str | None = None
    families: int = 0  # evaluate only the first N catalog families' samples (0 = all)
    per_family: int = 0  # at most N samples per family per split (0 = all in the manifest)
    limit: int = 0  # at most N samples per split (0 = all)
    model: str | None = None  # our model dir (None = the pipeline's default)
    baseline: str | None = None  # DeepFont baseline model dir (None = skip the baseline)
    systems: str = "ours,baseline"  # which systems to run
    results: str = "bench/results"  # where benchmark.md/.json and plots go
    confusions: int = 8  # most confused family pairs drawn in confusions.png


@dataclass(frozen=True)
class DeepFontConfig:
    """``benchmark --train-baseline``: train the DeepFont-style baseline."""

    baseline: str = "runs/deepfont"  # model dir written (model.safetensors, labels.json, config.json)
    catalog: str = "top300"
    cache: str | None = None
    families: int = 0  # only the first N catalog families (0 = all)
    minutes: float = 10.0  # wall-clock training budget
    epochs: int = 0  # stop after N passes over the rendered lines (0 = only the time budget)
    lines_per_font: int = 24  # rendered training lines per family
    val_lines: int = 4  # held-out lines per family (different texts) for the reported accuracy
    batch: int = 64
    lr: float = 2e-3
    seed: int = 0
    threads: int = 0  # torch CPU threads (0 = torch's default)
