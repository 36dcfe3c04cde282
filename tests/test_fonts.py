"""fonts fetch / fonts list / --fonts-dir, with a fake npm built on the fixture fonts."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from glyphs.catalog import catalog_families, load_catalog
from glyphs.config import FetchConfig
from glyphs.fetch import COMPLETE_MARKER, fetch_fonts, list_fonts
from glyphs.userfonts import family_id, round_weight, user_families
from tests.conftest import run_cli

HERE = Path(__file__).parent
FIXTURE_FONTS = HERE / "fixtures" / "fonts"
TINY = HERE / "fixtures" / "catalog-tiny.txt"
IDS = [f.id for f in load_catalog(TINY)]


@pytest.fixture
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a fake `npm` first on PATH; returns the file it logs its calls to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "fake_npm.py"}" "$@"\n')
    npm.chmod(0o755)
    log = tmp_path / "npm.log"
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NPM_FIXTURES", str(FIXTURE_FONTS))
    monkeypatch.setenv("FAKE_NPM_LOG", str(log))
    monkeypatch.delenv("FAKE_NPM_MISSING", raising=False)
    return log


def _fetch(cache: Path, batch: int = 30, jobs: int = 4) -> int:
    return fetch_fonts(FetchConfig(catalog=str(TINY), cache=str(cache), batch=batch, jobs=jobs))


def _relative_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- fetch
def test_fetch_creates_the_cache_layout(fake_npm: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _fetch(cache) == 0
    for fid in IDS:
        expected = _relative_files(FIXTURE_FONTS / fid) - {COMPLETE_MARKER}
        assert _relative_files(cache / fid) - {COMPLETE_MARKER} == expected, fid
        assert (cache / fid / COMPLETE_MARKER).is_file()
        for p in (cache / fid).rglob("*.woff2"):  # real files, not the decoys
            assert p.read_bytes() == (FIXTURE_FONTS / p.relative_to(cache)).read_bytes()
    assert not list(cache.glob(".fetch-*")), "temporary folders are cleaned up"
    calls = fake_npm.read_text().splitlines()
    assert calls[0].split() == [f"@fontsource/{fid}" for fid in IDS]  # one batched call
    assert calls[1].split() == ["@fontsource-variable/roboto-flex"]  # only where metadata says so


def test_parallel_batches_fetch_every_family(fake_npm: Path, tmp_path: Path, capsys) -> None:
    cache = tmp_path / "cache"
    assert _fetch(cache, batch=2, jobs=3) == 0  # 3 batches of the 5 families at once
    for fid in IDS:
        assert (cache / fid / COMPLETE_MARKER).is_file(), fid
    assert not list(cache.glob(".fetch-*")), "temporary folders are cleaned up"
    static_calls = [c.split() for c in fake_npm.read_text().splitlines() if "@fontsource/" in c]
    assert sorted(n for call in static_calls for n in call) == sorted(f"@fontsource/{f}" for f in IDS)
    assert max(len(c) for c in static_calls) == 2
    err = capsys.readouterr().err
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file() and ".fetch" not in str(p))
    assert f"take {size / 1e6:.0f} MB in the cache" in err and "5 fetched" in err


def test_package_without_licence_gets_a_note(fake_npm: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NPM_NO_LICENSE", "lobster")
    cache = tmp_path / "cache"
    assert _fetch(cache) == 0
    note = (cache / "lobster" / "LICENSE").read_text()
    assert "ships no licence file" in note and "OFL-1.1" in note


def test_missing_package_names_the_family(fake_npm: Path, tmp_path: Path, capsys,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NPM_MISSING", "lobster")
    cache = tmp_path / "cache"
    assert _fetch(cache, batch=3) == 1
    err = capsys.readouterr().err
    problem_lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(problem_lines) == 1 and "lobster" in problem_lines[0]
    assert "@fontsource/lobster" in problem_lines[0] and "E404" in problem_lines[0]
    assert "1 failed: lobster" in err
    assert not (cache / "lobster").exists()
    for fid in set(IDS) - {"lobster"}:
        assert (cache / fid / COMPLETE_MARKER).is_file(), fid
    calls = [c.split() for c in fake_npm.read_text().splitlines()]
    # the failed batch (lobster, roboto-flex) was retried one package at a time
    assert ["@fontsource/lobster", "@fontsource/roboto-flex"] in calls
    assert ["@fontsource/lobster"] in calls and ["@fontsource/roboto-flex"] in calls


def test_npm_not_on_path(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert _fetch(tmp_path / "cache") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "npm" in err[0] and "PATH" in err[0]


def test_fetch_resumes(fake_npm: Path, tmp_path: Path, capsys) -> None:
    cache = tmp_path / "cache"
    assert _fetch(cache) == 0
    fake_npm.write_text("")
    assert _fetch(cache) == 0  # everything complete: npm is not even called
    assert fake_npm.read_text() == ""
    assert "already" in capsys.readouterr().err
    # an interrupted family: files without the marker, plus a stray file
    (cache / "lobster" / COMPLETE_MARKER).unlink()
    (cache / "lobster" / "static" / "stray.tmp").write_text("x")
    assert _fetch(cache) == 0
    assert fake_npm.read_text().split() == ["@fontsource/lobster"]
    assert not (cache / "lobster" / "static" / "stray.tmp").exists()
    assert (cache / "lobster" / COMPLETE_MARKER).is_file()
    assert "1 fetched, 4 already complete" in capsys.readouterr().err


def test_cli_list_shows_presence(fake_npm: Path, tmp_path: Path, capsys,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NPM_MISSING", "lobster")
    cache = tmp_path / "cache"
    assert run_cli("fonts", "fetch", "--catalog", TINY, "--cache", cache).returncode == 1
    p = run_cli("fonts", "list", "--catalog", TINY, "--cache", cache)
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    rows = {ln.split()[0]: ln for ln in lines[1:-1]}
    assert list(rows) == IDS
    assert rows["lobster"].endswith("no") and rows["roboto"].endswith("yes")
    assert "wght,wdth" in rows["roboto-flex"]  # read from the file, not its name
    assert "4 with files, 1 without" in lines[-1]


# --------------------------------------------------------------------------- user fonts
def _renamed_font(src: Path, dest: Path, typographic: str | None, family: str,
                  weight: int = 400, italic: bool = False) -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(src)
    font.flavor = None
    names = font["name"]
    names.removeNames(nameID=16)
    if typographic:
        names.setName(typographic, 16, 3, 1, 0x409)
    names.setName(family, 1, 3, 1, 0x409)
    font["OS/2"].usWeightClass = weight
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~1) | int(italic)
    font.save(dest)
    return dest


@pytest.mark.parametrize("name, expected", [
    ("Open Sans", "open-sans"), ("IBM Plex Mono", "ibm-plex-mono"),
    ("Playfair Display SC", "playfair-display-sc"), ("M PLUS 1p", "m-plus-1p"),
    ("  Crème_Brûlée  Serif ", "creme-brulee-serif"),
])
def test_family_id(name: str, expected: str) -> None:
    assert family_id(name) == expected


def test_round_weight() -> None:
    assert [round_weight(w) for w in (250, 300, 7, 950, 0)] == [300, 300, 700, 900, 100]


def test_user_fonts_read_the_name_table(tmp_path: Path) -> None:
    src = FIXTURE_FONTS / "lobster" / "static" / "lobster-latin-400-normal.woff2"
    fonts = tmp_path / "mine"
    (fonts / "sub").mkdir(parents=True)
    _renamed_font(src, fonts / "a.ttf", "My Fancy Sans", "My Fancy Sans Light", weight=300)
    _renamed_font(src, fonts / "sub" / "b.otf", None, "My Fancy Sans", weight=700, italic=True)
    _renamed_font(src, fonts / "c.ttf", None, "Other Face")
    shutil.copy(FIXTURE_FONTS / "roboto-flex" / "variable" / "roboto-flex-latin-wdth-normal.woff2",
                fonts / "flex.woff2")
    fams = {ff.family.id: ff for ff in user_families(fonts)}
    assert list(fams) == ["my-fancy-sans", "other-face", "roboto-flex"]
    fancy = fams["my-fancy-sans"]
    assert fancy.family.name == "My Fancy Sans" and fancy.family.has_italic
    assert [(f.weight, f.italic, f.path.name) for f in fancy.static] == [
        (300, False, "a.ttf"), (700, True, "b.otf")]
    assert fancy.extra["source"] == "user"
    flex = fams["roboto-flex"]
    assert not flex.static and flex.variable[0].axes == ("wght", "wdth")


def test_user_font_collection(tmp_path: Path) -> None:
    from fontTools.ttLib import TTCollection, TTFont

    src = FIXTURE_FONTS / "lobster" / "static" / "lobster-latin-400-normal.woff2"
    one = _renamed_font(src, tmp_path / "one.ttf", None, "Coll One")
    two = _renamed_font(src, tmp_path / "two.ttf", None, "Coll Two", weight=700)
    fonts = tmp_path / "ttc"
    fonts.mkdir()
    coll = TTCollection()
    coll.fonts = [TTFont(one), TTFont(two)]
    coll.save(fonts / "both.ttc")
    fams = user_families(fonts)
    assert [(ff.family.id, ff.static[0].index, ff.static[0].weight) for ff in fams] == [
        ("coll-one", 0, 400), ("coll-two", 1, 700)]


def test_corrupt_font_is_skipped_with_a_warning(tmp_path: Path, capsys) -> None:
    fonts = tmp_path / "mine"
    fonts.mkdir()
    (fonts / "broken.ttf").write_bytes(bytes(range(256)) * 20)
    (fonts / "notes.txt").write_text("not a font, not looked at")
    shutil.copy(FIXTURE_FONTS / "lobster" / "static" / "lobster-latin-400-normal.woff2", fonts)
    fams = user_families(fonts)
    assert [ff.family.id for ff in fams] == ["lobster"]
    err = capsys.readouterr().err
    assert "broken.ttf" in err and "warning" in err and "notes.txt" not in err


def test_catalog_families_merge(tmp_path: Path, capsys) -> None:
    fonts = tmp_path / "mine"
    fonts.mkdir()
    src = FIXTURE_FONTS / "lobster" / "static" / "lobster-latin-400-normal.woff2"
    shutil.copy(src, fonts)  # its id, lobster, is already in the catalog
    _renamed_font(src, fonts / "z.ttf", None, "Zed Display")
    _renamed_font(src, fonts / "a.ttf", None, "Alpha Script")
    merged = catalog_families(TINY, FIXTURE_FONTS, fonts)
    assert [ff.family.id for ff in merged] == IDS + ["alpha-script", "zed-display"]
    assert all(ff.present for ff in merged)
    assert "'lobster' is already in the catalog" in capsys.readouterr().err
    p = run_cli("fonts", "list", "--catalog", TINY, "--cache", FIXTURE_FONTS, "--fonts-dir", fonts)
    assert p.returncode == 0
    out = p.stdout
    assert "zed-display" in out and "7 families (2 from --fonts-dir)" in out


def test_missing_fonts_dir(capsys) -> None:
    cfg = FetchConfig(catalog=str(TINY), cache=str(FIXTURE_FONTS), fonts_dir="/nonexistent/fonts")
    assert list_fonts(cfg) == 1
    assert "/nonexistent/fonts" in capsys.readouterr().err
