"""Open world: the font index against the classifier alone, before and after `fonts fetch`,
fonts the classifier never saw added with `fonts add`, and "not in the catalog" ROC AUC.

Every picture is read once (OCR + segmentation); each configuration then ranks the same
glyphs (Identifier.rank_glyphs), so configurations differ only in ranking, and their
timings (ranking only, plus the shared reading time) are paired.

Configurations (all with the shipped model unless --model):
  head           classifier sums only, no font files (a fresh clone before this issue)
  index          + the font index, no font files (a fresh clone now)
  drawn          classifier + render-and-compare with the catalog's files (fetched, before this issue)
  index+drawn    + the font index with the files (fetched, now)

Families: catalog families (every --stride-th, clean and photo pictures drawn as the
benchmark draws them, texts never used in training) and the --added families
(ids in a file; their pictures are ranked without them to measure "not in the catalog",
then after `fonts add` into a temporary data folder).

    python bench/bench_openset.py --added bench/openset_added.txt --stride 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.splits import DRAWERS, NoTextError  # noqa: E402
from glyphs.catalog import Family, FamilyFiles, catalog_families, default_cache_dir, family_files  # noqa: E402

SPLITS = ("clean", "photo")


@dataclass(frozen=True)
class Read:
    family: str
    split: str
    glyphs: tuple
    text: str
    seconds: float  # OCR + segmentation


def read_pictures(families: list[FamilyFiles], ident, seed: int) -> list[Read]:
    """Draw one clean and one photo picture per family and read each once."""
    from tqdm import tqdm

    from segmentation import segment

    out = []
    for files in tqdm(families, desc="reading pictures", unit="family", file=sys.stderr):
        for split in SPLITS:
            rng = np.random.default_rng([seed, SPLITS.index(split), zlib.crc32(files.family.id.encode())])
            try:
                drawn = DRAWERS[split](files, rng)
            except NoTextError:
                continue
            except OSError as e:  # FreeType refusing a font ("execution context too long")
                print(f"skipping {files.family.id}: FreeType cannot draw it ({e})", file=sys.stderr)
                continue
            rgb = np.asarray(drawn.image.convert("RGB"))
            t0 = time.perf_counter()
            seg = segment(rgb, norm=ident.model.labels.norm, config=ident.segment_config)
            out.append(Read(files.family.id, split, seg.glyphs, seg.text, time.perf_counter() - t0))
    return out


def save_reads(reads: list[Read], path: Path) -> None:
    """Readings as one .npz of arrays (no pickles), so a rerun ranks without OCR."""
    g = [(k, x) for k, r in enumerate(reads) for x in r.glyphs]
    size = reads[0].glyphs[0].image.shape[0] if g else 40
    np.savez_compressed(
        path, family=np.array([r.family for r in reads]), split=np.array([r.split for r in reads]),
        text=np.array([r.text for r in reads]), seconds=np.array([r.seconds for r in reads]),
        read=np.array([k for k, _ in g], np.int64), char=np.array([x.char for _, x in g]),
        box=np.array([x.box for _, x in g], np.int64).reshape(-1, 4), conf=np.array([x.ocr_confidence for _, x in g]),
        word=np.array([x.word_index for _, x in g], np.int64), line=np.array([x.line_index for _, x in g], np.int64),
        image=np.stack([x.image for _, x in g]) if g else np.zeros((0, size, size), np.uint8))


def load_reads(path: Path) -> list[Read]:
    from segmentation.types import Glyph

    with np.load(path, allow_pickle=False) as z:
        glyphs: dict[int, list] = {}
        for i, k in enumerate(z["read"]):
            glyphs.setdefault(int(k), []).append(Glyph(str(z["char"][i]), tuple(int(v) for v in z["box"][i]),
                                                       float(z["conf"][i]), int(z["word"][i]), int(z["line"][i]),
                                                       z["image"][i]))
        return [Read(str(f), str(sp), tuple(glyphs.get(k, [])), str(t), float(sec)) for k, (f, sp, t, sec)
                in enumerate(zip(z["family"], z["split"], z["text"], z["seconds"], strict=True))]


def cached_reads(families: list[FamilyFiles], ident, seed: int, path: Path) -> list[Read]:
    if path.is_file():
        return load_reads(path)
    reads = read_pictures(families, ident, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_reads(reads, path)
    return reads


def rank_all(ident, reads: list[Read]) -> list[dict]:
    """Per picture: the true family's rank (0-based, None if outside the top 5), in_catalog, seconds."""
    rows = []
    for r in reads:
        t0 = time.perf_counter()
        ranking = ident.rank_glyphs(list(r.glyphs), r.text, top=5)
        fams = [f.family for f in ranking.fonts]
        rows.append({"family": r.family, "split": r.split, "rank": fams.index(r.family) if r.family in fams else None,
                     "in_catalog": ranking.in_catalog, "seconds": time.perf_counter() - t0 + r.seconds,
                     "top": fams[:1]})
    return rows


