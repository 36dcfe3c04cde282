"""ONNX Runtime sessions whose graph optimisation is done once per machine and cached.

Making a session from CRAFT's 83 MB ``.onnx`` costs 0.3 CPU s and a 230 MB transient RSS
peak: ONNX Runtime parses the protobuf, copies the weights, then rewrites them for its
blocked (NCHWc) convolutions. ONNX Runtime can save the optimised graph
(``SessionOptions.optimized_model_filepath``); loaded back with optimisation off, the same
session costs half the CPU and about half the peak (bench/results/light.md). The optimised
graph is specific to the CPU's vector instructions (ONNX Runtime warns so), so the cached
file is keyed by the source file (size, mtime), the ONNX Runtime version and the CPU's flags.

The cached graph keeps its weights in a side file (``<entry>.<pid>-<random>.weights``, named
inside the graph) that ONNX Runtime memory-maps instead of parsing and copying them: making the CRAFT
session then costs 0.01 CPU s instead of 0.08-0.15 (its 83 MB are paged in from the page
cache as the first run reads them), and the pages are shared by every process on the machine.

The cache lives in ``$FREEFONTFINDER_ONNX_CACHE`` (default ``~/.cache/freefontfinder/onnx``);
``FREEFONTFINDER_ONNX_CACHE=off`` turns it off. A cache that cannot be written, or a cached
file that does not load, falls back to the source file: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import platform
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_ENV = "FREEFONTFINDER_ONNX_CACHE"
LAYOUT = "weights-file/1"  # in the key: entries of another layout are not read


def cache_dir() -> Path | None:
    """Where optimised graphs are kept, or None when the cache is off."""
    v = os.environ.get(CACHE_ENV, "")
    if v.lower() in ("off", "0", "none"):
        return None
    return Path(v) if v else Path.home() / ".cache" / "freefontfinder" / "onnx"


def cpu_signature() -> str:
    """The CPU's instruction-set flags (Linux /proc/cpuinfo) or, elsewhere, its platform name."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return f"{platform.machine()} {platform.processor()}"


def cache_key(path: Path, ort_version: str) -> str:
    """16 hex digits naming ``path``'s optimised graph for this machine and ONNX Runtime."""
    st = path.stat()
    text = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{ort_version}|{cpu_signature()}|{LAYOUT}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached_session(path: Path, make_options: Callable[[], Any]) -> Any:
    """An ``onnxruntime.InferenceSession`` on ``path`` (CPU), through the optimised-graph cache.

    make_options() -> a fresh ``SessionOptions`` (threads, arena...). Errors of the source
    file itself propagate as onnxruntime raises them (the caller words them).
    """
    import onnxruntime as ort

    providers = ["CPUExecutionProvider"]
    d = cache_dir()
    if d is None:
        return ort.InferenceSession(str(path), make_options(), providers=providers)
    cached = d / f"{path.stem}-{cache_key(path, ort.__version__)}.onnx"
    if cached.is_file():
        opts = make_options()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # done when cached
        try:
            return ort.InferenceSession(str(cached), opts, providers=providers)
        except Exception:  # onnxruntime's own, unexported types: a damaged cache entry; remake it
            _remove_entry(cached)
    opts = make_options()
    opts.log_severity_level = 3  # the "hardware specific" warning: that is why the key has the CPU's flags
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    # Found by name, beside the graph file; a new name each time, so no file a running session
    # has memory-mapped is ever rewritten in place.
    weights = d / f"{cached.stem}.{os.getpid()}-{secrets.token_hex(4)}.weights"
    try:
        d.mkdir(parents=True, exist_ok=True)
        if not os.access(d, os.W_OK):
            raise PermissionError(d)
        opts.optimized_model_filepath = str(tmp)
        opts.add_session_config_entry("session.optimized_model_external_initializers_file_name", weights.name)
        opts.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        sess = ort.InferenceSession(str(path), opts, providers=providers)
        _remove_entry(cached, keep=weights)
        tmp.replace(cached)
        return sess
    except OSError:  # read-only home, full disk: no cache, same session
        tmp.unlink(missing_ok=True)
        weights.unlink(missing_ok=True)
        return ort.InferenceSession(str(path), make_options(), providers=providers)


def _remove_entry(cached: Path, keep: Path | None = None) -> None:
    """Delete a cache entry: its graph file and the weights files of its name (but ``keep``).
    A process that has them memory-mapped keeps reading them (POSIX unlink)."""
    cached.unlink(missing_ok=True)
    for w in cached.parent.glob(f"{cached.stem}.*.weights"):
        if w != keep:
            w.unlink(missing_ok=True)
