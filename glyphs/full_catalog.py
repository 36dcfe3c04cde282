"""The full catalog: every Latin Google Fonts family, from Google Fonts' metadata.

Source: the npm package ``google-font-metadata`` (the metadata fontsource builds its
``@fontsource/<id>`` packages from; its ids are fontsource ids). Its
``data/google-fonts-v2.json`` maps id -> {family, weights, styles, subsets,
unicodeRange, variants: {weight: {style: {subset: ...}}}}.

Rules (first pass, metadata only), in the order they are applied; a family dropped by
one rule is counted under that rule only:

1. ``excluded``: faces whose letters are not letters (barcodes, redaction scribbles,
   block/line faces, icons, emoji, symbols): ``EXCLUDED`` below, one pattern and reason each.
2. ``legacy_alias``: a legacy id of a family published under a new id
   (``LEGACY_ALIASES``); kept as an alias of the new id.
3. ``no_latin``: no ``latin`` subset (and no numbered slices: Google serves CJK families
   as slices ``[2]``...``[119]``, and fontsource builds their latin file from them).
4. ``no_normal_latin``: no normal (upright) style with a latin file at any weight.
5. ``latin_range``: the latin subset's unicode-range (the slices' together) misses part
   of ``A–Z a–z 0–9``.

The 300 (catalog-300.txt) are kept first, in their order, so that ``top300`` is a prefix
of ``all`` (its families outside Google Fonts' metadata, fontsource-only ones, are kept
too, under the same rules 1-2); the other families follow sorted by id. The second pass
(glyphs/twins.py, needs the fetched files) drops families whose files lack the glyphs
and folds families whose latin glyph outlines are identical.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from glyphs.catalog import TOP300_CATALOG, Family, load_catalog

GOOGLE_FONT_METADATA = "google-font-metadata@6.0.8"  # pinned: the catalog is rebuilt on purpose
METADATA_MEMBER = "package/data/google-fonts-v2.json"
REQUIRED_TEXT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

EXCLUDED: tuple[tuple[str, str], ...] = (
    (r"libre-barcode-.*", "barcode: bars, not letters"),
    (r"redacted(-script)?", "scribble: every letter drawn as a line or scribble (redaction faces)"),
    (r"flow-(block|circular|rounded)", "blocks: words drawn as rounded bars (wireframe placeholder text)"),
    (r"(linefont|wavefont)", "data faces: characters mapped to lines/bars of a chart"),
    (r"material-(icons|symbols).*", "icons"),
    (r"noto-(color-)?emoji", "emoji"),
    (r"noto-(sans-symbols(-2)?|music)", "symbols: no Latin letters to identify"),
)

# legacy id -> (current id, why). Applied to ids present in the source; Google's current
# metadata no longer lists most of these, fontsource still publishes packages for them.
LEGACY_ALIASES: dict[str, tuple[str, str]] = {
    "source-sans-pro": ("source-sans-3", "renamed Source Sans 3 (2021)"),
    "source-serif-pro": ("source-serif-4", "renamed Source Serif 4 (2021)"),
    "droid-sans": ("noto-sans", "Droid Sans continued as Noto Sans"),
    "droid-serif": ("noto-serif", "Droid Serif continued as Noto Serif"),
    "droid-sans-mono": ("noto-sans-mono", "Droid Sans Mono continued as Noto Sans Mono"),
    "ek-mukta": ("mukta", "renamed Mukta"),
    "baloo": ("baloo-2", "Baloo was replaced by Baloo 2"),
}
_SLICE_RE = re.compile(r"\[\d+\]")
RULES = ("excluded", "legacy_alias", "no_latin", "no_normal_latin", "latin_range")


class MetadataError(ValueError):
    """Metadata that cannot be read (missing file, bad JSON, npm failure)."""


@dataclass(frozen=True)
class SourceFamily:
    """One family as the metadata describes it."""

    id: str
    name: str
    weights: tuple[int, ...]
    has_italic: bool
    latin_normal_weights: tuple[int, ...]  # weights whose normal style has a latin file
    latin_range: str | None  # CSS unicode-range of the latin subset (or slices); None: neither


@dataclass(frozen=True)
class Dropped:
    id: str
    rule: str  # one of RULES (or a second-pass rule, glyphs/twins.py)
    reason: str
    alias_of: str | None = None  # the id it is an alias of (legacy_alias, twin)


@dataclass(frozen=True)
class CatalogBuild:
    families: tuple[Family, ...]  # label order
    dropped: tuple[Dropped, ...]
    considered: int  # families in the metadata + top300 families outside it
    source: str  # what the metadata came from


# --------------------------------------------------------------------------- source
def read_metadata(path: Path) -> tuple[SourceFamily, ...]:
    """Families of a google-font-metadata tarball (.tgz) or its google-fonts-v2.json.

    Raises MetadataError when the file is missing or not that JSON."""
    path = Path(path)
    try:
        if path.suffix in (".tgz", ".gz"):
            with tarfile.open(path, "r:gz") as tar:
                member = tar.extractfile(METADATA_MEMBER)
                if member is None:
                    raise MetadataError(f"{path} has no {METADATA_MEMBER}")
                data = json.loads(member.read())
        else:
            data = json.loads(path.read_text())
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError) as e:
        raise MetadataError(f"cannot read Google Fonts metadata from {path} ({e})") from e
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: expected an object of families")
    try:
        return tuple(_source_family(fid, meta) for fid, meta in data.items())
    except (KeyError, TypeError, ValueError) as e:
        raise MetadataError(f"{path}: unexpected family entry ({e})") from e


def _source_family(fid: str, meta: dict) -> SourceFamily:
    variants = meta.get("variants", {})
    ranges = meta.get("unicodeRange", {})
    if "latin" in meta.get("subsets", []):
        keys, latin_range = {"latin"}, ranges.get("latin", "")
    else:  # CJK families come in numbered slices ("[2]"...); fontsource builds a latin file from them
        keys = {k for k in ranges if _SLICE_RE.fullmatch(k)}
        latin_range = ",".join(ranges[k] for k in sorted(keys)) if keys else None
    latin_normal = sorted(int(w) for w, styles in variants.items()
                          if keys & set(styles.get("normal", {})))
    return SourceFamily(
        id=fid, name=meta["family"],
        weights=tuple(sorted(int(w) for w in meta["weights"])),
        has_italic="italic" in meta.get("styles", []),
        latin_normal_weights=tuple(latin_normal),
        latin_range=latin_range,
    )


def pack_metadata(dest: Path, npm: str) -> Path:
    """``npm pack`` the pinned google-font-metadata into ``dest``; the tarball's path."""
    cmd = [npm, "pack", "--json", "--silent", "--pack-destination", str(dest), GOOGLE_FONT_METADATA]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        return dest / json.loads(proc.stdout)[0]["filename"]
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError, IndexError) as e:
        raise MetadataError(f"npm could not pack {GOOGLE_FONT_METADATA} ({e})") from e