CONFIGS = ("head", "index", "drawn", "index+drawn")


def identifiers(model: Path, fonts_present: bool, catalog: str = "top300", configs: tuple = CONFIGS,
                baseline: Path | None = None) -> dict:
    """The configurations, each ranking ``catalog``'s families (plus the added ones). With
    ``baseline`` (a calibration.json): "index (before)" and "index+drawn (before)" too, the same
    rankings with that file's in_catalog models (paired: same pictures, same candidates): the same
    Identifier with that calibration, as an (Identifier, Calibration) pair."""
    from dataclasses import replace

    from pipeline import Identifier
    from pipeline.config import VerifyConfig
    from pipeline.rank import load_calibration
    from pipeline.scoring import Calibration
    from pipeline.verify import FontSource

    empty = FontSource([])
    files = FontSource.from_catalog(catalog, added=True) if fonts_present else empty
    make = {"head": lambda cal: Identifier(model, fonts=empty, calibration=cal,
                                           verify=VerifyConfig(use_index=False, catalog=catalog)),
            "index": lambda cal: Identifier(model, fonts=empty, calibration=cal, verify=VerifyConfig(catalog=catalog)),
            "drawn": lambda cal: Identifier(model, fonts=files, calibration=cal,
                                            verify=VerifyConfig(use_index=False, catalog=catalog)),
            "index+drawn": lambda cal: Identifier(model, fonts=files, calibration=cal,
                                                  verify=VerifyConfig(catalog=catalog))}
    names = [n for n in configs if fonts_present or "drawn" not in n]
    cal = load_calibration(model)
    out = {n: make[n](cal) for n in names}
    if baseline is not None:  # the same Identifier (its drawn words cached) with the older in_catalog models
        old = Calibration.from_dict(json.loads(baseline.read_text()))
        before = replace(cal, in_catalog=old.in_catalog, in_catalog_index=old.in_catalog_index)
        out.update({f"{n} (before)": (out[n], before) for n in names if n.startswith("index")})
    return out


