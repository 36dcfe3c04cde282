"""The label map: the one place that says which output index is which font.

It is saved as ``labels.json`` beside every glyph dataset and every model, and
loaded from there; it is never rebuilt from file names or sorted paths.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_GLYPH_SET = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "abcdefghijklmnopqrstuvwxyz" "0123456789"
)


class LabelMapError(ValueError):
    """A labels.json that is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class FontLabel:
    family: str  # fontsource id, e.g. "open-sans"
    name: str  # display name, e.g. "Open Sans"


@dataclass(frozen=True)
class NormSettings:
    """How a glyph crop becomes the model's input (see glyphs.normalize)."""

    size: int = 40  # output is size x size
    baseline: float = 0.75  # baseline row, as a fraction of size
    cap_height: float = 0.55  # cap height, as a fraction of size
    margin: float = 0.08  # horizontal margin around the ink, fraction of cap height


@dataclass(frozen=True)
class LabelMap:
    fonts: tuple[FontLabel, ...]
    glyph_set: str = DEFAULT_GLYPH_SET
    norm: NormSettings = field(default_factory=NormSettings)

    def __post_init__(self) -> None:
        ids = [f.family for f in self.fonts]
        if len(set(ids)) != len(ids):
            raise LabelMapError("labels.json lists a font id twice")
        if len(set(self.glyph_set)) != len(self.glyph_set):
            raise LabelMapError("labels.json lists a character twice in its glyph set")

    @property
    def num_fonts(self) -> int:
        return len(self.fonts)

    @property
    def num_chars(self) -> int:
        return len(self.glyph_set)

    def font_index(self, family: str) -> int:
        for i, f in enumerate(self.fonts):
            if f.family == family:
                return i
        raise KeyError(family)

    def char_index(self, char: str) -> int:
        """Index of a character in the glyph set, or num_chars for unknown."""
        i = self.glyph_set.find(char)
        return i if i >= 0 and len(char) == 1 else self.num_chars

    def to_dict(self) -> dict:
        return {
            "fonts": [asdict(f) for f in self.fonts],
            "glyph_set": self.glyph_set,
            "norm": asdict(self.norm),
        }

    @classmethod
    def from_dict(cls, d: dict) -> LabelMap:
        try:
            fonts = tuple(FontLabel(f["family"], f["name"]) for f in d["fonts"])
            return cls(fonts, d["glyph_set"], NormSettings(**d["norm"]))
        except (KeyError, TypeError) as e:
            raise LabelMapError(f"labels.json is malformed ({e!r})") from e

    def save(self, directory: Path, extra: dict | None = None) -> Path:
        """Write labels.json into ``directory``; ``extra`` keys are kept beside."""
        path = Path(directory) / "labels.json"
        payload = {**(extra or {}), **self.to_dict()}
        path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path) -> LabelMap:
        path = Path(directory) / "labels.json"
        if not path.is_file():
            raise LabelMapError(f"{path} is missing: every dataset and model needs its label map")
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except json.JSONDecodeError as e:
            raise LabelMapError(f"{path} is not valid JSON ({e.msg})") from e
