"""Per-glyph CNN: normalised glyph + character -> font log-probs, weight, width, italic, embedding.

Architectures live in a small registry (``ARCHS``); ``build_classifier(arch,
num_fonts, num_chars, **overrides)`` makes one. Every architecture is the same
``GlyphNet`` with different ``ModelArgs``, and those args are saved in the
model directory's config.json, so loading needs nothing but that file.

The character conditions the features with FiLM (a learned per-character scale
and shift after each stage) and is concatenated to the flattened features.
Index ``num_chars`` is "unknown character": it has its own embedding, trained
by character dropout, so a glyph whose OCR letter is missing or wrong still
scores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import NamedTuple

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

# Regression targets are predicted normalised: value = CENTER + SCALE * raw.
WEIGHT_CENTER, WEIGHT_SCALE = 500.0, 400.0  # CSS weight 100..900
WIDTH_CENTER, WIDTH_SCALE = 100.0, 25.0  # percent of normal width


class ArchError(ValueError):
    """An unknown architecture name or inconsistent architecture arguments."""


@dataclass(frozen=True)
class ModelArgs:
    num_fonts: int
    num_chars: int  # glyph set size; index num_chars = unknown character
    size: int = 40  # input is size x size
    widths: tuple[int, ...] = (24, 48, 96, 128)  # channels per stage; each stage ends with a 2x downsample
    convs_per_stage: int = 1  # 1 = single conv, 2 = back-to-back convs between downsamples
    char_dim: int = 32  # character embedding size
    embed_dim: int = 128  # penultimate layer (the glyph embedding)
    dropout: float = 0.1
    downsample: str = "conv"  # conv (stride-2 conv) or pool (max-pool)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelArgs:
        d = dict(d)
        d["widths"] = tuple(d["widths"])
        try:
            return cls(**d)
        except TypeError as e:
            raise ArchError(f"bad model args in config.json ({e})") from e


class GlyphOutput(NamedTuple):
    log_probs: torch.Tensor  # (N, F) log-softmax over fonts
    weight: torch.Tensor  # (N,) CSS weight units (100..900)
    width: torch.Tensor  # (N,) percent of normal width
    italic_logit: torch.Tensor  # (N,)
    embedding: torch.Tensor  # (N, D) penultimate layer


class Stage(nn.Module):
    """Downsample 2x, conv-BN-ReLU (x convs_per_stage), then FiLM by character.

    ``downsample="conv"``: the first conv has stride 2 (cheap on CPU: every
    elementwise op runs at the lower resolution). ``"pool"``: stride-1 convs
    then a 2x max-pool (VGG style, about twice the cost).
    """

    def __init__(self, c_in: int, c_out: int, n_convs: int, char_dim: int, downsample: str) -> None:
        super().__init__()
        if downsample not in ("conv", "pool"):
            raise ArchError(f"downsample must be 'conv' or 'pool', not {downsample!r}")
        layers: list[nn.Module] = []
        for i in range(n_convs):
            stride = 2 if i == 0 and downsample == "conv" else 1
            layers += [
                nn.Conv2d(c_in if i == 0 else c_out, c_out, 3, stride=stride, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]
        if downsample == "pool":
            layers.append(nn.MaxPool2d(2, ceil_mode=True))
        self.convs = nn.Sequential(*layers)
        self.film = nn.Linear(char_dim, 2 * c_out)
        nn.init.zeros_(self.film.weight)
        nn.init.zeros_(self.film.bias)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        x = self.convs(x)  # (N, C, ceil(H/2), ceil(W/2))
        gamma, beta = self.film(c)[:, :, None, None].chunk(2, dim=1)  # (N, C, 1, 1) each
        return torch.addcmul(beta, x, 1.0 + gamma)


class GlyphNet(nn.Module):
    def __init__(self, args: ModelArgs) -> None:
        super().__init__()
        if not args.widths or args.num_fonts < 1 or args.num_chars < 1:
            raise ArchError(f"inconsistent model args: {args}")
        self.args = args
        self.char_emb = nn.Embedding(args.num_chars + 1, args.char_dim)
        chans = (1, *args.widths)
        self.stages = nn.ModuleList(
            Stage(chans[i], chans[i + 1], args.convs_per_stage, args.char_dim, args.downsample)
            for i in range(len(args.widths))
        )
        side = args.size
        for _ in args.widths:
            side = (side + 1) // 2
        flat = args.widths[-1] * side * side
        self.fc = nn.Sequential(
            nn.Linear(flat + args.char_dim, args.embed_dim),
            nn.BatchNorm1d(args.embed_dim),
            nn.ReLU(inplace=True),
        )
        self.drop = nn.Dropout(args.dropout)
        self.font_head = nn.Linear(args.embed_dim, args.num_fonts)
        self.style_head = nn.Linear(args.embed_dim, 3)  # weight, width, italic

    def forward(self, images: torch.Tensor, chars: torch.Tensor) -> GlyphOutput:
        """images (N, S, S) uint8 (ink 255) or float in [0, 1]; chars (N,) int64 in [0, num_chars]."""
        x = images.float().unsqueeze(1)  # (N, 1, S, S)
        if images.dtype == torch.uint8:
            x = x / 255.0
        c = self.char_emb(chars)  # (N, char_dim)
        for stage in self.stages:
            x = stage(x, c)
        x = torch.cat([x.flatten(1), c], dim=1)  # (N, flat + char_dim)
        emb = self.fc(x)  # (N, D)
        h = self.drop(emb)
        style = self.style_head(h)  # (N, 3)
        return GlyphOutput(
            log_probs=F.log_softmax(self.font_head(h).float(), dim=1),
            weight=WEIGHT_CENTER + WEIGHT_SCALE * style[:, 0].float(),
            width=WIDTH_CENTER + WIDTH_SCALE * style[:, 1].float(),
            italic_logit=style[:, 2].float(),
            embedding=emb.float(),
        )


# name -> overrides of ModelArgs. Chosen by `cli.py sweep` (bench/results/classifier_sweep.md).
ARCHS: dict[str, dict] = {
    "tiny": dict(widths=(8, 16, 32), embed_dim=32, char_dim=8, dropout=0.0),
    "small": dict(widths=(16, 32, 64, 96), embed_dim=96),
    "base": dict(widths=(24, 48, 96, 128), embed_dim=128),
    "base2": dict(widths=(24, 48, 96, 128), embed_dim=128, convs_per_stage=2),
    "wide": dict(widths=(32, 64, 128, 192), embed_dim=192),
}
DEFAULT_ARCH = "base"


def build_classifier(arch: str, num_fonts: int, num_chars: int, **overrides) -> GlyphNet:
    """A fresh model from the registry; ``overrides`` replace any ModelArgs field."""
    if arch not in ARCHS:
        raise ArchError(f"unknown architecture {arch!r}; choose one of {sorted(ARCHS)}")
    args = ModelArgs(num_fonts=num_fonts, num_chars=num_chars, **ARCHS[arch])
    if overrides:
        if "widths" in overrides:
            overrides["widths"] = tuple(overrides["widths"])
        try:
            args = replace(args, **overrides)
        except TypeError as e:
            raise ArchError(f"bad architecture override ({e})") from e
    return GlyphNet(args)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