def added_families(path: Path) -> list[FamilyFiles]:
    """The families listed in ``path`` (one fontsource id a line), fetched into the font cache once;
    their metadata (name, weights, italic) is kept in ``path`` with suffix .json."""
    from glyphs.catalog import load_catalog
    from glyphs.fetch import fetch_family, is_complete

    if "\t" in path.read_text():  # a catalog file (id, name, weights, italic): already fetched
        return [family_files(f, default_cache_dir()) for f in load_catalog(path)]
    ids = [line.split()[0] for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    cache = default_cache_dir()
    for i in ids:
        if i not in meta or not is_complete(i, cache):
            try:
                f = fetch_family(i, cache)
            except Exception as e:  # noqa: BLE001 -- a family npm cannot give is reported and skipped
                print(f"skipping {i}: {e}", file=sys.stderr)
                continue
            meta[i] = {"name": f.name, "weights": list(f.weights), "italic": f.has_italic}
            meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    return [family_files(Family(i, meta[i]["name"], tuple(meta[i]["weights"]), meta[i]["italic"]), cache)
            for i in ids if i in meta]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / "models" / "default"))
    ap.add_argument("--added", default=str(ROOT / "bench" / "openset_added.txt"),
                    help="file of fontsource ids in no catalog (fetched with `fonts add` first), or a folder "
                         "of font files (your own fonts: `fonts add DIR`)")
    ap.add_argument("--catalog", default="top300", help="the catalog the model knows (its families are ranked)")
    ap.add_argument("--stride", type=int, default=3, help="every n-th catalog family")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--wait-for", default="", help="before ranking, wait until this file exists")
    ap.add_argument("--configs", default=",".join(CONFIGS), help="configurations to rank (comma-separated)")
    ap.add_argument("--no-add", action="store_true", help="skip adding the --added families (in_catalog only)")
    ap.add_argument("--baseline-calibration", default="",
                    help="a calibration.json whose in_catalog models are measured beside the model's (paired)")
    ap.add_argument("--note", default="", help="a paragraph for the report (the data, the machine)")
    ap.add_argument("--clones", default="", help="a list like bench/openset/unknown-set2.txt: ROC AUC also "
                                                 "without the families its last column marks as clones")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()
    os.environ["FREEFONTFINDER_DATA"] = tempfile.mkdtemp(prefix="openset-")  # the user's added fonts untouched
    model = Path(args.model)
    catalog = [f for f in catalog_families(args.catalog) if f.present][:: args.stride]
    folder = Path(args.added) if Path(args.added).is_dir() else None
    if folder:
        from glyphs.userfonts import user_families

        extra = [f for f in user_families(folder) if f.present]
    else:
        extra = [f for f in added_families(Path(args.added)) if f.present]
    print(f"{len(catalog)} catalog families, {len(extra)} added families", file=sys.stderr)
    from pipeline import Identifier

    reader = Identifier(model)
    tag = f"{Path(args.model).name}-{Path(args.catalog).stem}-{Path(args.added).stem}-{args.seed}-{args.stride}"
    runs = ROOT / "runs" / f"openset-reads-{tag}"
    reads_cat = cached_reads(catalog, reader, args.seed, runs.with_name(runs.name + "-catalog.npz"))
    reads_new = cached_reads(extra, reader, args.seed, runs.with_name(runs.name + "-added.npz"))
    wait_for(Path(args.wait_for)) if args.wait_for else None
    configs = tuple(c for c in args.configs.split(",") if c)
    base = Path(args.baseline_calibration) if args.baseline_calibration else None
    # after reading: calibration may have been refitted
    idents = identifiers(model, bool(catalog), args.catalog, configs, base)
    results, unknown = {}, {}
    for name, ident in idents.items():
        t0 = time.process_time()
        ident, cal = ident if isinstance(ident, tuple) else (ident, ident.calibration)
        kept, ident.calibration = ident.calibration, cal
        results[name] = rank_all(ident, reads_cat)
        if name.startswith("index"):
            unknown[name] = rank_all(ident, reads_new)
        ident.calibration = kept
        print(f"{name}: ranked in {time.process_time() - t0:.0f} CPU s", file=sys.stderr)
    clones = read_clones(Path(args.clones)) if args.clones else set()
    if args.no_add:
        report = write_report(Path(args.out), results, unknown, {}, len(catalog), len(extra), clones,
                              args.clones or args.added, args.note)
        print(report)
        return 0
    from fontindex import add_fonts

    known = {f.family.id: f.family for f in extra}
    if folder:
        add_fonts((str(folder),), model, workers=os.cpu_count() or 1)
    else:
        add_fonts(tuple(known), model, workers=os.cpu_count() or 1, fetch=lambda i, _cache: known[i])
    after = identifiers(model, bool(catalog), args.catalog, configs)
    added = {name: rank_all(after[name], reads_new) for name in after if name.startswith("index")}
    report = write_report(Path(args.out), results, unknown, added, len(catalog), len(extra), clones,
                          args.clones or args.added, args.note)
    print(report)
    return 0


def wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(10)


def read_clones(path: Path) -> set[str]:
    """Family ids whose last (clone-of) column is not '-' in a tab-separated list."""
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return {r[0] for r in rows if r[-1].strip() not in ("", "-")}


def write_report(out: Path, results: dict, unknown: dict, added: dict, n_cat: int, n_new: int,
                 clones: set[str] | None = None, source: str = "", note: str = "") -> str:
    from bench.openset_report import report

    return report(out, results, unknown, added, n_cat, n_new, clones or set(), source or "bench/openset_added.txt",
                  note)


if __name__ == "__main__":
    sys.exit(main())
