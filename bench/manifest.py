"""Test-set manifests: one ``manifest.json`` per split directory.

``{"version", "split", "seed", "per_family", "catalog", "families", "missing",
"samples": [row, ...]}``; a row names its image (relative to the test-set
root), the true family, weight, width (% of normal), italic, text and split,
plus split-specific extras (font size, colours, engine...). Rows are ordered
round-robin over families (every family's sample 0, then every sample 1...),
so the first N rows of a split spread over as many families as possible.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

MANIFEST = "manifest.json"


class ManifestError(ValueError):
    """A manifest that is missing, malformed or from another generator version."""


@dataclass(frozen=True)
class Sample:
    image: str  # path relative to the test-set root, e.g. "clean/roboto-0.png"
    family: str
    weight: int
    width: float
    italic: bool
    text: str
    split: str
    extra: dict = field(default_factory=dict, compare=False)

    def to_row(self) -> dict:
        row = asdict(self)
        row.update(row.pop("extra"))
        return row

    @classmethod
    def from_row(cls, row: dict) -> Sample:
        keys = ("image", "family", "weight", "width", "italic", "text", "split")
        try:
            base = {k: row[k] for k in keys}
        except KeyError as e:
            raise ManifestError(f"manifest row lacks {e}") from e
        return cls(**base, extra={k: v for k, v in row.items() if k not in keys})


def write_manifest(split_dir: Path, meta: dict, samples: list[Sample]) -> Path:
    path = Path(split_dir) / MANIFEST
    payload = {**meta, "samples": [s.to_row() for s in samples]}
    path.write_text(json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return path


def read_manifest(split_dir: Path, version: str | None = None) -> tuple[dict, list[Sample]]:
    """(meta, samples) of a split; ``version`` (if given) must match the generator's."""
    path = Path(split_dir) / MANIFEST
    if not path.is_file():
        raise ManifestError(f"{path} does not exist: run `python cli.py benchmark --make-testsets`")
    try:
        payload = json.loads(path.read_text())
        rows = payload.pop("samples")
    except (json.JSONDecodeError, KeyError, AttributeError) as e:
        raise ManifestError(f"{path} is not a test-set manifest ({e!r})") from e
    if version is not None and payload.get("version") != version:
        raise ManifestError(f"{path} was made by generator version {payload.get('version')!r}, "
                            f"this code writes {version!r}: regenerate it")
    return payload, [Sample.from_row(r) for r in rows]


def select(samples: list[Sample], families: list[str] | None = None, per_family: int = 0,
           limit: int = 0) -> list[Sample]:
    """Rows of the given families (None = all), at most ``per_family`` each and ``limit``
    in all (0 = no cap), keeping manifest (round-robin) order."""
    keep = set(families) if families is not None else None
    counts: dict[str, int] = {}
    out = []
    for s in samples:
        if keep is not None and s.family not in keep:
            continue
        if per_family and counts.get(s.family, 0) >= per_family:
            continue
        counts[s.family] = counts.get(s.family, 0) + 1
        out.append(s)
        if limit and len(out) >= limit:
            break
    return out


def as_catalog_names(samples: list[Sample], aliases: dict[str, str]) -> list[Sample]:
    """The samples with each true family named as the catalog now names it: a family folded
    into another since the pictures were drawn (a twin, glyphs/twins.py: the same Latin
    glyphs) becomes that one, its drawn name kept in ``extra["drawn_as"]``. ``aliases``:
    glyphs.catalog_files.load_aliases of the catalog ranked over."""
    return [replace(s, family=aliases[s.family], extra={**s.extra, "drawn_as": s.family})
            if s.family in aliases else s for s in samples]
