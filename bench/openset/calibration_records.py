"""Line records for `calibrate --openset` in parts of 100 lines (seeds 100, 101, ...), so a long
run on a shared machine can stop and resume; then merged into the cache `calibrate` reads.

    python bench/openset/calibration_records.py 6      # parts 100..105 (runs/ic-records), merged
    python cli.py calibrate --openset --in-catalog-only   # fits on runs/calibration-openset2.npz

Lines: training words drawn in random families of the full catalog (files in the font cache),
default augmentations, through OCR and the open-world ranking (pipeline.calibrate_openset).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from glyphs.catalog import catalog_families
    from pipeline.calibrate import CalibrateConfig
    from pipeline.calibrate_openset import load_records, open_records, save_records
    from pipeline.config import VerifyConfig
    from pipeline.rank import Identifier

    parts = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    out = ROOT / "runs" / "ic-records"
    out.mkdir(parents=True, exist_ok=True)
    ident = Identifier(ROOT / "models" / "default", verify=VerifyConfig(stop_margin=0.0))
    families = [f for f in catalog_families("default") if f.present]
    for part in range(parts):
        path = out / f"part-{100 + part}.npz"
        if not path.is_file():
            t = time.process_time()
            save_records(open_records(ident, families, 100, 100 + part), path)
            print(f"{path.name}: {time.process_time() - t:.0f} CPU s", file=sys.stderr)
    recs = [r for part in range(parts) for r in load_records(out / f"part-{100 + part}.npz")]
    save_records(recs, ROOT / CalibrateConfig().records)
    print(f"{len(recs)} line records -> {CalibrateConfig().records}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
