"""The full catalog: rules on small metadata, the fold-twins pass on real fonts, the CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import random
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest

from glyphs.catalog import Family, load_catalog
from glyphs.catalog_cmd import catalog_build, catalog_fold
from glyphs.catalog_files import load_aliases
from glyphs.config import CatalogConfig
from glyphs.full_catalog import (
    METADATA_MEMBER,
    MetadataError,
    SourceFamily,
    build_catalog,
    parse_unicode_range,
    read_metadata,
)
from glyphs.twins import fold
from tests.conftest import run_cli

HERE = Path(__file__).parent
FIXTURE_FONTS = HERE / "fixtures" / "fonts"
LATIN = "U+0000-00FF,U+0131,U+0152-0153,U+2000-206F,U+FEFF,U+FFFD"
TOP = (Family("lobster", "Lobster", (400,), False),  # fontsource-only here: not in the metadata
       Family("roboto", "Roboto", (400, 700), True))


def _entry(name: str, weights=(400,), styles=("normal",), subsets=("latin",), latin=LATIN,
           latin_styles=None) -> dict:
    """A google-fonts-v2.json entry (only the fields the catalog reads)."""
    latin_styles = latin_styles or styles
    variants = {str(w): {s: {sub: {"url": {}} for sub in subsets if sub != "latin" or s in latin_styles}
                         for s in styles} for w in weights}
    return {"family": name, "weights": list(weights), "styles": list(styles), "subsets": list(subsets),
            "unicodeRange": {sub: latin for sub in subsets}, "variants": variants}


METADATA = {
    "zilla-slab": _entry("Zilla Slab", (300, 400, 700), ("italic", "normal")),
    "roboto": _entry("Roboto", (100, 400, 900), ("italic", "normal")),
    "source-sans-pro": _entry("Source Sans Pro"),  # legacy alias of source-sans-3
    "source-sans-3": _entry("Source Sans 3", (200, 400)),
    "libre-barcode-39": _entry("Libre Barcode 39"),
    "redacted-script": _entry("Redacted Script", (300, 400, 700)),
    "material-symbols": _entry("Material Symbols"),
    "noto-color-emoji": _entry("Noto Color Emoji", subsets=("emoji",)),
    "song-myung": _entry("Song Myung", subsets=("korean",)),
    "upright-less": _entry("Upright Less", styles=("italic", "normal"), latin_styles=("italic",)),
    "no-digits": _entry("No Digits", latin="U+0041-005A,U+0061-007A"),
    "abel": _entry("Abel"),
    "sunflower": _entry("Sunflower", subsets=("[2]", "[119]"), latin="U+0020-007E"),  # CJK slices
}


def _read_bytes(data: bytes) -> tuple[SourceFamily, ...]:
    """The families of a google-fonts-v2.json holding ``data``, through the real reader."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "google-fonts-v2.json"
        path.write_bytes(data)
        return read_metadata(path)


def _source() -> tuple[SourceFamily, ...]:
    return _read_bytes(json.dumps(METADATA).encode())


# --------------------------------------------------------------------------- rules
def test_rules_drop_aliases_barcodes_and_non_latin() -> None:
    build = build_catalog(_source(), TOP, "fixture")
    assert [f.id for f in build.families] == ["lobster", "roboto", "abel", "source-sans-3", "sunflower",
                                                   "zilla-slab"]
    rules = {d.id: d.rule for d in build.dropped}
    assert rules == {"source-sans-pro": "legacy_alias", "libre-barcode-39": "excluded",
                     "redacted-script": "excluded", "material-symbols": "excluded",
                     "noto-color-emoji": "excluded", "song-myung": "no_latin",
                     "upright-less": "no_normal_latin", "no-digits": "latin_range"}
    alias = next(d for d in build.dropped if d.id == "source-sans-pro")
    assert alias.alias_of == "source-sans-3"
    assert "'0123456789'" in next(d.reason for d in build.dropped if d.id == "no-digits")
    assert build.considered == len(METADATA) + 1  # lobster comes from the top300 only
    zilla = next(f for f in build.families if f.id == "zilla-slab")
    assert zilla == Family("zilla-slab", "Zilla Slab", (300, 400, 700), True)
    assert next(f for f in build.families if f.id == "roboto") == TOP[1]  # the 300's own line


