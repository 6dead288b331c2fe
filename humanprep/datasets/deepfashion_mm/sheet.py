"""DeepFashion-MultiModal contact sheet: parsing classes, the 21 keypoints, the caption.

Items are spread over full-body / other images and DeepFashion categories (report.sample),
so the sheet shows both kinds of image while the demo and the real data have them.
"""

from humanprep.datasets.deepfashion_mm.formats import SKELETON
from humanprep.report import draw
from humanprep.report.sample import representative
from humanprep.report.sheets import TILE_HEIGHT, base_image, load, sheet

# Parsing class i (1-23) in the sheets' category colours; 0 (background) untinted.
PALETTE = {i: draw.category_colour(i - 1) for i in range(1, 24)}
PAIRS = tuple((a - 1, b - 1) for a, b in SKELETON)  # 0-based limbs for draw_keypoints
CAPTION_CHARS = 80


def stratum(record):
    sub = record["deepfashion_mm"]
    return (not sub["full_body"], sub.get("category") or "")


def deepfashion_mm_tile(record, root, height=TILE_HEIGHT):
    """The image with its parsing classes tinted and its keypoints and skeleton drawn."""
    image, scale = base_image(record, root, height)
    sub = record["deepfashion_mm"]
    if sub["parsing"]:
        image = draw.overlay_labels(image, load(root, sub["parsing"]), PALETTE, 0.45)
    if sub["keypoints"]:
        draw.draw_keypoints(image, draw.scale_points(sub["keypoints"], scale), PAIRS)
    kind = "full body" if sub["full_body"] else "no parsing"
    lines = [record["id"], f"{kind}, {len(sub['fixes'])} fix(es)"]
    if sub["caption"]:
        text = sub["caption"]
        lines.append(text if len(text) <= CAPTION_CHARS else text[: CAPTION_CHARS - 3] + "...")
    return draw.caption(image, lines, min_width=image.width)


def contact_sheet(records, root, derived, n=8):
    tiles = [deepfashion_mm_tile(r, root) for r in representative(records, n, key=stratum)]
    return sheet(tiles, "DeepFashion-MultiModal: parsing classes, 21 keypoints, caption", 4)
