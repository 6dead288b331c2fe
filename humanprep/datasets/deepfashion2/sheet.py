"""DeepFashion2 contact sheets: garment boxes, polygons and landmarks; the full-body
decisions, accepted and rejected."""

import heapq
from collections import Counter

from humanprep.report import draw
from humanprep.report.rows import keep_lowest
from humanprep.report.sample import representative
from humanprep.report.sheets import TILE_HEIGHT, base_image, sheet

# the report's charts of the full-body subset (stages/report_charts.py)
CATEGORIES_TITLE = "DeepFashion2 garments per category"
REASONS_TITLE = "DeepFashion2 full-body decisions: accepted (green) and rejection reasons"


def category_counts(records, accepted_ids):
    """{category name: {"all": garments, "full-body": garments in accepted images}},
    categories in id order."""
    total, full, names = Counter(), Counter(), {}
    for record in records:
        for garment in record["deepfashion2"]["garments"]:
            names[garment["category_id"]] = garment["category_name"]
            total[garment["category_id"]] += 1
            full[garment["category_id"]] += record["id"] in accepted_ids
    return {names[c]: {"all": total[c], "full-body": full[c]} for c in sorted(names)}


def deepfashion2_image(record, root, height=TILE_HEIGHT):
    """DeepFashion2: per garment its polygon(s), landmarks and box with category name."""
    image, scale = base_image(record, root, height)
    for garment in record["deepfashion2"]["garments"]:
        colour = draw.category_colour(garment["category_id"] - 1)
        for polygon in garment["segmentation"]:
            draw.draw_polygon(image, draw.scale_points(polygon, scale), colour, width=2)
        draw.draw_keypoints(
            image, draw.scale_points(garment["landmarks"], scale), point=colour, radius=1
        )
        box = draw.scale_points(garment["bbox"], scale)
        draw.draw_box(image, box, colour, width=2, label=garment["category_name"])
    return image


def deepfashion2_tile(record, root, height=TILE_HEIGHT):
    image = deepfashion2_image(record, root, height)
    source = record["deepfashion2"].get("source") or ""
    return draw.caption(image, [record["id"], f"{record['split']} {source}".strip()])


def contact_sheet(records, root, derived, n=8):
    tiles = [deepfashion2_tile(r, root) for r in representative(records, n)]
    return sheet(tiles, "DeepFashion2: garment boxes, polygons and landmarks", columns=4)


def _id(row):
    return row["id"]


def fullbody_picks(records, decisions, n=8):
    """(accepted, rejected, {id: record}) the full-body sheets show: accepted by id up to
    `n`; rejections one per reason first (in reason order), so every reason that occurs
    is shown, then by id up to `n`. Decisions stream past (only the lowest ids are
    kept); `records` is read twice (ids, then the picked records)."""
    ids = {r["id"] for r in records}
    accepted, rejected, first = [], [], {}
    for d in decisions:
        if d["id"] not in ids:
            continue
        if d["reason"] == "accepted":
            accepted = keep_lowest(accepted, d, n, _id)
            continue
        rejected = keep_lowest(rejected, d, n, _id)
        if d["reason"] not in first or d["id"] < first[d["reason"]]["id"]:
            first[d["reason"]] = d
    accepted = heapq.nsmallest(n, accepted, key=_id)
    rejected = heapq.nsmallest(n, rejected, key=_id)
    picked = [first[reason] for reason in sorted(first)]
    picked += [d for d in rejected if d not in picked]
    picked = sorted(picked[:n], key=lambda d: (d["reason"], d["id"]))
    wanted = {d["id"] for d in accepted + picked}
    by_id = {r["id"]: r for r in records if r["id"] in wanted}
    return accepted, picked, by_id


def fullbody_sheets(records, decisions, root, n=8):
    """(accepted sheet, rejected sheet): DeepFashion2 images with the full-body decision
    (which ones: fullbody_picks)."""
    accepted, picked, by_id = fullbody_picks(records, decisions, n)

    def tile(decision, colour):
        image = deepfashion2_image(by_id[decision["id"]], root)
        lines = [decision["id"], decision["reason"]]
        if decision.get("detail"):
            lines.append(decision["detail"])
        return draw.frame(draw.caption(image, lines, min_width=image.width), colour)

    return (
        sheet([tile(d, draw.GREEN) for d in accepted], "Full-body: accepted", 4),
        sheet([tile(d, draw.RED) for d in picked], "Full-body: rejected, with reasons", 4),
    )
