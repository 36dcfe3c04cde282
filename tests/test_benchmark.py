"""Benchmark: held-out texts, deterministic test sets, honest report numbers,
the DeepFont baseline's model dir and the ``benchmark`` command."""

from __future__ import annotations

import json
import shutil
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench import texts
from bench.config import DeepFontConfig, TestsetConfig
from bench.make_testsets import SPLITS, VERSION, make_testsets
from bench.manifest import as_catalog_names, read_manifest, select
from bench.report import evaluate, metrics, write_report
from bench.run import BenchmarkError, pipeline_rank_fn
from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
CATALOG = str(FIXTURES / "catalog-tiny.txt")
CACHE = str(FIXTURES / "fonts")
FAMILIES = ["roboto", "libre-baskerville", "dancing-script", "lobster", "roboto-flex"]
PIL_SPLITS = "clean,photo,scene,weights,short"


def _cfg(root: Path, **kw) -> TestsetConfig:
    return TestsetConfig(testsets=str(root), catalog=CATALOG, cache=CACHE, **{"per_family": 1, **kw})


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def testsets(tmp_path_factory) -> Path:
    """clean + short with 10 samples per family (100 rows) for the report tests."""
    root = tmp_path_factory.mktemp("testsets")
    make_testsets(_cfg(root, split="clean,short", per_family=10, workers=1))
    return root


def test_texts_are_disjoint_from_training_words():
    from glyphs.words import TRAIN_WORDS

    train = {w.lower() for w in TRAIN_WORDS}
    for text in texts.PHRASES + texts.SHORT_TEXTS:
        assert not set(texts.tokens(text)) & train, text
    assert len(set(texts.PHRASES)) >= 200
    assert all(1 <= len(t.replace(" ", "")) <= 4 for t in texts.SHORT_TEXTS)
    assert any(c.isdigit() for t in texts.PHRASES for c in t)
    assert any(c in ".,:?!&%$" for t in texts.PHRASES for c in t)


