"""Lexicon-guided OCR correction: unknown words become the likeliest known word among the
recogniser's own alternatives; confident unknown words, digits and known words stay."""

from __future__ import annotations

import numpy as np

from segmentation.lexicon import correct_words, ctc_align, english_words, is_known, prefix_beam_search

CLASSES = ["[blank]", " ", "b", "k", "l", "a", "c", "z", "o", "r", "t", "1", "9", "&"]


def _probs(columns: list[dict[str, float]]) -> np.ndarray:
    """(T, C) column probabilities; unspecified mass goes to the blank."""
    out = np.full((len(columns), len(CLASSES)), 1e-4)
    for j, col in enumerate(columns):
        for ch, p in col.items():
            out[j, CLASSES.index(ch)] = p
        out[j, 0] += max(0.0, 1.0 - out[j].sum())
    return out / out.sum(axis=1, keepdims=True)


def _greedy(probs: np.ndarray) -> list[list[int]]:
    runs, prev = [], 0
    for j, k in enumerate(probs.argmax(axis=1).tolist()):
        if k and k == prev:
            runs[-1][2] = j
        elif k:
            runs.append([k, j, j])
        prev = k
    return runs


def _text(runs: list[list[int]]) -> str:
    return "".join(CLASSES[r[0]] for r in runs)


B = {"[blank]": 0.95}


def test_a_misread_letter_becomes_the_known_word_with_its_columns():
    # "klack": the first letter is k 0.55 / b 0.40 -> "black"; then a space and "cat".
    cols = [B, {"k": 0.55, "b": 0.40}, B, {"l": 0.9}, {"a": 0.9}, B, {"c": 0.9}, {"k": 0.9}, B,
            {" ": 0.9}, B, {"c": 0.9}, {"a": 0.9}, {"t": 0.9}, B]
    probs = _probs(cols)
    runs = _greedy(probs)
    assert _text(runs) == "klack cat"
    correct_words(runs, probs, CLASSES, margin=3.0)
    assert _text(runs) == "black cat"
    assert runs[0] == [CLASSES.index("b"), 1, 1]  # the corrected letter keeps its column
    assert [r[1] for r in runs] == sorted(r[1] for r in runs)


def test_confident_unknown_words_digits_and_known_words_stay():
    sure = [{"z": 0.97}, {"o": 0.97}, {"r": 0.97}, {"b": 0.97}, {"l": 0.97}, {"a": 0.97}, {"t": 0.97}]
    for cols, want in [(sure, "zorblat"), ([{"1": 0.9}, B, {"9": 0.9}, {"k": 0.6, "b": 0.3}], "19k"),
                       ([{"c": 0.9}, {"a": 0.9}, {"t": 0.6, "r": 0.35}], "cat")]:
        probs = _probs(cols)
        runs = _greedy(probs)
        correct_words(runs, probs, CLASSES, margin=3.0)
        assert _text(runs) == want


def test_a_stray_symbol_is_a_reason_to_look_again():
    # "&oat": a script b read as & -> "boat"
    probs = _probs([{"&": 0.6, "b": 0.35}, {"o": 0.9}, {"a": 0.9}, {"t": 0.9}])
    runs = _greedy(probs)
    assert _text(runs) == "&oat"
    correct_words(runs, probs, CLASSES, margin=3.0)
    assert _text(runs) == "boat"


def test_beam_search_ranks_the_greedy_path_first_and_alignment_covers_each_label():
    probs = _probs([B, {"c": 0.8}, {"c": 0.8}, B, {"a": 0.9}, {"t": 0.9}])
    beams = prefix_beam_search(np.log(probs))
    assert _text([[k, 0, 0] for k in beams[0][0]]) == "cat"
    assert all(beams[i][1] >= beams[i + 1][1] for i in range(len(beams) - 1))
    spans = ctc_align(np.log(probs), beams[0][0])
    assert spans == [(1, 2), (4, 4), (5, 5)]
    assert ctc_align(np.log(probs[:2]), beams[0][0]) is None  # 3 labels cannot fit 2 columns


def test_the_word_list_is_english():
    words = english_words()
    assert {"black", "quartz", "of", "the"} <= words
    assert "ck" not in words  # rare two-letter strings are not words here
    assert is_known("Black,", words) and not is_known("klack", words)


def test_word_list_is_cached_as_text_and_read_back_equal(tmp_path, monkeypatch):
    from segmentation import lexicon

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    lexicon.english_words.cache_clear()
    try:
        parsed = lexicon.english_words()
        files = list((tmp_path / "freefontfinder").glob("english-words-*.txt"))
        assert len(files) == 1 and len(parsed) > 100_000 and "black" in parsed
        lexicon.english_words.cache_clear()
        assert lexicon.english_words() == parsed  # now from the text file
    finally:
        lexicon.english_words.cache_clear()