def test_label_order_does_not_depend_on_the_metadata_order() -> None:
    items = list(METADATA.items())
    orders = []
    for seed in range(3):
        random.Random(seed).shuffle(items)
        orders.append(build_catalog(_read_bytes(json.dumps(dict(items)).encode()), TOP).families)
    assert orders[0] == orders[1] == orders[2]


def test_read_metadata_from_the_package_tarball(tmp_path: Path) -> None:
    tgz = tmp_path / "google-font-metadata-6.0.8.tgz"
    data = json.dumps(METADATA).encode()
    with tarfile.open(tgz, "w:gz") as tar:
        info = tarfile.TarInfo(METADATA_MEMBER)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    assert {f.id for f in read_metadata(tgz)} == set(METADATA)
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(MetadataError):
        read_metadata(tmp_path / "bad.json")
    with pytest.raises(MetadataError):
        read_metadata(tmp_path / "absent.json")


def test_parse_unicode_range() -> None:
    assert parse_unicode_range("U+0041-0043, U+0061,U+3?") == {0x41, 0x42, 0x43, 0x61, *range(0x30, 0x40)}


# --------------------------------------------------------------------------- fold-twins
def _copy_family(src_id: str, new_id: str, cache: Path) -> None:
    for p in (FIXTURE_FONTS / src_id).rglob("*"):
        if p.is_file():
            dest = cache / new_id / p.relative_to(FIXTURE_FONTS / src_id).as_posix().replace(src_id, new_id)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, dest)


def _subset_without(src: Path, dest: Path, drop: str) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(src)
    keep = [c for c in font.getBestCmap() if chr(c) not in drop]
    options = subset.Options()
    options.flavor = "woff2"
    sub = subset.Subsetter(options)
    sub.populate(unicodes=keep)
    sub.subset(font)
    dest.parent.mkdir(parents=True, exist_ok=True)
    font.save(dest)


@pytest.fixture(scope="module")
def twin_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    for fid in ("roboto", "lobster", "roboto-flex", "libre-baskerville"):
        _copy_family(fid, fid, cache)
    _copy_family("roboto", "roboto-copy", cache)  # same outlines under another id
    _subset_without(FIXTURE_FONTS / "lobster/static/lobster-latin-400-normal.woff2",
                    cache / "lobster-noq/static/lobster-noq-latin-400-normal.woff2", "Q")
    return cache


def _fam(fid: str) -> Family:
    return Family(fid, fid.title(), (400,), False)


def test_fold_twins_on_real_fonts(twin_cache: Path) -> None:
    ids = ["roboto", "lobster", "roboto-flex", "libre-baskerville", "roboto-copy", "lobster-noq"]
    memo: dict = {}
    result = fold(tuple(map(_fam, ids)), twin_cache, drop_unfetched=False, memo=memo)
    assert len(memo) == len(ids)
    assert fold(tuple(map(_fam, ids)), twin_cache, drop_unfetched=False, memo=memo) == result
    assert [f.id for f in result.families] == ["roboto", "lobster", "roboto-flex", "libre-baskerville"]
    by_id = {d.id: d for d in result.dropped}
    assert by_id["roboto-copy"].rule == "twin" and by_id["roboto-copy"].alias_of == "roboto"
    assert by_id["lobster-noq"].rule == "glyphs_missing" and "'Q'" in by_id["lobster-noq"].reason
    # the first in catalog order is the one kept
    swapped = fold(tuple(map(_fam, ["roboto-copy", "roboto"])), twin_cache, drop_unfetched=False)
    assert [f.id for f in swapped.families] == ["roboto-copy"]


def test_fold_twins_stops_on_unfetched_families(twin_cache: Path) -> None:
    fams = tuple(map(_fam, ["roboto", "not-fetched"]))
    with pytest.raises(FileNotFoundError, match="not-fetched"):
        fold(fams, twin_cache, drop_unfetched=False)
    result = fold(fams, twin_cache, drop_unfetched=True)
    assert [(d.id, d.rule) for d in result.dropped] == [("not-fetched", "not_fetched")]


