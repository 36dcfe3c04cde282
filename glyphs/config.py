"""Config dataclasses of the glyphs commands (defaults live here, in one place)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchConfig:
    catalog: str = "default"
    cache: str | None = None  # None -> glyphs.catalog.default_cache_dir()
    fonts_dir: str | None = None
    batch: int = 30  # packages per npm call
    jobs: int = 4  # npm calls at once (threads; npm waits on the network, not the CPU)


@dataclass(frozen=True)
class GenerateConfig:
    out: str = "data/glyphs"
    catalog: str = "top300"  # the glyph model's training classes
    cache: str | None = None
    fonts_dir: str | None = None
    variants: int = 24  # renderings of each character per family
    size: int = 40
    shard: str | None = None  # "i/n": write only shard i of n
    num_shards: int = 8
    seed: int = 0
    workers: int = 0  # 0 = all cores
    augment: str = "default"  # none | default | heavy | heldout


@dataclass(frozen=True)
class CatalogConfig:
    """`fonts catalog build` / `fonts catalog fold-twins`."""

    out: str = "glyphs/catalog-all.txt"  # the catalog written (aliases beside it: -aliases.txt)
    metadata: str | None = None  # google-fonts-v2.json or the package .tgz; None -> npm pack the pinned one
    report: str = "bench/results/catalog_all.md"  # counts (and .json beside it)
    cache: str | None = None  # fold-twins: font cache (None -> the fetch cache)
    drop_unfetched: bool = False  # fold-twins: drop families without files instead of stopping
    hash_memo: str | None = None  # fold-twins: JSON file of glyph hashes kept between runs (None: none)
