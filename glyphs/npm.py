"""`npm pack`, in batches: several packages a call, halves of it when a batch fails."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class NpmMissingError(RuntimeError):
    """npm is not on PATH."""


@dataclass(frozen=True)
class PackResult:
    tarballs: dict[str, Path]  # package name -> packed .tgz
    failed: dict[str, str]  # package name -> npm's reason, in one line


def npm_executable() -> str:
    exe = shutil.which("npm")
    if exe is None:
        raise NpmMissingError(
            "fonts fetch needs npm (Node.js) on PATH to download the fontsource packages; "
            "install Node.js, or put the font files in the cache yourself"
        )
    return exe


def pack(names: list[str], dest: Path, npm: str) -> PackResult:
    """Pack ``names`` into ``dest``; a failed batch is split in halves and each half
    retried (down to single packages), so that one absent package names only itself
    and costs about log2(batch) extra calls instead of one call per package."""
    if not names:
        return PackResult({}, {})
    ok, reason = _pack_call(names, dest, npm)
    if ok is not None:
        return PackResult(ok, {})
    if len(names) == 1:
        return PackResult({}, {names[0]: reason})
    half = len(names) // 2
    first, second = pack(names[:half], dest, npm), pack(names[half:], dest, npm)
    return PackResult({**first.tarballs, **second.tarballs}, {**first.failed, **second.failed})


def _pack_call(names: list[str], dest: Path, npm: str) -> tuple[dict[str, Path] | None, str]:
    """One ``npm pack --json`` call: ({name: tgz}, "") or (None, reason)."""
    cmd = [npm, "pack", "--json", "--silent", "--pack-destination", str(dest), *names]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"npm could not run ({e})"
    if proc.returncode != 0:
        return None, _reason(proc.stdout, proc.stderr, proc.returncode)
    try:
        entries = json.loads(proc.stdout)
        found = {e["name"]: dest / e["filename"] for e in entries}
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        return None, f"npm pack printed no package list ({e})"
    missing = [n for n in names if n not in found or not found[n].is_file()]
    if missing:
        return None, f"npm pack wrote no tarball for {', '.join(missing)}"
    return found, ""


def _reason(stdout: str, stderr: str, rc: int) -> str:
    """npm's error in one line: its JSON error code and summary, else its last error line."""
    try:
        err = json.loads(stdout)["error"]
        summary = str(err.get("summary", "")).split(" - ")[0].strip()  # drop "- GET <url>"
        return f"{err.get('code', 'error')} {summary}".strip()
    except (json.JSONDecodeError, KeyError, TypeError):
        pass
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("npm error") and "complete log" not in ln]
    return (errors or lines or [f"npm exited with status {rc}"])[0]
