"""pipeline.rank: segment the image, score every glyph, sum into one ranking.

The model and the OCR reader load once per process: :func:`get_identifier`
caches one :class:`Identifier` per model directory, and the EasyOCR reader is
cached inside segmentation.
"""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import VerifyConfig
from pipeline.openset import (
    in_catalog_features,
    in_catalog_probability,
    index_top,
    per_glyph_best,
    shortlist,
)
from pipeline.regions import reading_layout, region_groups, upright_picture
from pipeline.scoring import (
    CASE_AMBIGUOUS,
    Calibration,
    glyph_weights,
    merge_case_variants,
    summed_scores,
    to_probabilities,
    verified_scores,
)
from pipeline.trust import (
    NO_TEXT,
    TRUSTWORTHY,
    direction_warnings,
    evidence_warnings,
    evidence_weight,
    flatten,
    index_agreement,
    letter_agreement,
    more_like_letters,
    region_trust,
    reliability,
)
from pipeline.types import FontScore, GlyphEvidence, Ranking, Region, SimilarFamily
from pipeline.verify import (
    AXIS_ENDS,
    EarlyStop,
    FontSource,
    Verification,
    best_mean_similarity,
    embed,
    has_axis_ends,
    matched_widths,
    merge_verifications,
    verify,
)
from pipeline.weight import refined_weight

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "models" / "default"
CALIBRATION_FILE = "calibration.json"


def load_calibration(model_dir: Path) -> Calibration:
    path = Path(model_dir) / CALIBRATION_FILE
    return Calibration.from_dict(json.loads(path.read_text())) if path.is_file() else Calibration()


