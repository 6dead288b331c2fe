"""SHHQ contact sheets: BODY_25 keypoints on the parsing classes; originals beside their
composites on white."""

from humanprep.datasets.shhq.formats import PALETTE as SHHQ_PALETTE
from humanprep.keypoints import BODY_25_PAIRS
from humanprep.report import draw
from humanprep.report.sample import representative
from humanprep.report.sheets import TILE_HEIGHT, base_image, load, sheet


def shhq_tile(record, root, height=TILE_HEIGHT):
    """SHHQ: parsing classes tinted in SHHQ's palette, BODY_25 skeleton on top."""
    image, scale = base_image(record, root, height)
    shhq = record["shhq"]
    if shhq.get("parsing"):
        image = draw.overlay_labels(image, load(root, shhq["parsing"]), SHHQ_PALETTE, 0.45)
    draw.draw_keypoints(image, draw.scale_points(shhq["keypoints"], scale), BODY_25_PAIRS)
    return draw.caption(image, [record["id"], f"keypoints: {shhq['keypoints_status']}"])


def contact_sheet(records, root, derived, n=8):
    tiles = [shhq_tile(r, root) for r in representative(records, n)]
    return sheet(tiles, "SHHQ: BODY_25 keypoints on the parsing classes", columns=4)


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
