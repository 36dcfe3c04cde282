"""Glyph arrays in memory, the validation split by variant, batching and training augmentation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from glyphs.dataset import GlyphDataset


class DataError(ValueError):
    """A dataset that cannot be used as asked (too few variants, wrong glyph size, ...)."""


@dataclass(frozen=True)
class GlyphArrays:
    """A subset of a GlyphDataset as torch tensors (kept uint8 for images: 1.6 kB per glyph)."""

    images: torch.Tensor  # (N, S, S) uint8, ink 255
    char: torch.Tensor  # (N,) int64
    font: torch.Tensor  # (N,) int64
    weight: torch.Tensor  # (N,) float32, 100..900
    width: torch.Tensor  # (N,) float32, percent
    italic: torch.Tensor  # (N,) float32, 0/1

    def __len__(self) -> int:
        return int(self.font.shape[0])

    def take(self, idx: torch.Tensor) -> GlyphArrays:
        return GlyphArrays(*(t[idx] for t in self.tensors()))

    def tensors(self) -> tuple[torch.Tensor, ...]:
        return (self.images, self.char, self.font, self.weight, self.width, self.italic)

    def to(self, device: torch.device) -> GlyphArrays:
        return GlyphArrays(*(t.to(device) for t in self.tensors()))


def split_variants(variant: np.ndarray, val_fraction: float, seed: int) -> list[int]:
    """The variant ids held out for validation: whole renderings, never rows."""
    ids = np.unique(np.asarray(variant))
    if len(ids) < 2:
        raise DataError("the dataset has a single rendering variant: cannot hold variants out for validation")
    k = int(np.clip(round(val_fraction * len(ids)), 1, len(ids) - 1))
    rng = np.random.default_rng(seed)
    return sorted(int(v) for v in rng.choice(ids, size=k, replace=False))


def split_indices(ds: GlyphDataset, val_variants: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, validation rows) of a dataset given its held-out variant ids."""
    is_val = np.isin(np.asarray(ds.variant), np.asarray(val_variants, dtype=np.int64))
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def load_arrays(ds: GlyphDataset, rows: np.ndarray | None = None) -> GlyphArrays:
    """Read rows (sorted, for sequential reads of memory-mapped shards) into tensors."""
    rows = np.arange(len(ds)) if rows is None else np.sort(np.asarray(rows))

    def get(a: np.ndarray, dtype: np.dtype) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(np.asarray(a)[rows], dtype=dtype))

    return GlyphArrays(
        images=get(ds.images, np.uint8),
        char=get(ds.char, np.int64),
        font=get(ds.font, np.int64),
        weight=get(ds.weight, np.float32),
        width=get(ds.width, np.float32),
        italic=get(ds.italic, np.float32),
    )


def subsample(n: int, k: int, seed: int) -> np.ndarray:
    """A fixed random subset of k of n rows (all when k <= 0 or k >= n), sorted."""
    if k <= 0 or k >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def epoch_batches(n: int, batch_size: int, epoch: int, seed: int, rank: int = 0, world: int = 1,
                  ) -> Iterator[torch.Tensor]:
    """Shuffled row batches of one epoch; every rank gets the same number of full batches."""
    g = torch.Generator().manual_seed(seed * 1000003 + epoch)
    perm = torch.randperm(n, generator=g)
    per_rank = n // world
    mine = perm[rank * per_rank : (rank + 1) * per_rank]
    for i in range(len(mine) // batch_size):
        yield mine[i * batch_size : (i + 1) * batch_size]


def steps_per_epoch(n: int, batch_size: int, world: int = 1) -> int:
    return (n // world) // batch_size


def augment(images: torch.Tensor, chars: torch.Tensor, num_chars: int, char_dropout: float, shift: int,
            g: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random +-shift px translation per glyph and character dropout to the unknown index.

    images (N, S, S) uint8 -> (N, S, S) uint8; chars (N,) int64 -> (N,) int64.
    """
    n, s, _ = images.shape
    dev = images.device
    if shift > 0:
        padded = torch.nn.functional.pad(images, (shift, shift, shift, shift))  # (N, S+2k, S+2k)
        dy = torch.randint(0, 2 * shift + 1, (n, 1, 1), generator=g).to(dev)
        dx = torch.randint(0, 2 * shift + 1, (n, 1, 1), generator=g).to(dev)
        ar = torch.arange(s, device=dev)
        rows = dy + ar[None, :, None]  # (N, S, 1)
        cols = dx + ar[None, None, :]  # (N, 1, S)
        images = padded[torch.arange(n, device=dev)[:, None, None], rows, cols]
    if char_dropout > 0:
        drop = (torch.rand(n, generator=g) < char_dropout).to(dev)
        chars = torch.where(drop, torch.full_like(chars, num_chars), chars)
    return images, chars