class Identifier:
    """A loaded model + segmentation settings; ``rank`` is stateless between calls.

    ``engine`` runs the OCR and glyph networks on ONNX Runtime or torch (pipeline.engine).

    With ``verify`` on, a calibration that has ``verify_alpha`` and the catalog's font
    files on disk, the classifier's top candidates are re-scored by render-and-compare
    (pipeline.verify); otherwise the ranking is the classifier's summed log-scores.
    """

    def __init__(self, model_dir: str | Path = DEFAULT_MODEL, segment_config: Any = None,
                 calibration: Calibration | None = None, verify: VerifyConfig | None = None,
                 fonts: FontSource | None = None, engine: str = "auto") -> None:
        from dataclasses import replace

        from pipeline.engine import load_glyph_model, resolve_engine
        from segmentation import SegmentConfig

        self.model_dir = Path(model_dir)
        self.engine = resolve_engine(engine, self.model_dir)  # "onnx" | "torch" (pipeline.engine)
        self.segment_config = replace(segment_config or SegmentConfig(), engine=self.engine)
        _preload_ocr(self.segment_config)  # first: its load's transient peak then sits on a small heap
        self.model = load_glyph_model(self.model_dir, self.engine)
        self.calibration = calibration or load_calibration(self.model_dir)
        self.verify_config = verify or VerifyConfig()
        self.openset = (_load_openset(self.model_dir, self.model.labels, self.verify_config.catalog)
                        if self.verify_config.use_index else None)
        if fonts is None and self.verify_config.enabled:
            v = self.verify_config
            fonts = FontSource.from_catalog(v.catalog, v.cache, v.fonts_dir, added=self.openset is not None)
        self.fonts = fonts
        self.universe = _universe(self.model.labels, self.openset)

    @property
    def verifies(self) -> bool:
        """Whether rankings use render-and-compare (enabled, calibrated, fonts present)."""
        return bool(self.verify_config.enabled and self.calibration.verify_alpha > 0
                    and self.fonts is not None and len(self.fonts) > 0)

    def rank(self, image: Any, top: int = 5) -> Ranking:
        """Ranking of catalog fonts for ``image`` (path, bytes, PIL image or array)."""
        from segmentation import load_image, segment

        rgb = load_image(image)
        seg = segment(rgb, norm=self.model.labels.norm, config=self.segment_config, likeness=self.likeness)
        ranking = self.rank_glyphs(seg.glyphs, seg.text, top, rgb, words=seg.words)
        notes = direction_warnings([w.rotation for w in seg.words], [w.bent for w in seg.words])
        return replace(ranking, warnings=notes + ranking.warnings) if notes else ranking

    def likeness(self, images: np.ndarray, chars: list[str]) -> np.ndarray:
        """(N,) 0-1: how much each glyph (N, S, S) uint8 looks like its letter (letter_agreement;
        with the font index, also against the index's fonts). Segmentation uses it to choose
        between readings of the same ink in different directions. The index's corner styles (a width end at
        the hairline weight) are left out: the judge's thresholds (segmentation.evidence) were measured
        without them, and slivers of a filled inline letter look like a hairline expanded cut (Rye's filled
        'Gift Shop' 0.85 -> 0.89, and the reading as drawn, at the 1.0 ceiling, lost to it)."""
        return self.agreement(embed(self.model, images, chars), chars, corners=False)  # embeddings only

    def agreement(self, embedding: np.ndarray, chars: list[str], corners: bool = True) -> np.ndarray:
        """(N,) 0-1 letter agreement of glyph embeddings (N, D) with the letters read
        (pipeline.trust.letter_agreement); with the font index, the better of that and the
        index's (a letter may look like itself in a font the classifier never saw)."""
        agree = letter_agreement(embedding, self.model.char_indices(chars), self.prototypes)
        if self.openset is not None:
            sim = self.openset.glyph_similarity(embedding, chars)  # (S, N)
            agree = np.maximum(agree, index_agreement(sim if corners else sim[~self.openset.corners]))
        return agree

    @functools.cached_property
    def prototypes(self) -> np.ndarray | None:
        """(F, C + 1, D) float32 unit class-average embeddings, or None (head-only model)."""
        p = getattr(self.model, "prototypes", None)
        if p is None:
            return None
        return np.asarray(p.float().numpy() if hasattr(p, "numpy") else p, dtype=np.float32)

    def glyph_log_probs(self, images: np.ndarray, chars: list[str]) -> tuple[np.ndarray, Any]:
        """(N, F) log-probabilities, tolerant of case confusion, and the raw GlyphScores."""
        scores = self.model.score(images, chars)
        amb = [i for i, c in enumerate(chars) if c in CASE_AMBIGUOUS]
        lp = scores.log_probs.astype(np.float64)
        if amb:
            other = self.model.score(images[amb], [chars[i].swapcase() for i in amb])
            lp[amb] = merge_case_variants(lp[amb], other.log_probs.astype(np.float64))
        return lp, scores

    def rank_glyphs(self, glyphs: Any, text: str, top: int = 5, rgb: np.ndarray | None = None,
                    words: Any = None) -> Ranking:
        """Rank from segmented glyphs (segmentation.Glyph-like: char, box, ocr_confidence,
        word_index, line_index, image). ``rgb``: the (H, W, 3) picture they were cut from,
        for the regions' colours (None: typography without colours). ``words``: the
        segmentation's words (their rotation): regions are then found in each word's reading
        frame (pipeline.regions.reading_layout); None treats all text as upright."""
        if not glyphs:
            return Ranking(fonts=[], glyphs=[], text=text, regions=[], warnings=[NO_TEXT])
        chars = [g.char for g in glyphs]
        images = np.stack([g.image for g in glyphs])  # (N, S, S) uint8
        lp, scores = self.glyph_log_probs(images, chars)
        w = glyph_weights(chars, [g.ocr_confidence for g in glyphs], self.calibration)
        if any(g.alt_image is not None for g in glyphs):  # hollow letters: the cut that looks more like letters
            alt = np.stack([g.image if g.alt_image is None else g.alt_image for g in glyphs])
            lp_alt, scores_alt = self.glyph_log_probs(alt, chars)
            if more_like_letters(scores_alt.embedding, scores.embedding, self.model.char_indices(chars), self.prototypes):
                lp, scores = lp_alt, scores_alt
        fam = self.model.labels.fonts
        evidence = [GlyphEvidence(g.char, tuple(int(v) for v in g.box), float(g.ocr_confidence),
                                  fam[int(np.argmax(lp[i]))].family) for i, g in enumerate(glyphs)]
        word_of = [g.word_index for g in glyphs]
        agree = self.agreement(scores.embedding, chars)
        layout, directions = reading_layout(glyphs, words) if words else (glyphs, None)
        groups = region_groups(layout, lp, w, lambda ix: style_estimate(ix, w, scores), directions)
        regions = [self._region(ix, lp, w, scores, evidence, word_of, top, agree) for ix in groups]
        regions = [self._with_typography(r, k, glyphs, rgb, layout, directions, words) for k, r in enumerate(regions)]
        main = main_region(regions)
        rel = reliability([evidence[i].ocr_confidence for i in main.glyphs], agree[main.glyphs])
        notes = evidence_warnings(len(main.glyphs), main.trust, rel)
        return Ranking(fonts=main.fonts, glyphs=evidence, text=text, regions=regions, in_catalog=main.in_catalog,
                       warnings=notes)

    def _with_typography(self, region: Region, k: int, glyphs: Any, rgb: np.ndarray | None,
                         layout: Any, directions: list[int] | None, words: Any = None) -> Region:
        """The region with its typography measured against its best font (typography package),
        in its reading frame: turned text in the picture turned upright (regions.upright_picture),
        or its boxes in the reading frame (``layout``, reading_layout) when there is no picture."""
        from typography import FontChoice, TextGlyph, describe_region

        if not region.fonts:
            return region
        f = region.fonts[0]
        files = self.font_files().files(f.family)
        direction = directions[region.glyphs[0]] if directions else 0
        boxes = [tuple(int(round(v)) for v in layout[i].box) for i in region.glyphs]
        if direction and rgb is not None:
            rgb, boxes = upright_picture(rgb, [glyphs[i].box for i in region.glyphs], direction)
        text = [TextGlyph(glyphs[i].char, tuple(int(v) for v in b), glyphs[i].word_index,
                          glyphs[i].line_index) for i, b in zip(region.glyphs, boxes, strict=True)]
        hollow = 2 * sum(glyphs[i].alt_image is not None for i in region.glyphs) > len(region.glyphs)
        effects = {e for i in region.glyphs for e in words[glyphs[i].word_index].effects} if words else ()
        typo = describe_region(text, FontChoice(f.family, f.name, f.weight, f.italic, f.width), files, rgb,
                               selector=f".region-{k + 1}", hollow=hollow, effects=tuple(sorted(effects)))
        return replace(region, typography=typo)

    def font_files(self) -> FontSource:
        """The catalog's font files (those verification uses; loaded here when it is off)."""
        if self.fonts is None:
            self.fonts = FontSource.from_catalog(self.verify_config.catalog, self.verify_config.cache,
                                                 self.verify_config.fonts_dir, added=self.openset is not None)
        return self.fonts

    def region_scores(self, ix: list[int], lp: np.ndarray, w: np.ndarray, scores: Any,
                      chars: list[str], words: list[int]) -> tuple[np.ndarray, float, Verification | None]:
        """(F,) scores of one region's glyphs, the temperature for them, and the verification."""
        sums = summed_scores(lp[ix], w[ix])
        if self.openset is not None:
            return self.open_scores(ix, sums, w, scores, chars, words)
        if not self.verifies:
            return sums, self.calibration.line_temperature(len(ix), verified=False), None
        ver, sub = self.verification(ix, sums, w, scores, chars, words)
        out = verified_scores(sums, ver.candidates, ver.similarity, w[sub], self.calibration.verify_alpha)
        return out, self.calibration.line_temperature(len(ix), verified=True), ver

    def verification(self, ix: list[int], sums: np.ndarray, w: np.ndarray, scores: Any, chars: list[str],
                     words: list[int], cand: np.ndarray | None = None, early_stop: bool = True,
                     full_styles: int | None = None) -> tuple[Verification, list[int]]:
        """Render-and-compare of the region's top candidates (needs self.fonts), and the
        glyph indices it used (the first words, up to max_glyphs). ``cand``: indices into
        self.universe (default: the top_k of ``sums``)."""
        weight, _, italic = style_estimate(ix, w, scores)
        if cand is None:
            cand = np.argsort(-sums, kind="stable")[: self.verify_config.top_k]
        sub = first_words(ix, words, self.verify_config.max_glyphs)  # long texts: drawing cost capped
        v = self.verify_config
        stop = EarlyStop(sums[cand], self.calibration.verify_alpha, v.stop_margin * self.calibration.line_temperature(
            len(ix), verified=True), v.stop_chunk) if v.stop_margin > 0 and early_stop else None
        ver = verify(self.model, scores.embedding[sub], [chars[i] for i in sub], [words[i] for i in sub],
                     cand, w[sub], self.fonts, weight, italic, v.styles_per_font, stop,
                     family_ids=[f.family for f in self.universe], full_styles=full_styles)
        return ver, sub

    def open_scores(self, ix: list[int], sums: np.ndarray, w: np.ndarray, scores: Any, chars: list[str],
                    words: list[int]) -> tuple[np.ndarray, float, Verification]:
        """(U,) scores over the index's families (pipeline.openset), the temperature, and the
        verification: render-and-compare where files are on disk, else the index's cosines."""
        from fontindex import family_match
        from fontindex.scoring import fill_missing

        op, v = self.openset, self.verify_config
        base = op.base_scores(sums)  # (U,)
        sub = first_words(ix, words, v.max_glyphs)
        sim = op.glyph_similarity(scores.embedding[sub], [chars[i] for i in sub])  # (S, N)
        match = family_match(op.index, sim, w[sub])
        cand = op.candidates(base, match.totals, v.top_k, v.index_top_k)
        short = shortlist(base, cand, match.similarity[cand], w[sub], self.calibration.index_alpha, v.shortlist)
        drawn = self.verifies and all(self.fonts.files(self.universe[int(k)].family) for k in short)
        cal = self.calibration
        if drawn:  # the index's best few, drawn and compared: one kind of similarity for all of them
            ver, _ = self.verification(ix, base, w, scores, chars, words, short, early_stop=False,
                                       full_styles=v.shortlist_full)
            ends = op.index.at_end(AXIS_ENDS)[match.style[short]]  # (K,) matched best at a width/optical-size end
            ver = self.axis_pass(ver, ix, w, scores, chars, words, short, sub, ends)
            alpha, similarity = cal.verify_alpha, ver.similarity
            if cal.verify_index_alpha > 0:  # and the index's cosines of the same glyphs beside them
                index_sim = fill_missing(match.similarity[np.asarray(ver.candidates, np.int64)])  # (K, N)
                similarity = similarity + (cal.verify_index_alpha / alpha) * index_sim
        else:
            ver = Verification(cand, match.similarity[cand], tuple(None for _ in cand))
            alpha, similarity = cal.index_alpha, ver.similarity
        ver = replace(ver, index_similarity=match.similarity[ver.candidates], index_best=per_glyph_best(sim),
                      index_top=index_top(match.totals, w[sub]),
                      index_widths=op.index.style_widths()[match.style[ver.candidates]])
        out = verified_scores(base, ver.candidates, similarity, w[sub], alpha)
        t = self.calibration.line_temperature(len(ix), verified=drawn, index=not drawn)
        if v.trained_prior:  # log-odds, so scaled by the temperature the scores are divided by
            out = out + t * v.trained_prior * op.favoured
        return out, t, ver

    def axis_pass(self, ver: Verification, ix: list[int], w: np.ndarray, scores: Any, chars: list[str],
                  words: list[int], short: np.ndarray, sub: list[int], ends: np.ndarray) -> Verification:
        """``ver`` with the best few drawn candidates (``short`` (K,), best first) whose glyphs the
        font index matched best at an end of their width or optical-size axis (``ends`` (K,) bool)
        drawn at those ends too (VerifyConfig.axis_top, axis_gate): a variable family's condensed,
        expanded or display cut looks like another family at its default instance. Only the ends
        are drawn (a candidate not drawn yet competes with its best end; drawing its default
        weights too cost the clean split 15 % CPU)."""
        v = self.verify_config
        if v.axis_top <= 0 or not ends.any() or best_mean_similarity(ver, w[sub]) >= v.axis_gate:
            return ver
        ids = [f.family for f in self.universe]
        pick = [int(k) for k, e in zip(short, ends, strict=True)
                if e and has_axis_ends(self.fonts.files(ids[int(k)]))][: v.axis_top]
        if not pick:
            return ver
        weight, _, italic = style_estimate(ix, w, scores)
        more = verify(self.model, scores.embedding[sub], [chars[i] for i in sub], [words[i] for i in sub],
                      np.array(pick, np.int64), w[sub], self.fonts, weight, italic, v.styles_per_font,
                      family_ids=ids, axis_ends=True, ends_only=True)
        return merge_verifications(ver, more, w[sub])

    def _region(self, ix: list[int], lp: np.ndarray, w: np.ndarray, scores: Any,
                evidence: list[GlyphEvidence], words: list[int], top: int, agree: np.ndarray) -> Region:
        chars = [e.char for e in evidence]
        sums, temperature, ver = self.region_scores(ix, lp, w, scores, chars, words)
        rel = reliability([evidence[i].ocr_confidence for i in ix], agree[ix])
        raw = to_probabilities(sums, temperature)
        probs = flatten(raw, evidence_weight(rel))
        raw_weight, raw_width, italic = style_estimate(ix, w, scores)
        weight = int(np.clip(round(raw_weight / 100) * 100, 100, 900))
        width = int(round(raw_width / 5) * 5)
        matched = {int(c): s for c, s in zip(ver.candidates, ver.styles, strict=True) if s} if ver else {}
        widths = matched_widths(ver)
        # weak evidence flattens the scores, not the order: fully flattened (all 1/F), the evidence
        # still ranks (before, ties fell back to catalog order: roboto, inter, open-sans)
        order = np.lexsort((-raw, -probs))[:top]
        fam = self.universe
        if len(order) and int(order[0]) in matched and self.verify_config.weight_steps > 0:
            sub = first_words(ix, words, self.verify_config.max_glyphs)
            matched[int(order[0])] = refined_weight(
                self.model, scores.embedding[sub], [chars[i] for i in sub], [words[i] for i in sub], w[sub],
                self.fonts, [f.family for f in fam], int(order[0]), matched[int(order[0])],
                self.verify_config.weight_steps)
        fonts = []
        for k in order:
            s = matched.get(int(k))
            fonts.append(FontScore(fam[k].family, fam[k].name, round(float(probs[k]), 4),
                                   s.weight if s else weight, widths.get(int(k), width), s.italic if s else italic,
                                   self.similar_families(fam[k].family, widths.get(int(k), 100))))
        boxes = np.array([evidence[i].box for i in ix])
        box = (int(boxes[:, 0].min()), int(boxes[:, 1].min()), int(boxes[:, 2].max()), int(boxes[:, 3].max()))
        return Region(box=box, fonts=fonts, glyphs=list(ix), in_catalog=self.known_probability(ver, sums, temperature, ix, w, evidence),
                      trust=round(region_trust(rel, len(ix)), 4))

    def similar_families(self, family_id: str, width: int = 100) -> tuple[SimilarFamily, ...]:
        """The closest free families of one (empty without the font index); of its cut at ``width``
        (percent) when it was matched at a width end: a condensed cut's look-alikes are condensed."""
        if self.openset is None or self.verify_config.similar_top <= 0:
            return ()
        from fontindex import neighbours

        near = neighbours(self.openset.index).similar_at_width(family_id, width, self.verify_config.similar_top,
                                                               free_only=True, other_designs=True)
        return tuple(SimilarFamily(n.family, n.name, n.similarity, n.free) for n in near)

    def known_probability(self, ver: Verification | None, sums: np.ndarray, temperature: float, ix: list[int],
                          w: np.ndarray, evidence: list[GlyphEvidence]) -> float | None:
        """Calibrated probability that the region's font is one the index knows (None without
        the index or its calibration)."""
        drawn = any(s is not None for s in ver.styles) if ver is not None else False
        coef = self.calibration.in_catalog if drawn else self.calibration.in_catalog_index
        if self.openset is None or ver is None or not coef:
            return None
        sub = ix[: ver.similarity.shape[1]]  # open_scores verified the region's first glyphs
        feats = in_catalog_features(ver.similarity, w[sub], sums[ver.candidates], temperature,
                                    np.array([evidence[i].ocr_confidence for i in sub]), ver.index_similarity,
                                    ver.index_best, ver.index_top)
        return round(float(in_catalog_probability(feats, list(coef))), 4)


