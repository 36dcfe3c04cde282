"""Pure scoring functions of the pipeline."""

from __future__ import annotations

import numpy as np

from pipeline.scoring import (
    Calibration,
    expected_calibration_error,
    fit_temperature,
    glyph_weights,
    merge_case_variants,
    summed_scores,
    to_probabilities,
)


def _lp(p: list[float]) -> np.ndarray:
    return np.log(np.asarray(p, np.float64))


def test_more_agreeing_glyphs_give_more_certainty():
    one = summed_scores(_lp([[0.5, 0.3, 0.2]]), np.ones(1))
    five = summed_scores(_lp([[0.5, 0.3, 0.2]] * 5), np.ones(5))
    p1, p5 = to_probabilities(one, 1.0), to_probabilities(five, 1.0)
    assert p1.argmax() == p5.argmax() == 0
    assert p5[0] > p1[0] and abs(p5.sum() - 1) < 1e-9


def test_a_confident_glyph_outvotes_a_vague_one():
    lp = _lp([[0.9, 0.05, 0.05], [0.3, 0.4, 0.3]])
    assert to_probabilities(summed_scores(lp, np.ones(2)), 1.0).argmax() == 0


def test_weighting_uses_confidence_and_letter_information():
    cal = Calibration(weighting="weighted", char_info={"l": 0.2, "g": 2.0})
    w = glyph_weights(["l", "g", "x"], [1.0, 0.5, 1.0], cal)
    assert np.allclose(w, [0.2, 1.0, 1.0])
    assert np.allclose(glyph_weights(["l", "g"], [0.1, 0.1], Calibration()), [1, 1])


def test_case_merge_is_a_mixture():
    a, b = _lp([[0.8, 0.2]]), _lp([[0.2, 0.8]])
    assert np.allclose(np.exp(merge_case_variants(a, b)), [[0.5, 0.5]])


def test_temperature_fit_and_ece():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 4000)
    logits = rng.normal(0, 1, (4000, 4))
    logits[np.arange(4000), truth] += 1.5
    t = fit_temperature(logits * 5.0, truth)  # overconfident by 5x
    assert 3.0 < t < 8.0
    probs = np.array([to_probabilities(s, t) for s in logits * 5.0])
    ece_fit = expected_calibration_error(probs.max(1), probs.argmax(1) == truth)
    raw = np.array([to_probabilities(s, 1.0) for s in logits * 5.0])
    ece_raw = expected_calibration_error(raw.max(1), raw.argmax(1) == truth)
    assert ece_fit < 0.05 < ece_raw


def test_length_aware_temperature_follows_how_evidence_grows():
    from pipeline.scoring import REFERENCE_GLYPHS, fit_length_temperature

    rng = np.random.default_rng(1)
    m, f = 3000, 6
    truth = rng.integers(0, f, m)
    n = rng.integers(1, 40, m)
    line = rng.normal(0, 1, (m, f))
    line[np.arange(m), truth] += 1.0
    # Glyphs of a line all make the same error: summing n of them adds no information.
    t, power = fit_length_temperature(line * n[:, None], truth, n)
    assert power == 1.0 and 0.5 * REFERENCE_GLYPHS < t < 2.0 * REFERENCE_GLYPHS
    # Independent glyph errors: evidence grows with n, one temperature fits all lengths.
    glyphs = [rng.normal(0, 1, (k, f)) + np.eye(f)[truth[i]] for i, k in enumerate(n)]
    t, power = fit_length_temperature(np.array([g.sum(axis=0) for g in glyphs]), truth, n)
    assert power == 0.0
    cal = Calibration(temperature=2.0, length_power=0.5, verify_temperature=3.0, verify_length_power=1.0)
    assert cal.line_temperature(40, verified=False) == 4.0 and cal.line_temperature(5, verified=True) == 1.5
    assert Calibration.from_dict(cal.to_dict()) == cal


def test_index_weight_beside_render_and_compare_round_trips_and_defaults_off():
    from pipeline.scoring import Calibration

    cal = Calibration(verify_alpha=30.0, verify_index_alpha=15.0)
    assert Calibration.from_dict(cal.to_dict()) == cal
    old = cal.to_dict()
    del old["verify_index_alpha"]  # calibrations written before it: render-and-compare alone
    assert Calibration.from_dict(old).verify_index_alpha == 0.0


def test_a_glyph_agrees_with_its_letter_when_any_indexed_style_draws_it_so():
    from pipeline.trust import AGREE_HIGH, AGREE_LOW, index_agreement

    sim = np.array([[0.95, 0.50, np.nan],  # (S=2 styles, N=3 glyphs): cosine to the letter read
                    [0.60, AGREE_LOW + 0.5 * (AGREE_HIGH - AGREE_LOW), np.nan]])
    np.testing.assert_allclose(index_agreement(sim), [1.0, 0.5, 0.0])  # a letter no style draws: no support
