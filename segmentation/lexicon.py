"""Lexicon-guided correction of the recogniser's CTC readings.

Joined script letters are often misread one or two at a time ("klack" for
"black", "dalt" for "daft"). When a word the greedy decoding produced is not
an English word, we search the recogniser's own alternatives for that word's
columns (CTC prefix beam search) and take the likeliest one that *is* a word,
provided it is at most ``margin`` nats less likely than the best reading.
Unknown words the recogniser is sure of (names, brands, codes) stay as read.
The chosen word's letters get their columns from a CTC forced alignment, so
character boxes follow the corrected text.

The word list is the English frequency dictionary shipped inside the
``pyspellchecker`` package (data only; loaded once, lazily).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

MIN_LETTERS = 2  # words with fewer letters are left alone
COMMON_TWO = 1_000_000  # two-letter words count only this frequent (of, to, in, ...)
SENTENCE_MARKS = ".,;:!?'\"()"  # punctuation that may end or start a word; other symbols are suspect
BEAM = 16  # prefixes kept per column
PER_COLUMN = 4  # most likely classes expanded per column
NEG = -1e30


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words (about 128k) from pyspellchecker's frequency list; of the
    two-letter ones only the common (to, of, in, ...).

    Parsing and filtering the list costs ~0.3 s of CPU, a fifth of a cold ``identify``:
    the filtered words are kept as plain text in the user's cache folder, named by the
    list's MD5 (a changed list makes a new file), and read from there next time.
    """
    data = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    cache = _cache_dir() / f"english-words-{hashlib.md5(data).hexdigest()[:16]}-{COMMON_TWO}.txt"
    try:
        return frozenset(cache.read_text(encoding="utf-8").split("\n"))
    except OSError:
        pass
    counts = json.loads(gzip.decompress(data))
    words = frozenset(w for w, n in counts.items() if w.isalpha() and (len(w) > 2 or n >= COMMON_TWO))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        tmp.write_text("\n".join(sorted(words)), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home: parse the list every time
    return words


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "freefontfinder"


def is_known(token: str, words: frozenset[str]) -> bool:
    """A word of the lexicon once sentence punctuation is stripped."""
    core = token.strip(SENTENCE_MARKS)
    return core.isalpha() and len(core) >= MIN_LETTERS and core.lower() in words


def _suspect(token: str, words: frozenset[str]) -> bool:
    """Worth a second look: letters or stray symbols (no digits), not a known word."""
    core = token.strip(SENTENCE_MARKS)
    if any(c.isdigit() for c in core) or is_known(token, words):
        return False
    letters = sum(c.isalpha() for c in core)
    return letters >= MIN_LETTERS or (len(core) >= 2 and letters < len(core))


def correct_words(runs: list[list[int]], probs: np.ndarray, classes: list[str], margin: float) -> None:
    """Replace unknown words in ``runs`` ([class, first col, last col] per character, spaces
    included) by the likeliest known word among the beam alternatives, in place."""
    words = english_words()
    spaces = [i for i, r in enumerate(runs) if classes[r[0]] == " "]
    bounds = list(zip([-1] + spaces, spaces + [len(runs)], strict=True))
    logp = np.log(np.clip(probs, 1e-12, 1.0))  # (T, C)
    for before, after in reversed(bounds):  # back to front: earlier indices stay valid
        a, b = before + 1, after
        if not _suspect("".join(classes[r[0]] for r in runs[a:b]), words):
            continue
        j0 = runs[before][2] + 1 if before >= 0 else 0
        j1 = runs[after][1] - 1 if after < len(runs) else probs.shape[0] - 1
        if j1 - j0 < 1:
            continue
        better = _best_known(logp[j0 : j1 + 1], classes, words, margin)
        if better is not None:
            runs[a:b] = [[k, j0 + s, j0 + e] for k, (s, e) in better]


def _best_known(logp: np.ndarray, classes: list[str], words: frozenset[str],
                margin: float) -> list[tuple[int, tuple[int, int]]] | None:
    """(class, (first, last) column) per letter of the likeliest known word, or None."""
    beams = prefix_beam_search(logp, BEAM)
    top = beams[0][1]
    for labels, score in beams:
        if score < top - margin:
            break
        if is_known("".join(classes[k] for k in labels), words):
            spans = ctc_align(logp, labels)
            return list(zip(labels, spans, strict=True)) if spans else None
    return None


def prefix_beam_search(logp: np.ndarray, beam: int = BEAM) -> list[tuple[tuple[int, ...], float]]:
    """CTC prefix beam search over (T, C) log-probabilities (class 0 = blank):
    [(labels, log-probability)], best first."""
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, NEG)}  # prefix -> (ends blank, ends label)
    for t in range(logp.shape[0]):
        row = logp[t]
        top = [int(k) for k in np.argsort(-row)[:PER_COLUMN] if k != 0]
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            _add(nxt, prefix, 0, total + row[0])
            last = prefix[-1] if prefix else None
            if last is not None:
                _add(nxt, prefix, 1, pnb + row[last])  # the last label continues
            for k in top:
                new = prefix + (k,)
                _add(nxt, new, 1, (pb if k == last else total) + row[k])
        ranked = sorted(nxt.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:beam]
        beams = {p: (v[0], v[1]) for p, v in ranked}
    out = [(p, float(np.logaddexp(pb, pnb))) for p, (pb, pnb) in beams.items()]
    return sorted(out, key=lambda x: -x[1])


def _add(table: dict, prefix: tuple[int, ...], slot: int, value: float) -> None:
    cur = table.setdefault(prefix, [NEG, NEG])
    cur[slot] = float(np.logaddexp(cur[slot], value))


def ctc_align(logp: np.ndarray, labels: tuple[int, ...]) -> list[tuple[int, int]] | None:
    """Viterbi CTC alignment: each label's (first, last) column, or None if impossible."""
    ext = [0]
    for k in labels:
        ext += [k, 0]
    n_t, n_s = logp.shape[0], len(ext)
    dp = np.full((n_t, n_s), NEG)
    back = np.zeros((n_t, n_s), np.int64)
    dp[0, 0] = logp[0, ext[0]]
    if n_s > 1:
        dp[0, 1] = logp[0, ext[1]]
    for t in range(1, n_t):
        for s in range(n_s):
            cands = [s, s - 1] + ([s - 2] if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2] else [])
            best = max((c for c in cands if c >= 0), key=lambda c: dp[t - 1, c])
            dp[t, s] = dp[t - 1, best] + logp[t, ext[s]]
            back[t, s] = best
    end = n_s - 1 if n_s == 1 or dp[-1, n_s - 1] >= dp[-1, n_s - 2] else n_s - 2
    if dp[-1, end] <= NEG / 2:
        return None
    states = [end]
    for t in range(n_t - 1, 0, -1):
        states.append(int(back[t, states[-1]]))
    states.reverse()  # (T,) state per column
    spans = []
    for i in range(len(labels)):
        cols = [t for t, s in enumerate(states) if s == 2 * i + 1]
        if not cols:
            return None
        spans.append((cols[0], cols[-1]))
    return spans
