"""Render-and-compare: drawing the read words in candidate fonts re-ranks the classifier's
candidates (real fixture fonts, the shipped model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from glyphs.catalog import catalog_families
from glyphs.normalize import estimate_line_metrics, normalize_glyph
from glyphs.render import FontStyle, render_sample
from pipeline import DEFAULT_MODEL, Identifier
from pipeline.config import VerifyConfig
from pipeline.scoring import Calibration, verified_scores
from pipeline.verify import FontSource, Verification, candidate_styles, verify, word_templates

FIX = Path(__file__).resolve().parent / "fixtures"
CANDIDATES = ["roboto", "libre-baskerville", "dancing-script", "lobster", "roboto-flex"]


@pytest.fixture(scope="module")
def source() -> FontSource:
    return FontSource(catalog_families(FIX / "catalog-tiny.txt", FIX / "fonts"))


@pytest.fixture(scope="module")
def ident(source) -> Identifier:
    return Identifier(DEFAULT_MODEL, fonts=source)


def _glyphs_of(family: str, text: str, style: FontStyle, source: FontSource, norm) -> np.ndarray:
    """A blurred rendering of ``text`` cut into normalised glyphs (true boxes): (N, S, S) uint8."""
    r, _ = render_sample(source.files(family), style, 48, text)
    gray = np.asarray(Image.fromarray(255 - r.mask).filter(ImageFilter.GaussianBlur(0.8)))
    line = estimate_line_metrics(r.boxes, r.chars)
    return np.stack([normalize_glyph(gray, b, line, norm) for b in r.boxes])


@pytest.mark.parametrize("family", ["roboto", "libre-baskerville", "lobster"])
def test_the_true_font_matches_its_own_drawing_best(ident, source, family):
    text = "Harbour Lights"
    images = _glyphs_of(family, text, FontStyle(700 if family != "lobster" else 400), source, ident.model.labels.norm)
    chars = list(text.replace(" ", ""))
    words = [0] * 7 + [1] * 6
    emb = ident.model.score(images, chars).embedding
    cand = np.array([ident.model.labels.font_index(f) for f in CANDIDATES])
    ver = verify(ident.model, emb, chars, words, cand, np.ones(len(chars)), source, 650.0, False,
                 ident.verify_config.styles_per_font)
    totals = ver.similarity.sum(axis=1)  # (K,)
    assert CANDIDATES[int(np.argmax(totals))] == family, dict(zip(CANDIDATES, totals.round(2), strict=True))
    assert ver.similarity.shape == (len(CANDIDATES), len(chars))
    if family != "lobster":  # the bold drawing matched better than the nearest other weight
        assert ver.styles[CANDIDATES.index(family)].weight == 700


def test_cached_drawings_and_early_stop_keep_the_answer(ident):
    """Second picture with the same words: drawings come from the template cache, same
    similarities; an early stop draws fewer candidates and keeps the leader."""
    from pipeline.verify import EarlyStop, TemplateCache

    src = FontSource(catalog_families(FIX / "catalog-tiny.txt", FIX / "fonts"))
    text = "Harbour Lights"
    images = _glyphs_of("roboto", text, FontStyle(400), src, ident.model.labels.norm)
    chars, words = list(text.replace(" ", "")), [0] * 7 + [1] * 6
    emb, w = ident.model.score(images, chars).embedding, np.ones(len(chars))
    cand = np.array([ident.model.labels.font_index(f) for f in CANDIDATES])
    first = verify(ident.model, emb, chars, words, cand, w, src, 400.0, False, 2)
    misses = src.templates.misses
    again = verify(ident.model, emb, chars, words, cand, w, src, 400.0, False, 2)
    assert src.templates.misses == misses and src.templates.hits >= 2 * len(CANDIDATES)
    np.testing.assert_allclose(again.similarity, first.similarity, atol=1e-6)
    fresh = FontSource(catalog_families(FIX / "catalog-tiny.txt", FIX / "fonts"), cache_bytes=0)
    np.testing.assert_allclose(verify(ident.model, emb, chars, words, cand, w, fresh, 400.0, False, 2).similarity,
                               first.similarity, atol=1e-5)  # nothing kept: drawn again, same result
    assert len(fresh.templates) == 0
    bonus = 30.0 * first.similarity.sum(axis=1)
    sums = np.array([0.0, -1e4, -1e4, -1e4, -1e4])  # roboto far ahead of the rest by the classifier
    early = verify(ident.model, emb, chars, words, cand, w, src, 400.0, False, 2, EarlyStop(sums, 30.0, 10.0, 2))
    assert len(early.candidates) == 2 and early.styles == first.styles[:2]
    np.testing.assert_allclose(early.similarity, first.similarity[:2], atol=1e-6)
    close = np.zeros(5)  # nobody clearly behind: every candidate is drawn
    assert len(verify(ident.model, emb, chars, words, cand, w, src, 400.0, False, 2,
                      EarlyStop(close, 30.0, 10.0, 2)).candidates) == 5
    assert CANDIDATES[int(np.argmax(bonus))] == "roboto"
    cache = TemplateCache(max_bytes=1000)
    for i in range(3):
        cache.put(("k", i), np.zeros((1, 128), np.float32))  # 512 bytes each
    assert len(cache) == 1 and cache.get(("k", 2))[0] and not cache.get(("k", 0))[0]


def test_word_templates_line_up_with_the_text(source):
    from glyphs.labels import NormSettings

    out = word_templates(source.files("roboto"), FontStyle(400), ["Quiz", "42"], NormSettings())
    assert [t.shape for t in out] == [(4, 40, 40), (2, 40, 40)]
    assert all(int(g.max()) == 255 for t in out for g in t)  # every glyph has ink


def test_candidate_styles_are_the_nearest_catalog_weights(source):
    flex = source.files("roboto-flex")
    assert [s.weight for s in candidate_styles(flex, 640, False, 2)] == [600, 700]
    baskerville = source.files("libre-baskerville")
    assert [s.weight for s in candidate_styles(baskerville, 100, True, 3)] == [400, 700]
    assert not candidate_styles(baskerville, 400, True, 1)[0].italic  # no italic files


def test_non_candidates_never_overtake_and_alpha_zero_changes_nothing():
    rng = np.random.default_rng(0)
    sums = rng.normal(size=50)
    cand = np.argsort(-sums)[:5]
    sim = rng.uniform(-1, 1, size=(5, 7))
    w = rng.uniform(0.2, 1.0, size=7)
    out = verified_scores(sums, cand, sim, w, 30.0)
    others = np.setdiff1d(np.arange(50), cand)
    assert out[others].max() <= out[cand].max()
    bonus = 30.0 * (sim * w).sum(axis=1)
    assert np.argmax(out) == cand[int(np.argmax(sums[cand] + bonus))]
    assert np.array_equal(np.argsort(-verified_scores(sums, cand, sim, w, 0.0)), np.argsort(-sums))


def test_calibration_round_trip_keeps_verification_settings():
    cal = Calibration(8.0, "weighted", {"a": 1.2}, 0.1, verify_alpha=100.0, verify_temperature=12.5, verify_ece=0.05)
    assert Calibration.from_dict(cal.to_dict()) == cal
    assert Calibration.from_dict({"temperature": 3.0}).verify_alpha == 0.0  # old files: off


def test_without_font_files_the_ranking_is_the_classifier_s(ident):
    bare = Identifier(DEFAULT_MODEL, fonts=FontSource([]))
    off = Identifier(DEFAULT_MODEL, verify=VerifyConfig(enabled=False))
    assert not bare.verifies and not off.verifies and off.fonts is None
    assert ident.verifies == (ident.calibration.verify_alpha > 0)


def test_identify_says_how_to_enable_render_and_compare_and_uses_fixture_fonts(tmp_path, cli_run):
    import json

    sample = FIX.parents[1] / "examples" / "sample.png"
    bare = cli_run("identify", sample, "--json", "--fonts-dir", tmp_path)
    assert bare.returncode == 0 and "fonts fetch" in bare.stderr
    assert json.loads(bare.stdout)["fonts"]  # still a ranking: the classifier's
    out = tmp_path / "explain.png"
    fixed = cli_run("identify", sample, "--json", "--fonts-dir", FIX / "fonts", "--explain", out)
    assert fixed.returncode == 0 and "fonts fetch" not in fixed.stderr
    from PIL import Image

    with Image.open(sample) as src, Image.open(out) as pic:  # the image, then one row per font
        assert pic.height >= src.height + 72 * len(json.loads(fixed.stdout)["fonts"])


def test_long_texts_draw_only_their_first_words():
    from pipeline.rank import first_words

    ix = list(range(10))
    words = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]
    assert first_words(ix, words, 20) == ix
    assert first_words(ix, words, 4) == [0, 1, 2, 3, 4, 5, 6]  # the word in progress is finished
    assert first_words(ix, words, 3) == [0, 1, 2]
    assert first_words(ix, words, 1) == [0, 1, 2]  # at least one whole word


def test_line_calibration_fits_alpha_and_length_aware_temperatures(ident, source):
    from pipeline.calibrate_lines import ALPHAS, refit_on_lines
    from pipeline.scoring import LENGTH_POWERS

    families = [f for f in catalog_families(FIX / "catalog-tiny.txt", FIX / "fonts") if f.present]
    cal, report = refit_on_lines(ident, families, n_lines=10, seed=0)
    assert report["lines"] >= 8  # rendered lines where the OCR found text
    assert cal.verify_alpha in ALPHAS and cal.verify_temperature > 0 and cal.temperature > 0
    assert cal.length_power in LENGTH_POWERS and cal.verify_length_power in LENGTH_POWERS
    assert 0.0 <= report["verify"]["top1"] <= 1.0 and report["verify"]["ece"] >= 0.0


def test_a_variable_family_at_its_narrowest_width_matches_its_own_axis_end(ident, source):
    """Roboto Flex drawn at its most condensed width (wdth 25): drawn only at its default width
    it explains the glyphs worse than when its width ends are drawn too (issue 11, axis extremes);
    a static family gains nothing from axis_ends."""
    from pipeline.verify import axis_styles, merge_verifications

    files = source.files("roboto-flex")
    ends = axis_styles(files, 400.0, False)
    assert {(s.width, s.opsz) for s in ends} == {(25, None), (151, None)}
    assert axis_styles(source.files("roboto"), 400.0, False) == []
    text = "Harbour Lights"
    images = _glyphs_of("roboto-flex", text, FontStyle(400, 25), source, ident.model.labels.norm)
    chars, words, w = list(text.replace(" ", "")), [0] * 7 + [1] * 6, np.ones(13)
    emb = ident.model.score(images, chars).embedding
    cand = np.array([ident.model.labels.font_index(f) for f in ("roboto", "roboto-flex")])
    plain = verify(ident.model, emb, chars, words, cand, w, source, 400.0, False, 2)
    axis = verify(ident.model, emb, chars, words, cand, w, source, 400.0, False, 2, axis_ends=True)
    assert axis.styles[1].width == 25
    assert axis.similarity[1].sum() > plain.similarity[1].sum() + 1.0  # 12.3 vs 10.6 of 13 glyphs
    np.testing.assert_allclose(axis.similarity[0], plain.similarity[0], atol=1e-6)  # roboto: static files only
    ends = verify(ident.model, emb, chars, words, cand[1:], w, source, 400.0, False, 2, axis_ends=True, ends_only=True)
    assert ends.styles[0].width == 25  # only the ends drawn: the best of them
    merged = merge_verifications(plain, Verification(cand[1:], axis.similarity[1:], axis.styles[1:]), w)
    assert merged.styles[1].width == 25 and len(merged.candidates) == 2


def test_the_axis_pass_draws_ends_only_for_a_candidate_the_index_matched_at_an_end(ident, source):
    """Render-and-compare's axis pass (Identifier.axis_pass) draws a candidate at its width ends only when the
    font index matched that candidate best at such an end: a plain picture pays nothing for it."""
    text = "Harbour Lights"
    images = _glyphs_of("roboto-flex", text, FontStyle(400, 25), source, ident.model.labels.norm)
    chars, words, w = list(text.replace(" ", "")), [0] * 7 + [1] * 6, np.ones(13)
    scores = ident.model.score(images, chars)
    ids = [f.family for f in ident.universe]
    cand = np.array([ids.index("roboto"), ids.index("roboto-flex")])
    ver = verify(ident.model, scores.embedding, chars, words, cand, w, source, 400.0, False, 2, family_ids=ids)
    args = (ver, list(range(13)), w, scores, chars, words, cand, list(range(13)))
    assert ident.axis_pass(*args, np.array([False, False])) is ver  # no end matched: nothing more drawn
    more = ident.axis_pass(*args, np.array([False, True]))
    assert more.styles[1].width == 25 and more.similarity[1].sum() > ver.similarity[1].sum() + 1.0
    np.testing.assert_allclose(more.similarity[0], ver.similarity[0])  # roboto was not drawn again


@pytest.mark.parametrize("width", [25, 100])
def test_a_variable_family_matched_at_a_width_end_is_reported_at_that_width(ident, source, width):
    """A line set in Roboto Flex's narrowest cut is reported at width 25 %, not the 100 % the glyph
    model's estimate gives; at its default instance, at 100 %."""
    from glyphs.render import open_font, render_text

    file = next(f for f in source.files("roboto-flex").variable if not f.italic)
    font, _ = open_font(file, FontStyle(400, width), 64)
    gray = np.pad(255 - render_text(font, "Harbour Lights").mask, 20, constant_values=255).astype(np.uint8)
    ranking = ident.rank(np.stack([gray] * 3, axis=-1), top=5)
    flex = next(f for f in ranking.fonts if f.family == "roboto-flex")
    assert flex.width == width


@pytest.mark.parametrize("start", [400, 500, 600])
def test_the_reported_weight_climbs_past_the_weights_drawn(ident, source, start):
    """A weight estimate one or two steps light drew the family at weights below the true one; the
    answer's weight climbs to the neighbouring catalog weight while its drawing matches better, and
    lands on the drawn weight (Roboto Flex ExtraBold, 800)."""
    from pipeline.weight import refined_weight

    text = "Harbour Lights"
    images = _glyphs_of("roboto-flex", text, FontStyle(800), source, ident.model.labels.norm)
    chars, words = list(text.replace(" ", "")), [0] * 7 + [1] * 6
    emb = ident.model.score(images, chars).embedding
    ids = [f.family for f in ident.model.labels.fonts]
    k = ids.index("roboto-flex")
    got = refined_weight(ident.model, emb, chars, words, np.ones(len(chars)), source, ids, k, FontStyle(start))
    assert got == FontStyle(800)
    # a cut at a width end keeps its weight: it was drawn at the estimate on purpose
    narrow = FontStyle(start, 25)
    assert refined_weight(ident.model, emb, chars, words, np.ones(len(chars)), source, ids, k, narrow) == narrow