def test_pil_splits_are_deterministic_and_cover_every_family(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_testsets(_cfg(a, split=PIL_SPLITS, workers=1))
    make_testsets(_cfg(b, split=PIL_SPLITS, workers=2))  # worker count must not matter
    assert _files(a) == _files(b)
    for split in PIL_SPLITS.split(","):
        meta, rows = read_manifest(a / split, VERSION)
        assert meta["version"] == VERSION and meta["split"] == split
        assert sorted(r.family for r in rows) == sorted(FAMILIES)
        for r in rows:
            with Image.open(a / r.image) as im:
                assert im.width <= 1000 and im.height <= 200
            assert r.text and r.split == split and 100 <= r.weight <= 1000
    _, weights = read_manifest(a / "weights")
    roboto = next(r for r in weights if r.family == "roboto")
    assert (roboto.weight, roboto.italic) != (400, False)  # roboto has 700 and 400 italic


def test_different_seed_gives_different_images(tmp_path):
    make_testsets(_cfg(tmp_path / "a", split="photo"))
    make_testsets(_cfg(tmp_path / "b", split="photo", seed=1))
    assert _files(tmp_path / "a") != _files(tmp_path / "b")


@pytest.mark.skipif(not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")),
                    reason="Chromium not installed (apt-get install -y chromium)")
def test_screenshot_split_renders_web_fonts_deterministically(tmp_path):
    make_testsets(_cfg(tmp_path / "a", split="screenshot"))
    make_testsets(_cfg(tmp_path / "b", split="screenshot"))
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    meta, rows = read_manifest(tmp_path / "a" / "screenshot", VERSION)
    assert sorted(r.family for r in rows) == sorted(FAMILIES) and not meta["skipped"]
    assert all(r.extra["engine"] == "chromium" for r in rows)


@pytest.mark.skipif(not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")),
                    reason="Chromium not installed (apt-get install -y chromium)")
def test_screenshot_refuses_a_font_that_did_not_load(tmp_path):
    from bench import browser
    from bench.fonts import Style

    broken = tmp_path / "broken-latin-400-normal.woff2"
    broken.write_bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    good = Style(FIXTURES / "fonts/lobster/static/lobster-latin-400-normal.woff2", 400)
    line = [browser.WebLine(s, "Quirky Fonts", 32, "#111111", "#ffffff", 8, 1) for s in (good, Style(broken, 400))]
    images = browser.render_lines(line)
    assert images[0] is not None and images[1] is None


def test_select_is_round_robin(testsets):
    _, rows = read_manifest(testsets / "clean")
    assert [r.family for r in select(rows, limit=5)] == FAMILIES
    assert len(select(rows, per_family=2)) == 10
    assert {r.family for r in select(rows, families=["lobster"])} == {"lobster"}


def test_a_family_folded_since_drawing_is_scored_by_its_catalog_name(testsets):
    _, rows = read_manifest(testsets / "clean")
    named = as_catalog_names(rows, {"lobster": "lobster-twin"})
    assert [r.family for r in named] == [{"lobster": "lobster-twin"}.get(r.family, r.family) for r in rows]
    assert {r.extra.get("drawn_as") for r in named if r.family == "lobster-twin"} == {"lobster"}
    assert all("drawn_as" not in r.extra for r in named if r.family != "lobster-twin")


def _truth(root: Path) -> dict[Path, object]:
    return {root / r.image: r for sp in ("clean", "short") for r in read_manifest(root / sp)[1]}


def test_oracle_scores_100_and_random_scores_near_chance(testsets, tmp_path):
    truth = _truth(testsets)
    samples = list(truth.values())
    rng = np.random.default_rng(0)

    def oracle(path):
        r = truth[path]
        return [(r.family, 1.0, r.weight, r.width)]

    def random_rank(path):
        order = rng.permutation(FAMILIES)
        return [(f, 0.2, 400, 100.0) for f in order]

    perfect = evaluate("oracle", oracle, samples, testsets, progress=False)
    chance = evaluate("random", random_rank, samples, testsets, progress=False)
    m = metrics(perfect.outcomes)
    assert (m["n"], m["top1"], m["top5"], m["weight_mae"], m["errors"]) == (100, 1.0, 1.0, 0.0, 0)
    c = metrics(chance.outcomes)
    assert 0.08 < c["top1"] < 0.35  # chance is 1/5
    assert c["top5"] == 1.0  # five families: top-5 always holds the truth

    paths = write_report([perfect, chance], {"testsets": str(testsets)}, tmp_path)
    summary = json.loads(paths["json"].read_text())
    assert summary["systems"]["oracle"]["splits"]["clean"]["top1"] == 1.0
    assert summary["systems"]["random"]["splits"]["all"]["top1"] == pytest.approx(c["top1"])
    assert "| oracle | clean | 50 | 1.000 |" in paths["md"].read_text()
    for key in ("by_split", "by_length", "confusions"):
        assert paths[key].stat().st_size > 1000
    rows = paths["predictions"].read_text().splitlines()
    assert len(rows) == 200


def test_errors_and_empty_answers_count_as_misses(testsets):
    samples = list(_truth(testsets).values())[:10]
    calls = iter(range(100))

    def flaky(path):
        if next(calls) % 2:
            raise OSError("unreadable")
        return None  # no text found

    m = metrics(evaluate("flaky", flaky, samples, testsets, progress=False).outcomes)
    assert (m["top1"], m["errors"], m["no_answer"]) == (0.0, 5, 5)


def test_missing_pipeline_rank_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pipeline", types.ModuleType("pipeline"))
    with pytest.raises(BenchmarkError, match="cannot import the pipeline"):
        pipeline_rank_fn(None)


def test_deepfont_baseline_trains_saves_and_predicts(testsets, tmp_path):
    from bench.baselines import deepfont
    from bench.baselines.deepfont_train import train

    out = train(DeepFontConfig(baseline=str(tmp_path / "df"), catalog=CATALOG, cache=CACHE, epochs=2,
                               lines_per_font=4, val_lines=1, batch=8, threads=1))
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "labels.json", "model.safetensors"]
    model = deepfont.load(out)
    ranking = deepfont.predict(model, testsets / "clean" / "lobster-0.png")
    assert sorted(f for f, _ in ranking) == sorted(FAMILIES)
    assert sum(s for _, s in ranking) == pytest.approx(1.0, abs=1e-4)
    assert [s for _, s in ranking] == sorted((s for _, s in ranking), reverse=True)
    assert json.loads((out / "config.json").read_text())["metrics"]["val_top1"] >= 0

    results = tmp_path / "results"
    argv = ["benchmark", "--systems", "baseline", "--baseline", str(out), "--testsets", str(testsets),
            "--split", "clean", "--limit", "5", "--catalog", CATALOG, "--cache", CACHE,
            "--results", str(results)]
    assert run_cli(*argv).returncode == 0
    summary = json.loads((results / "benchmark.json").read_text())
    assert summary["systems"]["baseline"]["splits"]["clean"]["n"] == 5