def style_estimate(ix: list[int], w: np.ndarray, scores: Any) -> tuple[float, float, bool]:
    """Vote-weighted (weight, width, italic) of the glyphs ``ix`` from the classifier's heads."""
    ww = w[ix] / w[ix].sum()
    return (float(ww @ scores.weight[ix]), float(ww @ scores.width[ix]),
            bool(float(ww @ scores.italic_prob[ix]) > 0.5))


def first_words(ix: list[int], words: list[int], limit: int) -> list[int]:
    """The glyphs of ``ix`` up to ``limit``, cut at a word boundary (at least one word)."""
    if len(ix) <= limit:
        return ix
    out: list[int] = []
    for k, i in enumerate(ix):
        if len(out) >= limit and words[i] != words[ix[k - 1]]:
            break
        out.append(i)
    return out


MAIN_MIN_GLYPHS = 3  # regions with fewer glyphs are the main answer only when nothing else is
SIZE_TIE = 0.9  # type sizes within 10 % of the largest count as equally large


def main_region(regions: list[Region]) -> Region:
    """The most prominent region, which ``Ranking.fonts`` describes: the largest type size
    (typography.size_px), sizes within 10 % tied and the tie going to the most evidence
    (glyphs); regions of under MAIN_MIN_GLYPHS glyphs only when no region has more, and
    regions whose reading cannot be trusted (Region.trust < TRUSTWORTHY) only when no
    trustworthy region exists."""
    pool = [r for r in regions if r.trust >= TRUSTWORTHY] or regions
    pool = [r for r in pool if len(r.glyphs) >= MAIN_MIN_GLYPHS] or pool

    def size(r: Region) -> float:
        return float(r.typography.size_px or 0.0) if r.typography else 0.0

    largest = max(size(r) for r in pool)
    tied = [r for r in pool if size(r) >= SIZE_TIE * largest]
    return max(tied, key=lambda r: len(r.glyphs))


