"""FDH contact sheet: the 17 COCO keypoints on the person mask."""

from humanprep.keypoints import COCO_PAIRS
from humanprep.report import draw
from humanprep.report.sample import representative
from humanprep.report.sheets import TILE_HEIGHT, base_image, load, sheet


def fdh_tile(record, root, height=TILE_HEIGHT):
    """FDH: person mask tinted blue, the 17 COCO keypoints and skeleton."""
    image, scale = base_image(record, root, height)
    fdh = record["fdh"]
    image = draw.overlay_mask(image, load(root, fdh["mask"]), draw.BLUE, 0.4)
    draw.draw_keypoints(image, draw.scale_points(fdh["keypoints"], scale), COCO_PAIRS)
    return draw.caption(image, [record["id"], record["license"]["id"], record["split"]])


def contact_sheet(records, root, derived, n=8):
    tiles = [fdh_tile(r, root) for r in representative(records, n)]
    return sheet(tiles, "FDH: 17 COCO keypoints on the person mask", columns=4)
