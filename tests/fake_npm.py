"""A stand-in for `npm pack --json --pack-destination DIR NAME...` used by tests/test_fonts.py.

It builds real fontsource-like tarballs from a font cache laid out as in
glyphs/catalog.py (env FAKE_NPM_FIXTURES), adding decoys the fetcher must skip
(latin-ext files, .woff files, CSS). Like npm, a call naming an absent package
fails as a whole and writes nothing. Env FAKE_NPM_MISSING: comma-separated ids
treated as absent; FAKE_NPM_NO_LICENSE: ids packed without a LICENSE (like
old 4.x packages); FAKE_NPM_LOG: a file each call appends its package names to.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
from pathlib import Path

SCOPES = {"@fontsource/": "static", "@fontsource-variable/": "variable"}


def _split(name: str) -> tuple[str, str] | None:
    for scope, kind in SCOPES.items():
        if name.startswith(scope):
            return kind, name[len(scope):]
    return None


def _present(name: str, fixtures: Path, missing: set[str]) -> bool:
    parsed = _split(name)
    if parsed is None:
        return False
    kind, fid = parsed  # a static package exists for every family, maybe without static files
    return fid not in missing and (fixtures / fid / ("" if kind == "static" else kind)).is_dir()


def _add(tar: tarfile.TarFile, arcname: str, data: bytes) -> None:
    info = tarfile.TarInfo(f"package/{arcname}")
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _build(name: str, fixtures: Path, dest: Path) -> str:
    kind, fid = _split(name)  # type: ignore[misc]
    filename = name.lstrip("@").replace("/", "-") + "-5.3.0.tgz"
    meta = {"id": fid, "variable": (fixtures / fid / "variable").is_dir(), "license": "OFL-1.1"}
    with tarfile.open(dest / filename, "w:gz") as tar:
        _add(tar, "package.json", json.dumps({"name": name, "version": "5.3.0"}).encode())
        _add(tar, "metadata.json", json.dumps(meta).encode())
        if fid not in os.environ.get("FAKE_NPM_NO_LICENSE", "").split(","):
            _add(tar, "LICENSE", (fixtures / fid / "LICENSE").read_bytes())
        _add(tar, "index.css", b"/* css */")
        for font in sorted((fixtures / fid / kind).glob("*.woff2")):
            data = font.read_bytes()
            _add(tar, f"files/{font.name}", data)
            _add(tar, f"files/{font.name[:-1]}", data[:100])  # .woff decoy
            _add(tar, "files/" + font.name.replace("-latin-", "-latin-ext-"), data[:100])
            _add(tar, "files/" + font.name.replace("-latin-", "-cyrillic-"), data[:100])
    return filename


def main(argv: list[str]) -> int:
    if argv[:1] != ["pack"] or "--pack-destination" not in argv:
        print(f"fake npm: unsupported call {argv}", file=sys.stderr)
        return 2
    dest = Path(argv[argv.index("--pack-destination") + 1])
    names = [a for a in argv[1:] if not a.startswith("-") and a != str(dest)]
    if os.environ.get("FAKE_NPM_LOG"):
        with open(os.environ["FAKE_NPM_LOG"], "a") as log:
            log.write(" ".join(names) + "\n")
    fixtures = Path(os.environ["FAKE_NPM_FIXTURES"])
    missing = set(filter(None, os.environ.get("FAKE_NPM_MISSING", "").split(",")))
    absent = [n for n in names if not _present(n, fixtures, missing)]
    if absent:
        error = {"code": "E404", "summary": f"Not Found - GET fake/{absent[0]}"}
        print(json.dumps({"error": error}, indent=2))
        print(f"npm error 404 Not Found - '{absent[0]}@*' could not be found", file=sys.stderr)
        return 1
    packed = [{"name": n, "filename": _build(n, fixtures, dest)} for n in names]
    print(json.dumps(packed, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
