#!/usr/bin/env bash
# Everything measured after the default model is trained, in order (what produced bench/results/).
# Resume-safe: each step can be re-run alone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PER_FAMILY=${PER_FAMILY:-1}  # test images per catalog family per split (every family covered)
[ -d data/glyphs-300-val ] || $PY cli.py glyphs generate --out data/glyphs-300-val --variants 2 --num-shards 1 --seed 2
$PY cli.py calibrate --model models/default --data data/glyphs-300-val --lines 500  # needs fonts fetch
$PY cli.py evaluate --model models/default --data data/glyphs-300-val --name default_val
$PY cli.py evaluate --model models/default --data data/glyphs-300-heldout --name default_heldout
$PY bench/bench_classifier.py || true
$PY bench/bench_pipeline.py --families 100
[ -f bench/testsets/clean/manifest.json ] || $PY cli.py benchmark --make-testsets
$PY cli.py benchmark --per-family "$PER_FAMILY" --model models/default --baseline bench/baselines/deepfont-model
