"""freefontfinder command line: which free font is this text set in?

Only this file parses flags. Each command builds its package's config
dataclass (defaults live there, in one place) and calls one function.
Heavy modules (torch, easyocr) are imported inside the commands, never here.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _config(cls: type, args: argparse.Namespace, **extra: Any) -> Any:
    """Config dataclass from its defaults, overridden by the flags the user gave."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)
             if getattr(args, f.name, None) is not None}
    return cls(**{**given, **extra})


def _positive_int(text: str) -> int:
    """argparse type: an integer of at least 1 (a usage error, exit 2, otherwise)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _add(p: argparse.ArgumentParser, flag: str, cls: type, help: str, **kw: Any) -> None:
    """A flag whose default is shown from the config dataclass (argparse default None)."""
    name = flag.lstrip("-").replace("-", "_")
    default = {f.name: f.default for f in dataclasses.fields(cls)}.get(name)
    shown = "" if default is None else f" (default: {'all' if default == 'default' else default})"  # None: see help
    p.add_argument(flag, dest=name, default=None, help=help + shown, **kw)


# --------------------------------------------------------------------------- fonts
def cmd_fonts_fetch(args: argparse.Namespace) -> int:
    from glyphs.config import FetchConfig
    from glyphs.fetch import fetch_fonts

    return fetch_fonts(_config(FetchConfig, args))


def cmd_fonts_list(args: argparse.Namespace) -> int:
    from fontindex.registry import added_families
    from glyphs.config import FetchConfig
    from glyphs.fetch import list_fonts

    return list_fonts(_config(FetchConfig, args), added=added_families())


def cmd_fonts_add(args: argparse.Namespace) -> int:
    from fontindex.commands import fonts_add
    from fontindex.config import FontsAddConfig

    return fonts_add(_config(FontsAddConfig, args, targets=tuple(args.targets)))


def cmd_fonts_remove(args: argparse.Namespace) -> int:
    from fontindex.commands import fonts_remove
    from fontindex.config import FontsAddConfig

    return fonts_remove(FontsAddConfig(targets=tuple(args.targets)))


def _fonts_add_parsers(fsub: Any) -> None:
    from fontindex.config import FontsAddConfig

    desc = ("Add fonts beyond the catalog without retraining: each family is drawn and embedded into the "
            "font index, and from then on identify, similar and the web page know it. TARGET is a "
            "fontsource family id (fetched with npm, like `fonts fetch`) or a folder of TTF/OTF/WOFF/WOFF2/TTC "
            "files (family ids from their name tables). A bad font file, a font without A-Z a-z, or an id "
            "already known gets one message and changes nothing.")
    p = fsub.add_parser("add", help="add fontsource families or a folder of your fonts to the index",
                        description=desc)
    p.add_argument("targets", nargs="+", metavar="ID|DIR")
    _add(p, "--cache", FontsAddConfig, "font cache for fetched families")
    _add(p, "--model", FontsAddConfig, "model directory whose index gets the fonts (None = models/default)")
    _add(p, "--variants", FontsAddConfig, "drawings of each style averaged", type=int)
    _add(p, "--workers", FontsAddConfig, "processes drawing glyphs (0 = all cores)", type=int)
    p.set_defaults(func=cmd_fonts_add)
    p = fsub.add_parser("remove", help="undo `fonts add` for these family ids",
                        description="Remove added families from the index (and their copied files).")
    p.add_argument("targets", nargs="+", metavar="ID")
    p.set_defaults(func=cmd_fonts_remove)


def _fonts_parsers(sub: Any) -> None:
    from glyphs.config import FetchConfig

    fonts = sub.add_parser("fonts", help="fetch and list the catalog's font files; add or remove your own fonts")
    fsub = fonts.add_subparsers(dest="fonts_cmd", required=True)
    for name, fn, help in (
        ("fetch", cmd_fonts_fetch, "download the catalog's font files with npm (resumable)"),
        ("list", cmd_fonts_list, "show families, weights, italics, axes and whether files are present"),
    ):
        p = fsub.add_parser(name, help=help, description=help)
        _add(p, "--catalog", FetchConfig, "catalog file, or a name: 'all' (= 'default', every Latin Google "
             "Fonts family) or 'top300' (the 300 most used: the glyph model's classes)")
        _add(p, "--cache", FetchConfig, "font cache directory (env FREEFONTFINDER_FONTS)")
        _add(p, "--fonts-dir", FetchConfig, "a folder of your own TTF/OTF/WOFF/WOFF2/TTC files to add")
        p.set_defaults(func=fn)
    fsub.choices["fetch"].add_argument("--batch", dest="batch", type=int, default=None,
                                       help="packages per npm call (default: 30)")
    fsub.choices["fetch"].add_argument("--jobs", dest="jobs", type=int, default=None,
                                       help="npm calls at once (default: 4)")
    from cli_catalog import add_catalog_parser

    add_catalog_parser(fsub, _add, _config)
    _fonts_add_parsers(fsub)


# --------------------------------------------------------------------------- glyphs
def cmd_glyphs_generate(args: argparse.Namespace) -> int:
    from glyphs.config import GenerateConfig
    from glyphs.generate import generate

    return generate(_config(GenerateConfig, args))


def _glyphs_parsers(sub: Any) -> None:
    from glyphs.config import GenerateConfig

    g = sub.add_parser("glyphs", help="render glyph datasets straight from font files")
    gsub = g.add_subparsers(dest="glyphs_cmd", required=True)
    desc = ("Render every catalog family's glyphs (words cut into characters) at its weights, "
            "widths and italics, with augmentations, into .npy shards + labels.json + preview.png. "
            "Deterministic: the same command gives byte-identical output.")
    p = gsub.add_parser("generate", help="write a sharded glyph dataset", description=desc)
    _add(p, "--out", GenerateConfig, "output directory", required=True)
    _add(p, "--catalog", GenerateConfig, "catalog file or 'default'")
    _add(p, "--cache", GenerateConfig, "font cache directory")
    _add(p, "--fonts-dir", GenerateConfig, "extra folder of your own fonts")
    _add(p, "--variants", GenerateConfig, "renderings of each character per family", type=int)
    _add(p, "--size", GenerateConfig, "glyph image size in pixels", type=int)
    _add(p, "--shard", GenerateConfig, "write only shard i of n, as 'i/n' (0-based)")
    _add(p, "--num-shards", GenerateConfig, "shards of a whole run", type=int)
    _add(p, "--seed", GenerateConfig, "random seed", type=int)
    _add(p, "--workers", GenerateConfig, "processes (0 = all cores)", type=int)
    _add(p, "--augment", GenerateConfig, "augmentation preset: none, default, heavy, heldout")
    p.set_defaults(func=cmd_glyphs_generate)


# --------------------------------------------------------------------------- identify
def cmd_identify(args: argparse.Namespace) -> int:
    from pipeline.config import IdentifyConfig
    from pipeline.identify import identify

    return identify(_config(IdentifyConfig, args, images=tuple(args.images)))


def _identify_parsers(sub: Any) -> None:
    from pipeline.config import IdentifyConfig

    desc = ("Tell which catalog fonts the text in each image is set in. Every character the OCR "
            "finds is scored by the glyph model and the scores are summed; when the catalog's font "
            "files are on disk (`fonts fetch`), the best candidates are re-scored by drawing the "
            "words read in each of them and comparing glyph by glyph. Score: the calibrated probability "
            "that the text is set in that family (over every family ranked, so it sums to 1; near-identical "
            "families share it, and 0.000 means under 0.0005, not impossible). With --json: one JSON "
            "object per image on stdout (JSON Lines), in input order. Exit status 0 when every "
            "image was read, 1 when any could not be, 2 for wrong usage.")
    p = sub.add_parser("identify", help="which font is this text set in?", description=desc)
    p.add_argument("images", nargs="+", metavar="IMAGE", help="JPEG, PNG, WebP, BMP, TIFF or GIF files")
    _add(p, "--top", IdentifyConfig, "how many fonts to list", type=_positive_int)
    p.add_argument("--json", dest="json", action="store_true", default=None,
                   help="JSON Lines on stdout, one object per image")
    p.add_argument("--css", dest="css", action="store_true", default=None,
                   help="also print CSS reproducing each text region (font-family with fallbacks, weight, "
                        "style, size, letter-spacing, line-height, colour) and the free font to load "
                        "(fontsource npm package, @import); with --json the same fields are in each region")
    _add(p, "--model", IdentifyConfig, "model directory (None = the shipped models/default)")
    _add(p, "--explain", IdentifyConfig, "write an explanation picture to this PNG")
    _add(p, "--backend", IdentifyConfig, "OCR backend", choices=["easyocr", "tesseract"])
    _add(p, "--engine", IdentifyConfig, "run the networks on onnx (ONNX Runtime, no torch) or torch; auto = "
         "onnx when exported (`python cli.py export --ocr`), else torch (the same float networks); torch-int8 = "
         "EasyOCR's default int8 recogniser, for comparison", choices=["auto", "onnx", "torch", "torch-int8"])
    _add(p, "--fonts-dir", IdentifyConfig, "font cache to draw candidates from (None = the fetch cache)")
    _add(p, "--catalog", IdentifyConfig, "families to rank: 'default' = 'all' (every Latin Google Fonts family: "
         "1,540 that can be drawn, of 1,542 listed), 'top300' (the 300 most used: the glyph model's classes), or a "
         "catalog file; fonts added with `fonts add` are always ranked")
    p.add_argument("--no-verify", dest="verify", action="store_false", default=None,
                   help="rank by the glyph model alone: no render-and-compare")
    p.set_defaults(func=cmd_identify)


# --------------------------------------------------------------------------- classifier
def _classifier_errors() -> tuple[type[Exception], ...]:
    from classifier.data import DataError
    from classifier.evaluate import EvalError
    from classifier.export import ExportError
    from classifier.model import ArchError
    from classifier.store import ModelError
    from classifier.sweep import SweepError
    from classifier.train import TrainError
    from glyphs.labels import LabelMapError
    from segmentation.easyocr_backend import OcrUnavailableError
    from segmentation.ocr_export import OcrExportError

    return (DataError, EvalError, ExportError, ArchError, ModelError, SweepError, TrainError, LabelMapError,
            OcrUnavailableError, OcrExportError)


def _run_classifier(fn: Callable[[Any], int], cfg: Any) -> int:
    """Run a classifier command; a known failure is one clear line on stderr and exit 1."""
    try:
        return int(fn(cfg) or 0)
    except _classifier_errors() as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_FAILED


def cmd_train(args: argparse.Namespace) -> int:
    from classifier.config import TrainConfig
    from classifier.train import train

    return _run_classifier(train, _config(TrainConfig, args))


def cmd_evaluate(args: argparse.Namespace) -> int:
    from classifier.config import EvalConfig
    from classifier.evaluate import evaluate

    return _run_classifier(evaluate, _config(EvalConfig, args))


def cmd_export(args: argparse.Namespace) -> int:
    import importlib.util

    from classifier.config import ExportConfig

    if not all(importlib.util.find_spec(m) for m in ("torch", "onnx")):
        print("error: exporting needs torch and onnx, which the base install leaves out: "
              "pip install -e '.[train]'", file=sys.stderr)
        return EXIT_FAILED
    from classifier.export import export

    return _run_classifier(export, _config(ExportConfig, args))


def cmd_sweep(args: argparse.Namespace) -> int:
    from classifier.config import SweepConfig
    from classifier.sweep import sweep

    return _run_classifier(sweep, _config(SweepConfig, args))


def _train_parser(sub: Any) -> None:
    from classifier.config import TrainConfig as T

    desc = ("Train the glyph classifier on a glyph dataset (CPU, one GPU, or several with torchrun). "
            "OUT gets the best epoch's model (model.safetensors, labels.json, config.json), "
            "metrics.jsonl, curves.png, predictions_epochNN.png and a resumable checkpoint/.")
    p = sub.add_parser("train", help="train the glyph classifier", description=desc)
    _add(p, "--data", T, "glyph dataset directory", required=True)
    _add(p, "--out", T, "model directory to write", required=True)
    _add(p, "--arch", T, "architecture (classifier.model.ARCHS)")
    _add(p, "--arch-overrides", T, "JSON object of model settings, e.g. '{\"widths\": [16, 32, 64]}'")
    _add(p, "--size", T, "glyph size; must match the dataset's", type=int)
    _add(p, "--scoring", T, "where scores come from: head, prototype (class-average embeddings), both, "
         "or auto (the best on validation)")
    _add(p, "--init-from", T, "start from this model directory's weights (fine-tuning: same labels, "
         "architecture and --seed)")
    for flag, typ, help in (
        ("--epochs", int, "epochs at most"), ("--time-budget-min", float, "stop after this many minutes "
         "(the LR schedule follows wall time)"), ("--batch-size", int, "glyphs per step per process"),
        ("--lr", float, "peak learning rate"), ("--weight-decay", float, "AdamW weight decay"),
        ("--warmup-steps", int, "linear warmup steps"), ("--label-smoothing", float, "label smoothing"),
        ("--grad-clip", float, "gradient norm clip"), ("--char-dropout", float, "share of glyphs "
         "trained as unknown character"), ("--shift", int, "random translation in pixels"),
        ("--val-fraction", float, "share of variants held out"), ("--val-max", int, "validation glyphs "
         "per epoch"), ("--max-steps", int, "stop after this many steps (0 = no limit)"),
        ("--seed", int, "random seed"), ("--threads", int, "CPU threads (0 = all cores)"),
    ):
        _add(p, flag, T, help, type=typ)
    for flag, help in (("--amp", "mixed precision on GPU"), ("--resume", "continue from OUT/checkpoint"),
                       ("--wandb", "log to Weights & Biases if installed (WANDB_MODE, default offline)"),
                       ("--progress", "progress bar")):
        _add(p, flag, T, help, action=argparse.BooleanOptionalAction)
    p.set_defaults(func=cmd_train)


def _classifier_parsers(sub: Any) -> None:
    from classifier.config import EvalConfig, ExportConfig, SweepConfig

    _train_parser(sub)
    p = sub.add_parser("evaluate", help="top-1/top-5/weight MAE of a model on a glyph dataset",
                       description="Score a model on a glyph dataset; print and write JSON + markdown.")
    _add(p, "--model", EvalConfig, "model directory", required=True)
    _add(p, "--data", EvalConfig, "glyph dataset directory", required=True)
    _add(p, "--split", EvalConfig, "all, or val/train: the training run's held-out variants or the rest")
    _add(p, "--max-samples", EvalConfig, "glyphs at most (0 = all)", type=int)
    _add(p, "--batch-size", EvalConfig, "batch size", type=int)
    _add(p, "--out", EvalConfig, "results folder ('' = write nothing)")
    _add(p, "--name", EvalConfig, "results file suffix")
    _add(p, "--threads", EvalConfig, "CPU threads (0 = all cores)", type=int)
    _add(p, "--prototypes", EvalConfig, "also score by class-average embeddings",
         action=argparse.BooleanOptionalAction)
    _add(p, "--save-prototypes", EvalConfig, "head, prototype, both or auto: with --split val, write the "
         "class-average embeddings and that scoring mode into the model directory")
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("export", help="export the networks to ONNX (identify without torch)",
                       description="Write MODEL_DIR/model.onnx and check onnxruntime gives the torch "
                       "outputs (max abs difference <= 1e-4). With --ocr, also write EasyOCR's detector "
                       "and recogniser (from the MD5-checked weights) into models/ocr/; the glyph model "
                       "is then exported only if its model.onnx is missing or stale. Needs the .[train] extra.")
    p.add_argument("model", metavar="MODEL_DIR", nargs="?", default=None,
                   help="model directory (default: models/default)")
    p.add_argument("--onnx", dest="onnx", action="store_true", default=None, help="export to ONNX")
    p.add_argument("--ocr", dest="ocr", action="store_true", default=None,
                   help="also export EasyOCR's CRAFT detector and english_g2 recogniser")
    _add(p, "--ocr-out", ExportConfig, "folder for the OCR networks ('' = models/ocr)")
    _add(p, "--out", ExportConfig, "ONNX file ('' = MODEL_DIR/model.onnx)")
    _add(p, "--opset", ExportConfig, "ONNX opset", type=int)
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("sweep", help="short training runs over a grid of architectures",
                       description="Train short runs over the grid in CONFIG (JSON) and write a table and plot.")
    p.add_argument("config", metavar="CONFIG", help="sweep JSON file")
    _add(p, "--out", SweepConfig, "results prefix")
    _add(p, "--runs", SweepConfig, "folder for the runs' model directories")
    _add(p, "--threads", SweepConfig, "CPU threads (0 = all cores)", type=int)
    p.set_defaults(func=cmd_sweep)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from pipeline.calibrate import CalibrateConfig, calibrate

    return calibrate(_config(CalibrateConfig, args))


def cmd_serve(args: argparse.Namespace) -> int:
    from webapp.config import ServeConfig
    from webapp.server import serve

    return serve(_config(ServeConfig, args))


def _pipeline_parsers(sub: Any) -> None:
    from pipeline.calibrate import CalibrateConfig

    desc = ("Choose plain vs weighted glyph sums and fit the ranking temperature on validation "
            "glyphs; writes MODEL/calibration.json and bench/results/calibration.md.")
    p = sub.add_parser("calibrate", help="calibrate ranking scores of a model", description=desc)
    _add(p, "--model", CalibrateConfig, "model directory")
    _add(p, "--data", CalibrateConfig, "validation glyph dataset (rendered with another seed)")
    _add(p, "--max-glyphs", CalibrateConfig, "glyphs to score", type=int)
    _add(p, "--lines", CalibrateConfig, "rendered lines through OCR for the line temperature (0 = skip)", type=int)
    p.add_argument("--openset", dest="openset", action="store_true", default=None,
                   help="only refit the font index's scale and the in_catalog model (needs the index and fonts)")
    _add(p, "--records", CalibrateConfig, "--openset: cache of the lines' records (reused when present; '' = none)")
    p.add_argument("--in-catalog-only", dest="in_catalog_only", action="store_true", default=None,
                   help="--openset: refit only the in_catalog model, keep the index's alpha and temperature")
    _add(p, "--catalog", CalibrateConfig, "--openset: catalog whose families the lines are drawn in")
    p.set_defaults(func=cmd_calibrate)


def _serve_parser(sub: Any) -> None:
    from webapp.config import ServeConfig as S  # noqa: N817

    desc = ("Serve the web page and JSON API: drop, pick or paste a picture and see each candidate "
            "font written in itself, every character box the OCR found, and look-alikes. Each worker "
            "process loads the model, OCR and fonts once; identification runs one at a time per worker "
            "with a bounded queue (full: 503 + Retry-After). POST /api/identify returns the "
            "`identify --json` object; GET /healthz, GET /api/fonts. See deploy/ for systemd + nginx.")
    p = sub.add_parser("serve", help="serve the web page and JSON API", description=desc)
    _add(p, "--host", S, "address to listen on (0.0.0.0 for every interface)")
    _add(p, "--port", S, "port", type=int)
    _add(p, "--workers", S, "worker processes (each holds its own model: ~RSS in deploy/README.md)", type=int)
    _add(p, "--queue", S, "uploads allowed to wait per worker; more get 503", type=int)
    _add(p, "--torch-threads", S, "torch threads per worker, torch engine only (0 = cores // workers)", type=int)
    _add(p, "--engine", S, "networks on onnx (ONNX Runtime, no torch) or torch; auto = onnx when exported",
         choices=["auto", "onnx", "torch"])
    _add(p, "--model", S, "model directory (None = the shipped models/default)")
    _add(p, "--top", S, "fonts listed per result", type=_positive_int)
    _add(p, "--fonts-dir", S, "font cache to draw and serve fonts from (None = the fetch cache)")
    _add(p, "--max-upload-mb", S, "upload size limit in MB", type=float)
    _add(p, "--max-pixels", S, "image pixel limit, checked before decoding", type=int)
    _add(p, "--save-uploads", S, "keep every upload here under its SHA-256 name, with its predictions")
    p.add_argument("--no-verify", dest="verify", action="store_false", default=None,
                   help="rank by the glyph model alone: no render-and-compare")
    p.set_defaults(func=cmd_serve)


# --------------------------------------------------------------------------- main
PARSER_BUILDERS: list[Callable[[Any], None]] = [_fonts_parsers, _glyphs_parsers, _identify_parsers, _pipeline_parsers]
PARSER_BUILDERS.append(_classifier_parsers)
PARSER_BUILDERS.append(_serve_parser)


# --------------------------------------------------------------------------- benchmark
def cmd_benchmark(args: argparse.Namespace) -> int:
    from bench.config import BenchmarkConfig, DeepFontConfig, TestsetConfig
    from bench.run import main as benchmark_main

    return benchmark_main(_config(BenchmarkConfig, args), _config(TestsetConfig, args),
                          _config(DeepFontConfig, args), make=bool(args.make_testsets),
                          train_baseline=bool(args.train_baseline))


def _benchmark_parsers(sub: Any) -> None:
    from bench.config import BenchmarkConfig as B  # noqa: N817
    from bench.config import DeepFontConfig as D  # noqa: N817
    from bench.config import TestsetConfig as T  # noqa: N817

    desc = ("Benchmark our pipeline against the DeepFont-style baseline on held-out test sets "
            "(clean, screenshot, photo, scene, weights, short): top-1/top-5, weight/width MAE, "
            "timing and memory, plots, into --results. --make-testsets draws the test sets and "
            "--train-baseline trains the baseline; either one stops after preparing.")
    p = sub.add_parser("benchmark", help="benchmark the pipeline and the baseline", description=desc)
    p.add_argument("--make-testsets", action="store_true", help="draw the test sets into --testsets")
    p.add_argument("--train-baseline", action="store_true", help="train the baseline into --baseline")
    _add(p, "--split", B, "comma-separated splits")
    _add(p, "--limit", B, "at most N samples per split, round-robin over families (0 = all)", type=int)
    _add(p, "--families", B, "only the first N catalog families (0 = all)", type=int)
    _add(p, "--per-family", B, "at most N samples per family per split (when drawing: how many; "
         "default there 4)", type=int)
    _add(p, "--model", B, "our model directory (None: the pipeline default)")
    _add(p, "--baseline", B, "baseline model directory to benchmark, or to write with --train-baseline (there: runs/deepfont)")
    _add(p, "--systems", B, "systems to run: ours, baseline")
    _add(p, "--results", B, "where benchmark.md, benchmark.json and the plots go")
    _add(p, "--testsets", B, "test-set root")
    _add(p, "--catalog", B, "catalog file or 'default'")
    _add(p, "--cache", B, "font cache directory")
    _add(p, "--confusions", B, "confused pairs drawn", type=int)
    _add(p, "--seed", T, "random seed of --make-testsets and --train-baseline", type=int)
    _add(p, "--workers", T, "processes drawing test sets (0 = all cores)", type=int)
    for flag, typ, help in (
        ("--minutes", float, "baseline training budget in minutes"),
        ("--epochs", int, "baseline: stop after N passes over its lines (0 = time only)"),
        ("--lines-per-font", int, "baseline: rendered training lines per family"),
        ("--val-lines", int, "baseline: held-out lines per family"),
        ("--batch", int, "baseline: patches per step"), ("--lr", float, "baseline: peak learning rate"),
        ("--threads", int, "baseline: torch CPU threads (0 = default)"),
    ):
        _add(p, flag, D, help, type=typ)
    p.set_defaults(func=cmd_benchmark)


PARSER_BUILDERS.append(_benchmark_parsers)


# --------------------------------------------------------------------------- segment
def cmd_segment(args: argparse.Namespace) -> int:
    from segmentation.command import run_segment
    from segmentation.config import SegmentConfig

    return run_segment(args.images, _config(SegmentConfig, args), args.json, args.overlay)


def _segment_parsers(sub: Any) -> None:
    from segmentation.config import SegmentConfig

    desc = ("Read the text in each image and cut it into characters: prints what was read and "
            "every character box (input-image pixels). Bad images get an error, the rest still run.")
    p = sub.add_parser("segment", help="show the OCR text and character boxes of images", description=desc)
    p.add_argument("images", nargs="+", metavar="IMAGE", help="JPEG, PNG, WebP, BMP, TIFF or GIF")
    p.add_argument("--json", action="store_true",
                   help='JSON Lines, one {"image", "text", "glyphs": [{"char", "box", "ocr_confidence"}], '
                        '"error"} per image')
    p.add_argument("--overlay", metavar="OUT.png", default=None,
                   help="draw the boxes and letters on the image (several images: OUT-1.png, ...)")
    _add(p, "--backend", SegmentConfig, "OCR engine", choices=["easyocr", "tesseract"])
    _add(p, "--engine", SegmentConfig, "EasyOCR on onnx or torch (auto: onnx when exported)",
         choices=["auto", "onnx", "torch"])
    _add(p, "--detect-max-side", SegmentConfig, "longest side of the detector's input", type=int)
    _add(p, "--num-threads", SegmentConfig, "torch threads (0 = torch default)", type=int)
    p.set_defaults(func=cmd_segment)


PARSER_BUILDERS.append(_segment_parsers)


# --------------------------------------------------------------------------- font index
def cmd_index_build(args: argparse.Namespace) -> int:
    from fontindex.commands import index_build
    from fontindex.config import IndexBuildConfig

    return index_build(_config(IndexBuildConfig, args))


def cmd_similar(args: argparse.Namespace) -> int:
    from fontindex.config import SimilarConfig
    from pipeline.similar import similar

    if (args.family is None) == (args.image is None):
        print("error: give a FAMILY id or --image IMG (one of them)", file=sys.stderr)
        return EXIT_USAGE
    return similar(_config(SimilarConfig, args))


def _index_parsers(sub: Any) -> None:
    from fontindex.config import IndexBuildConfig, SimilarConfig

    g = sub.add_parser("index", help="build the font index (per-letter embeddings of every font)")
    gsub = g.add_subparsers(dest="index_cmd", required=True)
    desc = ("Draw every catalog family's letters in a few styles, embed them with the glyph model and "
            "average them into MODEL/index (int8 safetensors + JSON); variable families also at their axes' ends. "
            "Needs the font files "
            "(`fonts fetch`); deterministic; uses all cores.")
    p = gsub.add_parser("build", help="(re)build MODEL/index from the font files", description=desc)
    for flag, help in (("--model", "model directory (None = models/default)"), ("--out", "output folder (None = MODEL/index)"),
                       ("--catalog", "catalog file or 'default'"), ("--cache", "font cache directory"),
                       ("--fonts-dir", "also index this folder of your own fonts"),
                       ("--augment", "augmentation preset of the drawings")):
        _add(p, flag, IndexBuildConfig, help)
    for flag, help in (("--variants", "drawings of each style averaged"), ("--seed", "random seed"),
                       ("--workers", "processes (0 = all cores)")):
        _add(p, flag, IndexBuildConfig, help, type=int)
    p.add_argument("--no-axis-ends", dest="axis_ends", action="store_false", default=IndexBuildConfig.axis_ends,
                   help="index variable families only at their named weights, not also at their axes' ends "
                        "(most condensed/expanded width, display/caption optical size, hairline/black weight, "
                        "and the width and optical-size ends at the hairline/black weight)")
    p.set_defaults(func=cmd_index_build)
    desc = ("The families that look most like FAMILY (or like the font identified in --image), with a "
            "similarity (cosine of their letter embeddings, 1 = the same design) and whether each is free "
            "(OFL/Apache) as far as its licence file says.")
    p = sub.add_parser("similar", help="families that look alike", description=desc)
    p.add_argument("family", nargs="?", default=None, metavar="FAMILY", help="family id, e.g. open-sans")
    _add(p, "--image", SimilarConfig, "identify this picture's font and list its look-alikes")
    _add(p, "--top", SimilarConfig, "how many families", type=_positive_int)
    p.add_argument("--free-only", dest="free_only", action="store_true", default=None,
                   help="only OFL/Apache families")
    p.add_argument("--json", dest="json", action="store_true", default=None, help="one JSON object on stdout")
    _add(p, "--specimen", SimilarConfig, "also write a specimen sheet PNG (the family and its look-alikes)")
    _add(p, "--model", SimilarConfig, "model directory (None = models/default)")
    p.set_defaults(func=cmd_similar)


PARSER_BUILDERS.append(_index_parsers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cli.py",
        description="freefontfinder: find which free (Google Fonts) family a photo or "
        "screenshot of text is set in.",
    )
    sub = parser.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    for build in PARSER_BUILDERS:
        build(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Process set-up belongs to the entry point, not to an import: on a CPU shared with other
    # busy processes, OpenMP threads that spin while waiting make torch 3-4x slower
    # (bench/results/classifier_speed.md). Must happen before torch loads; commands import it lazily.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `... | head` closed the pipe: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
