"""Config dataclasses of the font-index commands (defaults live here, in one place)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndexBuildConfig:
    """`index build`: the shipped index of a catalog, beside its model."""

    model: str | None = None  # None -> models/default
    out: str | None = None  # None -> <model>/index
    catalog: str = "default"
    cache: str | None = None  # font cache (None: glyphs.catalog.default_cache_dir())
    fonts_dir: str | None = None  # also index this folder of your own fonts
    variants: int = 4  # drawings of each style's glyph set, averaged
    # glyphs.augment preset the drawings get. "none" (clean drawings at 40-64 px), not the training
    # augmentations: averaged over 4 augmented drawings, a prototype lost what the augmentations wipe out
    # (a Didone's hairlines at 12 px: a clean picture of Vidaloka matched its own prototype at cosine 0.45
    # and Playfair Display's at 0.85). Measured on clean-beyond300 (310 pictures): top-1 0.790 -> 0.835.
    augment: str = "none"
    seed: int = 0
    workers: int = 0  # 0 = all cores
    axis_ends: bool = True  # variable families also drawn at their axes' ends (fontindex.build.end_styles)


@dataclass(frozen=True)
class FontsAddConfig:
    """`fonts add` / `fonts remove`: fonts beyond the catalog, indexed without retraining."""

    targets: tuple[str, ...] = ()  # fontsource ids or folders of font files
    model: str | None = None
    cache: str | None = None
    variants: int = 4
    seed: int = 0
    workers: int = 0


@dataclass(frozen=True)
class SimilarConfig:
    """`similar FAMILY` / `similar --image IMG`."""

    family: str | None = None
    image: str | None = None
    top: int = 5
    free_only: bool = False
    model: str | None = None
    specimen: str | None = None  # write a specimen sheet PNG here
    json: bool = False
