"""DeepFashion2 full-body filter: this project's own rule over the garment annotations.

DeepFashion2 labels garments, not people. An image counts as "full body" when the worn
garments (viewpoint != 1) cover the torso and the legs (an upper and a lower garment, or a
dress), none is zoomed in or heavily occluded, and together they span enough of the image
height with room above for a head and below for feet. The first failed check is the reason.
"""

from humanprep.settings import defaults

UPPER = frozenset({1, 2, 3, 4, 5, 6})
LOWER = frozenset({7, 8, 9})
DRESS = frozenset({10, 11, 12, 13})
NOT_WORN = 1  # viewpoint 1: the garment is shown on its own, not on a person

REASONS = (
    "accepted",
    "no_annotation",
    "not_worn",
    "no_upper_garment",
    "no_lower_garment",
    "zoomed_in",
    "occluded",
    "too_short",
    "no_head_room",
    "no_feet_room",
)


def _coverage_reason(worn):
    categories = {g["category_id"] for g in worn}
    if not categories & (UPPER | DRESS):
        return "no_upper_garment"
    if not categories & (LOWER | DRESS):
        return "no_lower_garment"
    return None


def _span_reason(worn, height, rules):
    top = min(g["bbox"][1] for g in worn)
    bottom = max(g["bbox"][3] for g in worn)
    if bottom - top < rules["min_height_fraction"] * height:
        return "too_short"
    if top < rules["min_head_room"] * height:
        return "no_head_room"
    if height - bottom < rules["min_feet_room"] * height:
        return "no_feet_room"
    return None


def decide(record, rules=None):
    """(reason, detail) for one normalised DeepFashion2 record; reason "accepted" keeps it."""
    rules = {**defaults("fullbody"), **(rules or {})}  # the config schema's
    garments = (record.get("deepfashion2") or {}).get("garments") or []
    if not garments:
        return "no_annotation", "no garments annotated"
    worn = [g for g in garments if g["viewpoint"] != NOT_WORN]
    if not worn:
        return "not_worn", f"{len(garments)} garment(s), none worn (viewpoint 1)"
    reason = _coverage_reason(worn)
    if reason:
        names = ", ".join(sorted({g["category_name"] for g in worn}))
        return reason, f"worn: {names}"
    for key, field, reason in (
        ("max_zoom_in", "zoom_in", "zoomed_in"),
        ("max_occlusion", "occlusion", "occluded"),
    ):
        over = [g["item"] for g in worn if g[field] > rules[key]]
        if over:
            return reason, f"item(s) {over} have {field} > {rules[key]}"
    reason = _span_reason(worn, record["image"]["height"], rules)
    if reason:
        top = min(g["bbox"][1] for g in worn)
        bottom = max(g["bbox"][3] for g in worn)
        return reason, f"garments span y {top}-{bottom} of {record['image']['height']}"
    return "accepted", None


def filter_records(records, rules=None):
    """(accepted records, one decision per record), both in input order."""
    accepted, decisions = [], []
    for record in records:
        reason, detail = decide(record, rules)
        decisions.append({"id": record["id"], "reason": reason, "detail": detail})
        if reason == "accepted":
            accepted.append(record)
    return accepted, decisions
