"""Config dataclasses of the pipeline commands (defaults live here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VerifyConfig:
    """Render-and-compare (pipeline.verify) settings."""

    enabled: bool = True  # used when the model is calibrated for it and font files are on disk
    top_k: int = 30  # classifier candidates drawn and compared
    styles_per_font: int = 3  # catalog weights tried per candidate (nearest the estimate)
    max_glyphs: int = 60  # glyphs drawn per region: the first words up to this many (speed on long texts)
    # Early stop: candidates are drawn stop_chunk at a time (classifier order); drawing ends when the
    # next one, even given the best similarity bonus seen, trails the leader by stop_margin verified
    # ranking temperatures (0 = draw all top_k). bench/results/light.md measures the effect.
    stop_margin: float = 2.0
    stop_chunk: int = 5
    use_index: bool = True  # rank over the font index's families (catalog + added) when the model has one
    index_top_k: int = 20  # candidates the index adds beyond the classifier's top_k
    similar_top: int = 3  # closest free families listed per ranked font (0 = none)
    # With the index and font files: the index's best few drawn by render-and-compare. 20 (with index_top_k 20)
    # instead of 10: the true family was among the drawn 88 % of the time on beyond-300 pictures
    # (bench/results/fusion.md, 832 pictures; top-5 of beyond-300 photos +3 points).
    shortlist: int = 20
    # ... of which the first shortlist_full are drawn at styles_per_font weights and the rest at the nearest
    # weight only: drawing all 20 at 3 weights cost 1.39x the CPU of 10 (a picture whose words were never drawn)
    shortlist_full: int = 10
    # Prior log-odds of the 300 most used families (glyphs/catalog-300.txt; the shipped glyph model's
    # classes) and the fonts you added over the catalog's other families: a picture is likelier set in a popular font, and near-identical Latin
    # designs (Lobster / Pattaya / Galada) then go to the popular one. Swept with the similarity weights
    # (Calibration.verify_alpha, verify_index_alpha, index_alpha) on 832 benchmark pictures
    # (bench/results/fusion.md): 1.0 with the heavier weights keeps the 300's pictures at the 300-family
    # model's top-1 while the other families gain.
    trained_prior: float = 1.0
    # Variable families at the ends of their axes (issue 11): the axis_top best candidates whose glyphs the
    # font index matched best at an end of a width or optical-size axis (fontindex.build.end_styles) are
    # also drawn at those ends (pipeline.verify.axis_styles), when the best drawing explains the glyphs
    # under axis_gate (best weighted mean cosine; 1.0 = always: the cosine did not tell axis-extreme
    # pictures apart). 0 = off. bench/results/axis.md measures it.
    axis_top: int = 1
    axis_gate: float = 1.0
    # The top font's reported weight climbs to a neighbouring catalog weight while its drawing explains
    # the glyphs better, at most this many steps (pipeline.weight; 0 = the best of the weights drawn)
    weight_steps: int = 4
    catalog: str = "default"
    cache: str | None = None  # font cache (None: glyphs.catalog.default_cache_dir())
    fonts_dir: str | None = None  # extra folder of font files


@dataclass(frozen=True)
class IdentifyConfig:
    images: tuple[str, ...] = ()
    top: int = 5
    json: bool = False
    model: str | None = None  # None -> models/default in the repository
    explain: str | None = None  # OUT.png (several images: OUT-1.png, OUT-2.png, ...)
    backend: str = "easyocr"  # easyocr | tesseract
    verify: bool = True  # re-rank by drawing the read words in the candidate fonts (needs fonts fetch)
    fonts_dir: str | None = None  # font cache holding the catalog's files (None: the fetch cache)
    engine: str = "auto"  # onnx | torch | auto (onnx when exported by `export --ocr`, else torch)
    css: bool = False  # also print each region's CSS (fonts to install, @import, one rule per region)
    catalog: str = "default"  # families ranked: default = all (every Latin Google Fonts family), top300, or a file

