"""Wide letter-spacing closed up before reading.

Letters set far apart (a tracked-out heading, a sign) are read by the recogniser one
by one, without the word around them: 'M U s e U m' for 'Museum', with case and
look-alike errors ('0' for o, '$' for s) that the lexicon cannot mend in one-letter
words. When a reading comes out as mostly one-letter words and the ink's column runs
(letters) are spaced more than WIDE_GAP text heights apart, the letters are laid
side by side at an ordinary gap, full height so the baseline stays put, and read
again; glyphs are cut from that view and mapped back to the picture (View.map_xy).
"""

from __future__ import annotations

import numpy as np

from segmentation.orient import View, grid_map

WIDE_GAP = 0.3  # median gap between letters over this share of the text height: letter-spaced
TIGHT_GAP = 0.08  # gap between letters once closed up (share of the text height)
WORD_GAP = 1.8  # gaps this many times the median gap are word spaces ...
SPACE = 0.35  # ... kept as this share of the text height
SPELLED = 0.6  # share of one-letter words in a reading of spaced-out letters


def spelled_out(text: str) -> bool:
    """Whether a reading looks like letters read one at a time ('M U s e U m')."""
    words = text.split()
    return len(words) >= 3 and sum(len(w) == 1 for w in words) >= SPELLED * len(words)


def close_spacing(view: View) -> View | None:
    """The view with its letters closed up, or None when they are not spaced out.

    Letters are the runs of columns holding ink in the view's core rows; each is copied
    whole (all rows), gaps become TIGHT_GAP (or SPACE for a word gap)."""
    from segmentation.chars import ink_mask

    c0, c1 = view.core
    h = max(4, c1 - c0)
    cols = ink_mask(view.gray)[c0:c1].any(axis=0)  # (w,) columns holding text ink
    edges = np.diff(np.concatenate([[0], cols.astype(np.int8), [0]]))
    runs = list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist(), strict=True))
    if len(runs) < 3:
        return None
    gaps = np.array([b[0] - a[1] for a, b in zip(runs[:-1], runs[1:], strict=True)], np.float64)
    med = float(np.median(gaps))
    if med < WIDE_GAP * h:
        return None
    new_gaps = [int(round((SPACE if g >= WORD_GAP * med else TIGHT_GAP) * h)) for g in gaps]
    pad = min(runs[0][0], view.gray.shape[1] - runs[-1][1], int(round(SPACE * h)))
    width = sum(b - a for a, b in runs) + sum(new_gaps) + 2 * pad
    bg = float(np.percentile(view.gray, 90))
    gray = np.full((view.gray.shape[0], width), bg, np.uint8)  # (h, W')
    src = grid_map(view)  # (h, w, 2) image xy of every view pixel
    map_xy = np.full((view.gray.shape[0], width, 2), np.nan, np.float32)
    gray[:, :pad], map_xy[:, :pad] = view.gray[:, runs[0][0] - pad:runs[0][0]], src[:, runs[0][0] - pad:runs[0][0]]
    u = pad
    for (a, b), gap in zip(runs, [*new_gaps, pad], strict=True):
        gray[:, u:u + b - a], map_xy[:, u:u + b - a] = view.gray[:, a:b], src[:, a:b]
        u += b - a + gap
    gray[:, width - pad:], map_xy[:, width - pad:] = view.gray[:, runs[-1][1]:runs[-1][1] + pad], \
        src[:, runs[-1][1]:runs[-1][1] + pad]
    return View(gray, view.origin, view.core, map_xy, view.rotation)
