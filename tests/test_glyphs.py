"""Glyph rendering and dataset generation on the tiny fixture catalog (real fonts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from glyphs.augment import preset
from glyphs.catalog import catalog_families
from glyphs.config import GenerateConfig
from glyphs.dataset import load_dataset
from glyphs.generate import Unit, generate, render_unit
from glyphs.labels import FontLabel, LabelMap, LabelMapError
from glyphs.normalize import estimate_line_metrics, normalize_glyph
from glyphs.render import FontStyle, render_sample

FIX = Path(__file__).parent / "fixtures"
CATALOG = str(FIX / "catalog-tiny.txt")
CACHE = str(FIX / "fonts")


def _families():
    return {f.family.id: f for f in catalog_families(CATALOG, CACHE)}


def _gen(out: Path, **overrides) -> int:
    cfg = dict(out=str(out), catalog=CATALOG, cache=CACHE, variants=3, num_shards=2, workers=2)
    return generate(GenerateConfig(**{**cfg, **overrides}))


def test_weight_thickens_and_width_widens():
    fams = _families()
    light, _ = render_sample(fams["roboto"], FontStyle(400), 64, "a")
    bold, _ = render_sample(fams["roboto"], FontStyle(700), 64, "a")
    assert bold.mask.sum() > 1.2 * light.mask.sum()
    flex = fams["roboto-flex"]
    thin, st_thin = render_sample(flex, FontStyle(100), 64, "a")
    black, st_black = render_sample(flex, FontStyle(900), 64, "a")
    assert (st_thin.weight, st_black.weight) == (100, 900)
    assert black.mask.sum() > 2 * thin.mask.sum()
    narrow, st_n = render_sample(flex, FontStyle(400, 50), 64, "a")
    wide, st_w = render_sample(flex, FontStyle(400, 150), 64, "a")
    assert st_n.width < st_w.width
    width = lambda r: r.boxes[0][2] - r.boxes[0][0]  # noqa: E731
    assert width(wide) > 1.3 * width(narrow)


def test_boxes_cover_each_character_ink():
    r, _ = render_sample(_families()["libre-baskerville"], FontStyle(400), 48, "Hog 7")
    assert r.chars == "Hog7"
    xs = [b[0] for b in r.boxes]
    assert xs == sorted(xs)
    line = estimate_line_metrics(r.boxes, r.chars)
    h_box = r.boxes[0]
    assert abs(line.baseline - h_box[3]) <= 1 and abs(line.cap_height - (h_box[3] - h_box[1])) <= 0.1 * (h_box[3] - h_box[1])
    g_img = normalize_glyph(255 - r.mask, r.boxes[2], line)
    rows = np.nonzero(g_img.max(axis=1) > 128)[0]
    assert rows.max() > 0.75 * g_img.shape[0]  # 'g' descends below the baseline row


def test_label_of_each_sample_is_the_font_that_drew_it(tmp_path):
    """Re-render every unit from the family named by labels.json (looked up by id, not
    by index) and compare pixels: an off-by-one between label ids and fonts fails here."""
    assert _gen(tmp_path / "ds") == 0
    ds = load_dataset(tmp_path / "ds")
    fams = _families()
    aug = preset("default")
    checked = 0
    for f_index, lab in enumerate(ds.labels.fonts):
        for v in range(3):
            rows = np.nonzero((ds.font == f_index) & (ds.variant == v))[0]
            again = render_unit(fams[lab.family], Unit(f_index, v), ds.labels, aug, seed=0)
            assert np.array_equal(ds.images[rows], again["images"]), (lab.family, v)
            assert np.array_equal(ds.char[rows], again["char"])
            checked += len(rows)
            others = [f for f in fams if f != lab.family]
            wrong = render_unit(fams[others[v % len(others)]], Unit(f_index, v), ds.labels, aug, seed=0)
            assert not np.array_equal(wrong["images"][:5], again["images"][:5])
    assert checked == len(ds)


def test_generation_is_deterministic_and_shards_equal_whole(tmp_path):
    assert _gen(tmp_path / "a") == 0
    assert _gen(tmp_path / "b") == 0
    assert _gen(tmp_path / "c", shard="1/2") == 0
    assert _gen(tmp_path / "c", shard="0/2", workers=1) == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert len(files) > 10
    for rel in files:
        a = (tmp_path / "a" / rel).read_bytes()
        assert a == (tmp_path / "b" / rel).read_bytes(), rel
        assert a == (tmp_path / "c" / rel).read_bytes(), rel
    ds = load_dataset(tmp_path / "a")
    assert set(np.unique(ds.char)) == set(range(62))  # every glyph in every run
    assert (tmp_path / "a" / "preview.png").stat().st_size > 1000


def test_corrupt_font_is_named_and_skipped(tmp_path, capsys):
    cache = tmp_path / "fonts"
    shutil.copytree(CACHE, cache)
    bad = cache / "lobster" / "static" / "lobster-latin-400-normal.woff2"
    bad.write_bytes(b"not a font at all" * 10)
    rc = _gen(tmp_path / "ds", cache=str(cache), variants=1, num_shards=1, workers=1)
    assert rc == 0
    err = capsys.readouterr().err
    assert "lobster-latin-400-normal.woff2" in err
    labels = LabelMap.load(tmp_path / "ds")
    assert "lobster" not in [f.family for f in labels.fonts] and labels.num_fonts == 4


def test_label_map_round_trip_and_refusal(tmp_path):
    lm = LabelMap((FontLabel("roboto", "Roboto"), FontLabel("lobster", "Lobster")))
    lm.save(tmp_path, extra={"shards": []})
    back = LabelMap.load(tmp_path)
    assert back == lm and back.font_index("lobster") == 1 and back.char_index("?") == 62
    with pytest.raises(LabelMapError):
        LabelMap.load(tmp_path / "nowhere")
    (tmp_path / "labels.json").write_text("{not json")
    with pytest.raises(LabelMapError):
        LabelMap.load(tmp_path)


def test_bad_shard_spec_is_a_usage_error(tmp_path):
    assert _gen(tmp_path / "x", shard="3/2") == 2


def test_training_styles_reach_the_ends_of_a_variable_familys_real_axes():
    """The fixture Roboto Flex file spans wght 100..1000 and wdth 25..151: training draws both
    ends of each, not only the listed weights and widths 75..125."""
    from glyphs.generate import axis_range, sample_style

    files = _families()["roboto-flex"]
    wght, wdth = axis_range(files, "wght"), axis_range(files, "wdth")
    assert wdth[0] < 50 < 140 < wdth[1] and wght[1] > 900 and axis_range(files, "opsz") is None
    rng = np.random.default_rng(0)
    styles = [sample_style(files, rng) for _ in range(400)]
    assert {round(wdth[0]), round(wdth[1])} <= {s.width for s in styles}
    assert round(wght[1]) in {s.weight for s in styles} and all(s.opsz is None for s in styles)
    assert 0.5 < np.mean([s.width == 100 for s in styles]) < 0.8  # most units stay at the normal width
    assert axis_range(_families()["lobster"], "wdth") is None  # a static family has no axis
