"""Scoring of the typography benchmark: predicted regions against the CSS that drew them."""

from __future__ import annotations

import numpy as np

from typography.colour import delta_e

MIN_OVERLAP = 0.5  # share of a predicted region's box inside a truth region's CSS box


def _overlap(pred: list[int], truth: list[int]) -> float:
    ix = max(0, min(pred[2], truth[2]) - max(pred[0], truth[0]))
    iy = max(0, min(pred[3], truth[3]) - max(pred[1], truth[1]))
    area = max(1, (pred[2] - pred[0]) * (pred[3] - pred[1]))
    return ix * iy / area


def _grow(box: list[int], size: int) -> list[int]:
    """A truth CSS box grown by a quarter em: ink may overhang its line box (descenders)."""
    m = int(0.25 * size)
    return [box[0] - m, box[1] - m, box[2] + m, box[3] + m]


def assign(pred_regions: list[dict], truth_regions: list[dict]) -> list[int | None]:
    """For each predicted region, the truth region its box mostly lies in (None: none)."""
    out: list[int | None] = []
    for p in pred_regions:
        ov = [_overlap(p["box"], _grow(t["box"], t["size"])) for t in truth_regions]
        k = int(np.argmax(ov)) if ov else 0
        out.append(k if ov and ov[k] >= MIN_OVERLAP else None)
    return out


def truth_case(lines: list[str]) -> str:
    letters = "".join(c for c in " ".join(lines) if c.isalpha())
    if not letters:  # a price: no letters, no case (typography.measure.letter_case says mixed)
        return "mixed"
    if letters.isupper():
        return "upper"
    if letters.islower():
        return "lower"
    words = [w for w in " ".join(lines).split() if any(c.isalpha() for c in w)]
    alpha = ["".join(c for c in w if c.isalpha()) for w in words]
    return "title" if all(a[0].isupper() and (len(a) == 1 or a[1:].islower()) for a in alpha) else "mixed"


def score_picture(truth: dict, pred: dict) -> dict:
    """Per-picture records: one per truth region (found, font right, property errors) and
    the main answer's correctness."""
    regions = pred["regions"]
    owner = assign(regions, truth["regions"])
    records = []
    for t_i, t in enumerate(truth["regions"]):
        mine = [r for r, o in zip(regions, owner, strict=True) if o == t_i]
        rec = {"role": t["role"], "layout": truth["layout"], "found": bool(mine), "split": len(mine) > 1,
               "family": t["family"]}
        if mine:
            r = max(mine, key=lambda r: len(r["glyphs"]))
            fams = [f["family"] for f in r["fonts"]]
            rec.update(top1=bool(fams and fams[0] == t["family"]), top5=t["family"] in fams)
            rec.update(_property_errors(t, r, truth["background"]))
        records.append(rec)
    main_t = max(range(len(truth["regions"])), key=lambda i: truth["regions"][i]["size"])
    main_family = truth["regions"][main_t]["family"]
    top = pred["fonts"][0]["family"] if pred["fonts"] else None
    most = max(regions, key=lambda r: len(r["glyphs"])) if regions else None
    main = {"main_top1": top == main_family,
            "main_top5": main_family in [f["family"] for f in pred["fonts"]],
            "old_rule_top1": bool(most and most["fonts"] and most["fonts"][0]["family"] == main_family),
            "regions_pred": len(regions), "regions_truth": len(truth["regions"])}
    return {"regions": records, "main": main}


def _property_errors(t: dict, r: dict, background: str) -> dict:
    out: dict = {}
    if r.get("size_px"):
        out["size_rel"] = abs(r["size_px"] - t["size"]) / t["size"]
        out["size_signed"] = (r["size_px"] - t["size"]) / t["size"]
    if r.get("letter_spacing_em") is not None:
        out["ls_abs"] = abs(r["letter_spacing_em"] - t["letter_spacing"])
    if len(t["lines"]) > 1 and r.get("line_height") is not None:
        out["lh_abs"] = abs(r["line_height"] - t["line_height"])
    if len(t["lines"]) > 1 and r.get("alignment"):
        out["align_ok"] = r["alignment"] == t["align"] or (t["align"] == "left" and r["alignment"] == "justify")
    if r.get("color"):
        out["color_de"] = delta_e(r["color"], t["color"])
    if r.get("background") and background != "photo":
        out["bg_de"] = delta_e(r["background"], background)
    if r["fonts"]:
        out["weight_abs"] = abs(r["fonts"][0]["weight"] - t["weight"])
    out["case_ok"] = r.get("case") == truth_case(t["lines"])
    return out