def _preload_ocr(config: Any) -> None:
    """Load the ONNX OCR networks now, before the glyph model and the font index: the first
    image is then identified as soon as everything is loaded, and a cold identify's peak RSS
    is the OCR's load peak or the index's, not both (bench/results/light.md). Missing networks
    are reported by the first ``rank``, as before."""
    from segmentation import OcrUnavailableError, load_ocr

    if config.engine == "onnx":
        try:
            load_ocr(config)
        except OcrUnavailableError:
            pass


def _load_openset(model_dir: Path, labels: Any, catalog: str | Path = "default"):
    """The model's font index lined up with its labels (pipeline.openset), or None without one;
    restricted to ``catalog``'s families (and the fonts added with `fonts add`) when the index
    holds more, e.g. --catalog top300 over the full catalog's index."""
    from fontindex import active_index
    from pipeline.openset import OpenSet

    index = active_index(model_dir)
    return None if index is None else OpenSet.for_catalog(index, labels, catalog)


def _universe(labels: Any, openset: Any) -> list[Any]:
    """The families a ranking runs over: the index's (catalog + added) or the model's labels."""
    from glyphs.labels import FontLabel

    if openset is None:
        return list(labels.fonts)
    return [FontLabel(f.id, f.name) for f in openset.index.families]


@lru_cache(maxsize=4)
def get_identifier(model_dir: str = str(DEFAULT_MODEL)) -> Identifier:
    """One Identifier per model directory per process."""
    return Identifier(model_dir)


def rank(image: Any, *, top: int = 5, model: str | Path | Identifier | None = None) -> Ranking:
    """Rank the catalog's fonts for the text in ``image`` (see shared/DESIGN.md)."""
    ident = model if isinstance(model, Identifier) else get_identifier(str(model or DEFAULT_MODEL))
    return ident.rank(image, top=top)
