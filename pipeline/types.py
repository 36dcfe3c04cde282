"""The result of pipeline.rank, exactly as shared/DESIGN.md fixes it."""

from __future__ import annotations

from dataclasses import dataclass, field

from typography.types import Typography

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in the input image's pixels


@dataclass(frozen=True)
class SimilarFamily:
    family: str  # id
    name: str  # display name
    similarity: float  # cosine of the two families' letter embeddings (fontindex.similar), 0..1
    free: bool  # OFL or Apache, as far as its licence file says


@dataclass(frozen=True)
class FontScore:
    family: str  # fontsource id
    name: str  # display name
    score: float  # probability 0..1
    weight: int  # 100..900 estimate
    width: int  # percent of normal, estimate
    italic: bool
    similar: tuple[SimilarFamily, ...] = ()  # closest free alternatives (needs the font index)


@dataclass(frozen=True)
class GlyphEvidence:
    char: str
    box: Box
    ocr_confidence: float
    best_family: str  # this glyph's own top font


@dataclass(frozen=True)
class Region:
    box: Box
    fonts: list[FontScore]
    glyphs: list[int]  # indices into Ranking.glyphs
    typography: Typography | None = None  # size, spacing, colours, CSS (typography package)
    in_catalog: float | None = None  # probability that this region's font is a known one
    trust: float = 1.0  # 0-1: how far its reading can be trusted (pipeline.trust); < 0.5: not the main answer


@dataclass(frozen=True)
class Ranking:
    fonts: list[FontScore]  # best first, for the largest region
    glyphs: list[GlyphEvidence]
    text: str
    regions: list[Region]
    in_catalog: float | None = None  # calibrated probability that the main text's font is a known one
    warnings: list[str] = field(default_factory=list)  # short sentences a person should read with the answer

    @property
    def empty(self) -> bool:
        return not self.fonts