def _nudged(src: Path, dest: Path, dy: int) -> None:
    """``src`` with every simple glyph's outline moved up ``dy`` font units: another outline
    hash, the same drawing (a superfamily's other outline version of one Latin design)."""
    from fontTools.ttLib import TTFont

    font = TTFont(src)
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        if glyf[name].numberOfContours > 0:
            glyf[name].coordinates.translate((0, dy))
    dest.parent.mkdir(parents=True, exist_ok=True)
    font.save(dest)


def test_fold_twins_by_drawing_and_resolving_chains(twin_cache: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(twin_cache, cache)
    src = FIXTURE_FONTS / "roboto/static/roboto-latin-400-normal.woff2"
    for fid in ("roboto-nudged", "roboto-nudged-copy"):  # the copy: outlines identical to roboto-nudged's
        _nudged(src, cache / fid / f"static/{fid}-latin-400-normal.woff2", dy=3)
    ids = ["roboto", "roboto-flex", "roboto-nudged", "roboto-nudged-copy", "lobster"]
    result = fold(tuple(map(_fam, ids)), cache, drop_unfetched=False)
    assert [f.id for f in result.families] == ["roboto", "roboto-flex", "lobster"]  # a related design stays
    by_id = {d.id: d for d in result.dropped}
    assert by_id["roboto-nudged"].alias_of == "roboto" and "drawn like roboto's" in by_id["roboto-nudged"].reason
    # hash-folded into a family that then folds by drawing: the alias points at the family kept
    assert by_id["roboto-nudged-copy"].alias_of == "roboto"
    assert "outlines identical to roboto-nudged's" in by_id["roboto-nudged-copy"].reason


# --------------------------------------------------------------------------- CLI
def test_cli_build_fold_and_list(tmp_path: Path, twin_cache: Path, capsys) -> None:
    meta = dict(METADATA)
    meta["roboto-copy"] = _entry("Roboto Copy")
    meta["lobster-noq"] = _entry("Lobster NoQ")
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    out, report = tmp_path / "catalog-x.txt", tmp_path / "results" / "catalog_x.md"
    common = ["--out", out, "--report", report]
    p = run_cli("fonts", "catalog", "build", "--metadata", tmp_path / "meta.json", *common)
    assert p.returncode == 0, p.stderr
    assert "not run yet" in report.read_text()
    p = run_cli("fonts", "catalog", "fold-twins", *common, "--cache", twin_cache)
    assert p.returncode == 1 and "--drop-unfetched" in p.stderr  # abel etc. have no files here
    p = run_cli("fonts", "catalog", "fold-twins", *common, "--cache", twin_cache, "--drop-unfetched",
                "--hash-memo", tmp_path / "hashes.json")
    assert p.returncode == 0, p.stderr
    assert len(json.loads((tmp_path / "hashes.json").read_text())) == 6  # files hashed
    assert {f.id for f in load_catalog(out)} == {"roboto", "lobster", "roboto-flex", "libre-baskerville"}
    aliases = load_aliases(out)
    assert aliases["roboto-copy"] == "roboto" and aliases["source-sans-pro"] == "source-sans-3"
    counts = json.loads(report.with_suffix(".json").read_text())["dropped_by_rule"]
    assert counts["twin"] == 1 and counts["glyphs_missing"] == 1 and counts["legacy_alias"] == 1
    cfg = CatalogConfig(out=str(out), report=str(report), cache=str(twin_cache), drop_unfetched=True)
    assert catalog_fold(cfg) == 1 and "already folded" in capsys.readouterr().err
    assert catalog_build(dataclasses.replace(cfg, metadata=str(tmp_path / "absent.json"))) == 1
    assert capsys.readouterr().err.startswith("error: cannot read Google Fonts metadata")


def test_cli_list_all_and_top300() -> None:
    full, top = load_catalog("all"), load_catalog("top300")
    assert len(full) > 1500 and [f.id for f in full[:50]] == [f.id for f in top[:50]]
    assert load_catalog("default") == full  # identify, similar, the web page and the benchmark use all
    p = run_cli("fonts", "list", "--catalog", "all", "--cache", FIXTURE_FONTS)
    assert p.returncode == 0, p.stderr
    assert f"{len(full)} families (0 from --fonts-dir)" in p.stdout
    assert "\nzilla-slab " in p.stdout
