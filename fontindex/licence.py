"""Which licence a family's files carry, as far as its licence file (or name table) says."""

from __future__ import annotations

from pathlib import Path

from glyphs.catalog import FamilyFiles

# (what the text says, licence id, free to use and share)
_MARKERS = (
    ("open font license", "OFL", True),
    ("scripts.sil.org/ofl", "OFL", True),
    ("openfontlicense.org", "OFL", True),
    ("apache license", "Apache", True),
    ("ubuntu font licence", "UFL", False),
)


def licence_of_text(text: str) -> tuple[str, bool]:
    """(licence id, free) for a licence text: OFL and Apache are free; anything else unknown."""
    low = text.lower()
    for marker, name, free in _MARKERS:
        if marker in low:
            return name, free
    return "unknown", False


def family_licence(files: FamilyFiles) -> tuple[str, bool]:
    """The licence of a family: its LICENSE file beside the font files (fontsource layout), else (no
    such file, or one that names no licence: some packages ship only a note that they have none) the
    first font file's name table (nameID 13, the licence description)."""
    paths = [f.path for f in files.static + files.variable]
    for p in paths[:1]:
        for cand in (p.parent.parent / "LICENSE", p.parent / "LICENSE", p.parent / "OFL.txt"):
            if cand.is_file():
                found = licence_of_text(cand.read_text(errors="replace"))
                if found[0] != "unknown":
                    return found
                break
        return licence_of_text(_name_table_licence(p))
    return "unknown", False


def _name_table_licence(path: Path) -> str:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            names = font["name"]
            return " ".join(filter(None, (names.getDebugName(13), names.getDebugName(14))))
    except (TTLibError, OSError, KeyError):
        return ""