def test_cli_reports_missing_testsets(tmp_path, capsys):
    argv = ["benchmark", "--systems", "baseline", "--testsets", str(tmp_path), "--split", "clean"]
    p = run_cli(*argv)
    assert p.returncode == 1
    assert "--make-testsets" in p.stderr


def test_all_splits_are_known():
    # the six original splits keep their positions (their samples' seeds); two beyond-300 splits follow
    assert SPLITS[:6] == ("clean", "screenshot", "photo", "scene", "weights", "short")
    assert set(SPLITS[6:]) == {"clean-beyond300", "photo-beyond300"}


def test_beyond300_splits_hold_only_families_outside_the_300(tmp_path):
    from bench.make_testsets import BEYOND_STRIDE, beyond_files
    from glyphs.catalog import load_catalog

    top = {f.id for f in load_catalog("top300")}
    fams = [f for f in load_catalog("all") if f.id not in top][::BEYOND_STRIDE]
    assert len(fams) >= 300  # issue 15: at least 300 families outside the first 300
    present, missing = beyond_files(str(tmp_path))  # an empty cache: every family listed as missing
    assert present == [] and missing == [f.id for f in fams]


def test_axis_extremes_draw_the_ends_of_a_variable_family():
    """The robustness bench's axis kind (issue 11): Roboto Flex's ends of width and weight, each
    drawn from the same variable file as its default instance; a static family has none."""
    from bench.draw import ink_mask
    from bench.fonts import axis_extremes, default_instance
    from glyphs.catalog import catalog_families

    fix = Path(__file__).resolve().parent / "fixtures"
    fams = {f.family.id: f for f in catalog_families(fix / "catalog-tiny.txt", fix / "fonts")}
    base = default_instance(fams["roboto-flex"])
    ends = dict(axis_extremes(fams["roboto-flex"]))
    assert (base.weight, base.width) == (400, 100.0)
    assert list(ends) == ["wdth-min", "wdth-max", "wght-min", "wght-max"]
    assert (ends["wdth-min"].width, ends["wdth-max"].width, ends["wght-min"].weight, ends["wght-max"].weight) == (
        25.0, 151.0, 100, 1000)
    text = "Harbour Lights"
    width = {k: ink_mask(s, text, 56).shape[1] for k, s in [("default", base), *ends.items()]}
    assert width["wdth-min"] < 0.92 * width["default"] < width["default"] < width["wdth-max"]
    ink = {k: ink_mask(s, text, 56).sum() for k, s in [("default", base), *ends.items()]}
    assert ink["wght-min"] < ink["default"] < ink["wght-max"]
    assert axis_extremes(fams["roboto"]) == [] and default_instance(fams["roboto"]) is None
