"""Writing a built catalog: the catalog file, its aliases file, and the counts report.

Aliases file (beside the catalog, ``<name>-aliases.txt``), one alias a line::

    alias_id<TAB>catalog_id<TAB>rule<TAB>reason

The report is a JSON record (``.json``) and a Markdown table (``.md``) of how many
families were considered and how many each rule dropped; the second pass (fold-twins)
adds its own rules to the same record.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from glyphs.catalog import CatalogError, Family, resolve_catalog_path
from glyphs.full_catalog import EXCLUDED, GOOGLE_FONT_METADATA, LEGACY_ALIASES, RULES, Dropped

SECOND_PASS_RULES = ("not_fetched", "glyphs_missing", "twin")


def aliases_path(catalog: str | Path) -> Path:
    path = resolve_catalog_path(catalog)
    return path.with_name(path.stem + "-aliases.txt")


def write_catalog(families: tuple[Family, ...], path: Path, header: str) -> None:
    lines = [f"# {ln}" for ln in header.splitlines()]
    lines += [f"{f.id}\t{f.name}\t{','.join(map(str, f.weights))}\t{int(f.has_italic)}" for f in families]
    Path(path).write_text("\n".join(lines) + "\n")


def write_aliases(dropped: tuple[Dropped, ...], path: Path) -> None:
    rows = sorted((d for d in dropped if d.alias_of), key=lambda d: d.id)
    Path(path).write_text("".join(f"{d.id}\t{d.alias_of}\t{d.rule}\t{d.reason}\n" for d in rows))


def load_aliases(catalog: str | Path) -> dict[str, str]:
    """{alias id: catalog id} of a catalog ({} when it has no aliases file)."""
    path = aliases_path(catalog)
    if not path.is_file():
        return {}
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        parts = line.split("\t")
        if len(parts) != 4:
            raise CatalogError(f"{path}:{n}: expected 4 tab-separated columns")
        out[parts[0]] = parts[1]
    return out


# --------------------------------------------------------------------------- report
def report_record(considered: int, source: str, families: tuple[Family, ...],
                  dropped: tuple[Dropped, ...], **extra: object) -> dict:
    counts = Counter(d.rule for d in dropped)
    return {"source": source, "considered": considered, "kept": len(families),
            "dropped_by_rule": {r: counts.get(r, 0) for r in RULES + SECOND_PASS_RULES},
            "dropped": [asdict(d) for d in dropped], **extra}


def load_record(md_path: Path) -> dict:
    path = Path(md_path).with_suffix(".json")
    if not path.is_file():
        raise CatalogError(f"{path} does not exist: run `fonts catalog build` first")
    return json.loads(path.read_text())


def write_report(record: dict, md_path: Path) -> None:
    md_path = Path(md_path)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    md_path.write_text(render_report(record))


def render_report(rec: dict) -> str:
    counts = rec["dropped_by_rule"]
    lines = [
        "# The full catalog (`--catalog all`)", "",
        f"Source: `{rec['source']}` (pinned: `{GOOGLE_FONT_METADATA}`), plus the families of "
        "`top300` outside it. Built by `python cli.py fonts catalog build`; second pass "
        f"(fold-twins) {'done' if rec.get('second_pass') else '**not run yet**'}.", "",
        "| | families |", "|---|---:|",
        f"| considered | {rec['considered']} |",
    ]
    lines += [f"| dropped: {rule} | {counts.get(rule, 0)} |" for rule in RULES + SECOND_PASS_RULES]
    lines += [f"| **kept** | **{rec['kept']}** |", ""]
    if rec.get("second_pass"):
        lines += [f"Second pass: {rec['second_pass']}", ""]
    lines += ["## Rules", "", "Excluded by name (rule `excluded`):", ""]
    lines += [f"- `{pat}`: {why}" for pat, why in EXCLUDED]
    lines += ["", "Legacy aliases (rule `legacy_alias`, applied when the legacy id is in the source):", ""]
    lines += [f"- `{old}` -> `{new}`: {why}" for old, (new, why) in LEGACY_ALIASES.items()]
    lines += ["", "## Dropped families", ""]
    by_rule: dict[str, list[str]] = {}
    for d in rec["dropped"]:
        note = f" -> `{d['alias_of']}`" if d.get("alias_of") else ""
        by_rule.setdefault(d["rule"], []).append(f"`{d['id']}`{note}")
    for rule, ids in by_rule.items():
        lines += [f"**{rule}** ({len(ids)}): " + ", ".join(ids), ""]
    return "\n".join(lines)
