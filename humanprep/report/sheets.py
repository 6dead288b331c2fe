"""Contact sheets: representative items of each dataset with their annotations drawn.

Every function takes normalised records (and the folder their paths are relative to) and
returns a PIL image. Items are chosen by humanprep.report.sample (spread over splits and
categories, annotated first, ties by id), so a sheet only changes with the data.
"""

import heapq
import math

from PIL import Image

from humanprep import store, video
from humanprep.formats.celeba import PARTS as CELEBA_PARTS
from humanprep.formats.shhq import PALETTE as SHHQ_PALETTE
from humanprep.report import draw
from humanprep.report.rows import keep_lowest
from humanprep.report.sample import representative

# Keypoint limbs, 0-based. Same as humanprep.coco.people (not imported: it needs pycocotools;
# tests/test_report.py checks the two agree).
COCO_PAIRS = (
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7),
    (6, 8), (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
)  # fmt: skip
BODY_25_PAIRS = (
    (1, 8), (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (10, 11),
    (8, 12), (12, 13), (13, 14), (1, 0), (0, 15), (15, 17), (0, 16), (16, 18), (14, 19),
    (19, 20), (14, 21), (11, 22), (22, 23), (11, 24),
)  # fmt: skip
# CelebAMask-HQ's own colours for its 18 parts (0 = background), in PARTS order.
CELEBA_PALETTE = dict(
    enumerate(
        [
            (0, 0, 0),
            (204, 0, 0),
            (76, 153, 0),
            (204, 204, 0),
            (51, 51, 255),
            (204, 0, 204),
            (0, 255, 255),
            (255, 204, 204),
            (102, 51, 0),
            (255, 0, 0),
            (102, 204, 0),
            (255, 255, 0),
            (0, 0, 153),
            (0, 0, 204),
            (255, 51, 153),
            (0, 204, 204),
            (0, 51, 0),
            (255, 153, 51),
            (0, 204, 0),
        ]  # fmt: skip
    )
)
assert len(CELEBA_PALETTE) == len(CELEBA_PARTS) + 1

TILE_HEIGHT = 256


def load(root, ref):
    """A picture of the store (humanprep.store), `ref` relative to `root`."""
    return store.open_image(root, ref)


def base_image(record, root, height=TILE_HEIGHT):
    """(the record's image scaled to `height`, scale factor)."""
    return draw.fit_height(store.record_image(root, record).convert("RGB"), height)


def shhq_tile(record, root, height=TILE_HEIGHT):
    """SHHQ: parsing classes tinted in SHHQ's palette, BODY_25 skeleton on top."""
    image, scale = base_image(record, root, height)
    shhq = record["shhq"]
    if shhq.get("parsing"):
        image = draw.overlay_labels(image, load(root, shhq["parsing"]), SHHQ_PALETTE, 0.45)
    draw.draw_keypoints(image, draw.scale_points(shhq["keypoints"], scale), BODY_25_PAIRS)
    return draw.caption(image, [record["id"], f"keypoints: {shhq['keypoints_status']}"])


def fdh_tile(record, root, height=TILE_HEIGHT):
    """FDH: person mask tinted blue, the 17 COCO keypoints and skeleton."""
    image, scale = base_image(record, root, height)
    fdh = record["fdh"]
    image = draw.overlay_mask(image, load(root, fdh["mask"]), draw.BLUE, 0.4)
    draw.draw_keypoints(image, draw.scale_points(fdh["keypoints"], scale), COCO_PAIRS)
    return draw.caption(image, [record["id"], record["license"]["id"], record["split"]])


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


def celeba_strip(record, root, sketch, sketch_root, height=128):
    """CelebA: image | label map (CelebAMask-HQ colours) | each sketch map."""
    image, _ = base_image(record, root, height)
    panels = [draw.caption(image, [record["id"]])]
    labels = load(root, record["celeba"]["label_map"]).resize(image.size, Image.Resampling.NEAREST)
    panels.append(draw.caption(draw.colourise(labels, CELEBA_PALETTE), ["label map"]))
    ink = (sketch or {}).get("ink", {})
    for name in sorted(k for k in (sketch or {}) if k not in ("id", "split", "size", "ink")):
        label = f"{name} ink {100 * ink[name]:.1f}%" if name in ink else name
        panels.append(
            draw.caption(draw.fit_height(load(sketch_root, sketch[name]), height)[0], [label])
        )
    return draw.hstack(panels)


def camera_direction(w2c):
    """Top-down (x, z) of the camera centre C = -R^T t of a 4x4 world-to-camera matrix."""
    r = [row[:3] for row in w2c[:3]]
    t = [row[3] for row in w2c[:3]]
    centre = [-sum(r[i][j] * t[i] for i in range(3)) for j in range(3)]
    return centre[0], centre[2]


def huge100k_ring(view_record, root, thumb_height=64):
    """HuGe100K: the subject's views around a circle at their camera azimuths (decoded
    from the subject's video in the store: view i = frame i)."""
    views = sorted(view_record["views"], key=lambda v: v["view"])
    frames = video.frames(store.read(root, view_record["video"], view_record["id"]))
    images = [Image.fromarray(frames[v["view"]]) for v in views]
    directions = [camera_direction(v["w2c"]) if v.get("w2c") else None for v in views]
    if any(d is None or d == (0, 0) or not all(map(math.isfinite, d)) for d in directions):
        directions = None
    outliers = {o["view"] for o in view_record.get("orbit", {}).get("outliers", [])}
    ring = draw.view_ring(images, view_record["front_view"], directions, outliers, thumb_height)
    return draw.caption(
        ring, [view_record["id"], f"{len(views)} views, front view {view_record['front_view']}"]
    )


def sheet(tiles, title, columns):
    return draw.titled(draw.grid(tiles, columns), title)


def shhq_sheet(records, root, derived, n=8):
    tiles = [shhq_tile(r, root) for r in representative(records, n)]
    return sheet(tiles, "SHHQ: BODY_25 keypoints on the parsing classes", columns=4)


def fdh_sheet(records, root, derived, n=8):
    tiles = [fdh_tile(r, root) for r in representative(records, n)]
    return sheet(tiles, "FDH: 17 COCO keypoints on the person mask", columns=4)


def deepfashion2_sheet(records, root, derived, n=8):
    tiles = [deepfashion2_tile(r, root) for r in representative(records, n)]
    return sheet(tiles, "DeepFashion2: garment boxes, polygons and landmarks", columns=4)


def celeba_sheet(records, root, derived, n=6):
    sketches, sketch_root = derived["sketch"]
    picked = representative(records, n)
    ids = {r["id"] for r in picked}
    by_id = {s["id"]: s for s in sketches if s["id"] in ids}
    strips = [celeba_strip(r, root, by_id.get(r["id"]), sketch_root) for r in picked]
    return sheet(strips, "CelebA: image | label map | sketch maps", columns=1)


def huge100k_sheet(records, root, derived, n=4):
    view_records, _ = derived["views"]
    rings = [huge100k_ring(v, root) for v in representative(view_records, n)]
    return sheet(rings, "HuGe100K: views around the subject, front view in red", columns=2)


def composites_sheet(records, root, composites, composite_root, n=6):
    """SHHQ: each original beside its composite on white. `composites` is read twice
    (ids, then the picked rows): a list or humanprep.report.rows.JsonlRows."""
    made_ids = {c["id"] for c in composites}
    picked = representative((r for r in records if r["id"] in made_ids), n)
    ids = {r["id"] for r in picked}
    by_id = {c["id"]: c for c in composites if c["id"] in ids}
    pairs = []
    for record in picked:
        original, _ = base_image(record, root)
        made = draw.fit_height(load(composite_root, by_id[record["id"]]["composite"]), TILE_HEIGHT)
        pairs.append(draw.caption(draw.hstack([original, made[0]]), [record["id"]]))
    return sheet(pairs, "SHHQ: original | composite on white", columns=3)


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
