"""Config dataclasses of the glyphs commands (defaults live here, in one place)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchConfig:
    catalog: str = "default"
    cache: str | None = None  # None -> glyphs.catalog.default_cache_dir()
    fonts_dir: str | None = None
    batch: int = 30


@dataclass(frozen=True)
class GenerateConfig:
    out: str = "data/glyphs"
    catalog: str = "default"
    cache: str | None = None
    fonts_dir: str | None = None
    variants: int = 24  # renderings of each character per family
    size: int = 40
    shard: str | None = None  # "i/n": write only shard i of n
    num_shards: int = 8
    seed: int = 0
    workers: int = 0  # 0 = all cores
    augment: str = "default"  # none | default | heavy | heldout
