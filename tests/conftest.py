"""Shared test helpers. The CLI is exercised as users run it, in a subprocess:
nothing imports cli.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config) -> None:
    """Fonts a developer added with `fonts add` must not change what the tests see: every test
    (and every CLI it runs) gets an empty data folder unless it sets its own."""
    import os
    import tempfile

    os.environ["FREEFONTFINDER_DATA"] = tempfile.mkdtemp(prefix="freefontfinder-test-data-")


def run_cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """``python cli.py ARGS`` in the repository root; returncode, stdout, stderr as text."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture
def cli_run():
    return run_cli