# --------------------------------------------------------------------------- rules
def parse_unicode_range(css: str) -> set[int]:
    """``U+0000-00FF,U+0131`` -> the code points (wildcards ``U+4??`` included)."""
    points: set[int] = set()
    for part in css.replace(" ", "").split(","):
        if not part:
            continue
        spec = part.upper().removeprefix("U+")
        if "?" in spec:
            lo, hi = int(spec.replace("?", "0"), 16), int(spec.replace("?", "F"), 16)
        elif "-" in spec:
            a, b = spec.split("-")
            lo, hi = int(a, 16), int(b, 16)
        else:
            lo = hi = int(spec, 16)
        points.update(range(lo, hi + 1))
    return points


def nearest_400(weights: tuple[int, ...]) -> int | None:
    """The weight the rules look at: 400, else the nearest (the lighter one on a tie)."""
    return min(weights, key=lambda w: (abs(w - 400), w)) if weights else None


def excluded_reason(fid: str) -> str | None:
    for pattern, reason in EXCLUDED:
        if re.fullmatch(pattern, fid):
            return reason
    return None


def drop_rule(fam: SourceFamily) -> Dropped | None:
    """The first rule that drops ``fam`` (None: it is kept)."""
    reason = excluded_reason(fam.id)
    if reason:
        return Dropped(fam.id, "excluded", reason)
    if fam.id in LEGACY_ALIASES:
        new, why = LEGACY_ALIASES[fam.id]
        return Dropped(fam.id, "legacy_alias", why, alias_of=new)
    if fam.latin_range is None:
        return Dropped(fam.id, "no_latin", "no latin subset")
    if nearest_400(fam.latin_normal_weights) is None:
        return Dropped(fam.id, "no_normal_latin", "no normal style with a latin file")
    missing = set(map(ord, REQUIRED_TEXT)) - parse_unicode_range(fam.latin_range)
    if missing:
        chars = "".join(sorted(map(chr, missing)))
        return Dropped(fam.id, "latin_range", f"latin subset misses {chars!r}")
    return None


def build_catalog(source: tuple[SourceFamily, ...], top300: tuple[Family, ...],
                  source_name: str = "") -> CatalogBuild:
    """Apply the rules: the top300 families first (their order), then the rest by id.

    A top300 family outside the metadata (fontsource-only) is kept unless rules 1-2 drop it."""
    by_id = {f.id: f for f in source}
    kept: list[Family] = []
    dropped: list[Dropped] = []
    for fam in top300:
        src = by_id.get(fam.id)
        why = drop_rule(src) if src else _top300_rule(fam.id)
        if why:
            dropped.append(why)
        else:
            kept.append(fam)
    seen = {f.id for f in top300}
    for src in sorted(source, key=lambda f: f.id):
        if src.id in seen:
            continue
        why = drop_rule(src)
        if why:
            dropped.append(why)
        else:
            kept.append(Family(src.id, src.name, src.weights, src.has_italic))
    considered = len(source) + sum(1 for f in top300 if f.id not in by_id)
    return CatalogBuild(tuple(kept), tuple(dropped), considered, source_name)


def _top300_rule(fid: str) -> Dropped | None:
    reason = excluded_reason(fid)
    if reason:
        return Dropped(fid, "excluded", reason)
    if fid in LEGACY_ALIASES:
        new, why = LEGACY_ALIASES[fid]
        return Dropped(fid, "legacy_alias", why, alias_of=new)
    return None


def build_from_metadata(metadata: Path | None, npm: str | None,
                        top300_path: Path = TOP300_CATALOG) -> CatalogBuild:
    """The first pass from a metadata file, or from the pinned package packed with npm."""
    if metadata is not None:
        return build_catalog(read_metadata(metadata), load_catalog(top300_path), Path(metadata).name)
    if npm is None:
        raise MetadataError("no metadata file given and npm is not on PATH")
    with tempfile.TemporaryDirectory(prefix="ffffm-") as tmp:
        tgz = pack_metadata(Path(tmp), npm)
        return build_catalog(read_metadata(tgz), load_catalog(top300_path), GOOGLE_FONT_METADATA)
