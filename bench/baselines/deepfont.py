"""DeepFont-style baseline: a whole-image font classifier, no OCR.

After Wang et al., "DeepFont: Identify Your Font from An Image" (2015), in
small: the text line is cropped to its ink, scaled to a height of 105 px, and
cut into 105 x 105 patches; a CNN classifies each patch over the catalog's
families and the line's ranking is the mean of the patch probabilities.

A model directory holds ``model.safetensors``, ``labels.json``
(glyphs.labels.LabelMap, plus ``kind`` and ``patch``) and ``config.json``
(architecture, training settings, metrics). No pickles.

    model = load("runs/deepfont"); predict(model, "photo.jpg")[:5]
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps
from safetensors.torch import load_file, save_file
from torch import nn

from glyphs.labels import LabelMap, LabelMapError
from glyphs.normalize import to_dark_on_light

PATCH = 105
KIND = "deepfont-baseline"
CHANNELS = (32, 64, 128, 256)


class DeepFontError(ValueError):
    """A baseline model directory that is missing or inconsistent, or an unreadable image."""


class DeepFontNet(nn.Module):
    """Conv stack over a 1 x 105 x 105 patch (ink high, 0..1) -> logits over fonts."""

    def __init__(self, num_fonts: int, channels: tuple[int, ...] = CHANNELS) -> None:
        super().__init__()
        c1, c2, c3, c4 = channels
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5, stride=2, padding=2), nn.BatchNorm2d(c1), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),  # 26
            nn.Conv2d(c1, c2, 3, padding=1), nn.BatchNorm2d(c2), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),  # 13
            nn.Conv2d(c2, c3, 3, padding=1), nn.BatchNorm2d(c3), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),  # 6
            nn.Conv2d(c3, c4, 3, padding=1), nn.BatchNorm2d(c4), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(c4, num_fonts))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


@dataclass(frozen=True)
class DeepFont:
    net: DeepFontNet
    labels: LabelMap
    config: dict


# ----------------------------------------------------------------------------- preprocessing
def load_gray(image: str | Path | bytes | Image.Image | np.ndarray) -> np.ndarray:
    """Any accepted image -> (H, W) uint8 grayscale, EXIF orientation applied."""
    if isinstance(image, np.ndarray):
        arr = image if image.ndim == 2 else np.asarray(Image.fromarray(image[..., :3]).convert("L"))
        return arr.astype(np.uint8)
    if isinstance(image, Image.Image):
        return np.asarray(ImageOps.exif_transpose(image).convert("L"))
    try:
        src = io.BytesIO(image) if isinstance(image, bytes) else image
        with Image.open(src) as im:
            return np.asarray(ImageOps.exif_transpose(im).convert("L"))
    except (OSError, ValueError) as e:
        raise DeepFontError(f"cannot read image ({e})") from e


def normalize_line(gray: np.ndarray, margin: float = 0.08) -> np.ndarray:
    """(H, W) uint8 text line -> (105, W') float32, ink high in 0..1, cropped to its ink."""
    g = to_dark_on_light(np.asarray(gray)).astype(np.float32)
    ink = np.clip(np.median(g) - g, 0, None)
    if ink.max() < 8:
        return np.zeros((PATCH, PATCH), np.float32)
    mask = ink > 0.4 * ink.max()
    y0, y1 = _span(mask.sum(axis=1), 1)
    x0, x1 = _span(mask.sum(axis=0), 1)
    m = int(round(margin * (y1 - y0)))
    y0, y1 = max(0, y0 - m), min(g.shape[0], y1 + m)
    x0, x1 = max(0, x0 - m), min(g.shape[1], x1 + m)
    crop = ink[y0:y1, x0:x1]
    crop = crop / max(float(crop.max()), 1e-6)
    w = max(1, int(round(crop.shape[1] * PATCH / crop.shape[0])))
    img = Image.fromarray((crop * 255).astype(np.uint8)).resize((w, PATCH), Image.BILINEAR)
    return np.asarray(img, np.float32) / 255.0


def _span(profile: np.ndarray, min_count: int) -> tuple[int, int]:
    idx = np.nonzero(profile >= min_count)[0]
    return (int(idx[0]), int(idx[-1]) + 1) if idx.size else (0, len(profile))


def patches(line: np.ndarray, n: int = 8) -> np.ndarray:
    """Up to ``n`` evenly spaced 105 x 105 patches of a normalised line (zero-padded if narrow)."""
    h, w = line.shape
    if w <= PATCH:
        out = np.zeros((1, PATCH, PATCH), np.float32)
        left = (PATCH - w) // 2
        out[0, :, left:left + w] = line
        return out
    starts = np.unique(np.linspace(0, w - PATCH, num=min(n, w - PATCH + 1)).round().astype(int))
    return np.stack([line[:, s:s + PATCH] for s in starts])


# ----------------------------------------------------------------------------- inference
@torch.no_grad()
def predict(model: DeepFont, image: str | Path | bytes | Image.Image | np.ndarray,
            n_patches: int = 8) -> list[tuple[str, float]]:
    """All families, best first, with the mean patch probability (sums to 1)."""
    model.net.eval()
    x = torch.from_numpy(patches(normalize_line(load_gray(image)), n_patches)).unsqueeze(1)
    probs = torch.softmax(model.net(x), dim=1).mean(dim=0).numpy()
    order = np.argsort(-probs, kind="stable")
    return [(model.labels.fonts[i].family, float(probs[i])) for i in order]


# ----------------------------------------------------------------------------- model dir
def save(model: DeepFont, directory: str | Path) -> Path:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.net.state_dict().items()}
    save_file(state, str(out / "model.safetensors"))
    model.labels.save(out, extra={"kind": KIND, "patch": PATCH})
    (out / "config.json").write_text(json.dumps(model.config, indent=1, sort_keys=True) + "\n")
    return out


def load(directory: str | Path) -> DeepFont:
    d = Path(directory)
    try:
        labels = LabelMap.load(d)
        extra = json.loads((d / "labels.json").read_text())
        config = json.loads((d / "config.json").read_text())
    except (OSError, json.JSONDecodeError, LabelMapError) as e:
        raise DeepFontError(f"{d} is not a DeepFont baseline model dir ({e})") from e
    if extra.get("kind") != KIND:
        raise DeepFontError(f"{d}/labels.json is not a {KIND} model (kind={extra.get('kind')!r})")
    net = DeepFontNet(labels.num_fonts, tuple(config.get("channels", CHANNELS)))
    try:
        net.load_state_dict(load_file(str(d / "model.safetensors")))
    except (OSError, RuntimeError) as e:
        raise DeepFontError(f"{d}/model.safetensors does not match labels.json ({e})") from e
    net.eval()
    return DeepFont(net, labels, config)
