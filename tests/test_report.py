"""The report's drawing functions, checked pixel by pixel on hand-made images, and the
charts' determinism."""

import io

import numpy as np
import pytest
from PIL import Image

from humanprep import keypoints
from humanprep.datasets.deepfashion2 import sheet as df2_sheet
from humanprep.datasets.huge100k import sheet as huge100k_sheet
from humanprep.items import png_bytes
from humanprep.report import charts, counts, draw

BG = (10, 20, 30)


def canvas(width=40, height=30, colour=BG):
    return Image.new("RGB", (width, height), colour)


def test_keypoint_colours_its_pixel_and_unlabelled_ones_are_skipped():
    image = draw.draw_keypoints(canvas(), [[10, 12, 2], [30, 5, 0]], radius=1)
    assert image.getpixel((10, 12)) == draw.RED
    assert image.getpixel((11, 12)) == draw.RED  # radius 1 reaches the neighbours
    assert image.getpixel((13, 12)) == BG
    assert image.getpixel((30, 5)) == BG  # v = 0: not drawn


def test_limb_joins_labelled_keypoints_only():
    image = draw.draw_keypoints(
        canvas(), [[5, 10, 2], [35, 10, 2], [20, 25, 0]], pairs=[(0, 1), (1, 2)], width=1
    )
    assert image.getpixel((20, 10)) == draw.GREEN  # midway along the 0-1 limb
    assert image.getpixel((28, 17)) == BG  # the 1-2 limb ends at an unlabelled point


def test_box_outline_at_its_coordinates():
    image = draw.draw_box(canvas(), [5, 6, 20, 25], draw.BLUE, width=1)
    for xy in [(5, 6), (20, 6), (5, 25), (20, 25), (12, 6), (5, 15), (20, 15), (12, 25)]:
        assert image.getpixel(xy) == draw.BLUE, xy
    assert image.getpixel((12, 15)) == BG  # inside stays
    assert image.getpixel((4, 6)) == BG and image.getpixel((21, 25)) == BG


def test_box_label_sits_on_a_filled_strip_inside_the_top_left_corner():
    image = draw.draw_box(canvas(80, 60), [10, 10, 70, 50], draw.BLUE, width=1, label="vest")
    strip = np.asarray(image.crop((10, 10, 34, 23))).reshape(-1, 3)
    blue = (strip == draw.BLUE).all(axis=1)
    assert blue.mean() > 0.5 and not blue.all()  # the strip, with text on it
    assert image.getpixel((40, 40)) == BG


def test_polygon_outline_and_degenerate_polygon():
    image = draw.draw_polygon(canvas(), [5, 5, 30, 5, 30, 20], draw.ORANGE)
    assert image.getpixel((15, 5)) == draw.ORANGE  # edge 1
    assert image.getpixel((30, 12)) == draw.ORANGE  # edge 2
    assert image.getpixel((17, 12)) != BG or image.getpixel((18, 12)) != BG  # closing edge
    assert image.getpixel((28, 8)) == BG  # inside: outline only
    untouched = draw.draw_polygon(canvas(), [5, 5, 30, 5], draw.ORANGE)
    assert untouched.tobytes() == canvas().tobytes()


def test_mask_overlay_blends_inside_only():
    mask = Image.new("L", (40, 30), 0)
    mask.paste(255, (0, 0, 10, 30))
    out = draw.overlay_mask(canvas(), mask, (210, 120, 230), alpha=0.5)
    assert out.getpixel((5, 5)) == (110, 70, 130)  # (10+210)/2, (20+120)/2, (30+230)/2
    assert out.getpixel((20, 5)) == BG


def test_mask_overlay_resizes_the_mask_nearest():
    mask = Image.new("L", (4, 3), 0)
    mask.putpixel((0, 0), 1)
    out = draw.overlay_mask(canvas(), mask, (255, 255, 255), alpha=1.0)
    assert out.getpixel((9, 9)) == (255, 255, 255)  # 1 mask pixel = 10x10 image pixels
    assert out.getpixel((10, 10)) == BG


def test_label_overlay_and_colourise_use_the_palette_and_skip_background():
    labels = Image.new("L", (40, 30), 0)
    labels.paste(2, (0, 0, 10, 10))
    palette = {0: (0, 0, 0), 2: (250, 0, 0)}
    out = draw.overlay_labels(canvas(), labels, palette, alpha=1.0)
    assert out.getpixel((3, 3)) == (250, 0, 0)
    assert out.getpixel((30, 20)) == BG
    coloured = draw.colourise(labels, palette)
    assert coloured.getpixel((3, 3)) == (250, 0, 0) and coloured.getpixel((30, 20)) == (0, 0, 0)
    labels.putpixel((39, 29), 7)  # not in the palette
    assert draw.colourise(labels, palette).getpixel((39, 29)) == draw.GREY


def test_grid_places_tiles_in_rows():
    tiles = [canvas(10, 10, (i * 40, 0, 0)) for i in range(5)]
    out = draw.grid(tiles, columns=2, pad=2)
    assert out.size == (2 + 2 * 12, 2 + 3 * 12)
    assert out.getpixel((2, 2)) == (0, 0, 0)
    assert out.getpixel((14, 2)) == (40, 0, 0)  # second column
    assert out.getpixel((2, 14)) == (80, 0, 0)  # second row
    assert out.getpixel((2, 26)) == (160, 0, 0)
    assert out.getpixel((14, 26)) == draw.WHITE  # empty last cell


def test_strips_and_caption():
    a, b = canvas(10, 20, (1, 1, 1)), canvas(5, 8, (2, 2, 2))
    row = draw.hstack([a, b], pad=3)
    assert row.size == (18, 20) and row.getpixel((13, 0)) == (2, 2, 2)
    col = draw.vstack([a, b], pad=3)
    assert col.size == (10, 31) and col.getpixel((0, 23)) == (2, 2, 2)
    captioned = draw.caption(canvas(60, 20), ["line one", "line two"])
    assert captioned.size == (60, 20 + 2 * draw.LINE_HEIGHT + 4)
    assert len(np.unique(np.asarray(captioned)[20:].reshape(-1, 3), axis=0)) > 1  # text


def test_view_ring_places_views_by_direction_and_marks_the_front():
    views = [canvas(10, 20, (i * 60, 200, 0)) for i in range(4)]
    # front (0) at the bottom, 1 right, 2 top, 3 left
    directions = [(0, 1), (1, 0), (0, -1), (-1, 0)]
    out = draw.view_ring(views, front=0, directions=directions, outliers={3}, thumb_height=20)
    w, h = out.size
    cx, cy = w / 2, h / 2
    radius = 3 * 20
    below, right = (
        out.getpixel((round(cx), round(cy + radius))),
        out.getpixel((round(cx + radius), round(cy))),
    )
    assert below == (0, 200, 0) and right == (60, 200, 0)
    assert out.getpixel((round(cx), round(cy - radius))) == (120, 200, 0)
    assert out.getpixel((round(cx - radius), round(cy))) == (180, 200, 0)
    # the front thumbnail's outline is red, the outlier's orange
    assert out.getpixel((round(cx) - 6, round(cy + radius))) == draw.RED
    assert out.getpixel((round(cx - radius) - 6, round(cy))) == draw.ORANGE


def test_camera_direction_is_the_camera_centre_seen_from_above():
    front = [[1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 2.6], [0, 0, 0, 1]]
    assert huge100k_sheet.camera_direction(front) == pytest.approx((0, 2.6))
    side = [[0, 0, -1, 0], [0, -1, 0, 0], [-1, 0, 0, 2.6], [0, 0, 0, 1]]
    assert huge100k_sheet.camera_direction(side) == pytest.approx((2.6, 0))


def test_skeletons_match_the_coco_export():
    people = pytest.importorskip("humanprep.coco.people")
    assert [[a + 1, b + 1] for a, b in keypoints.COCO_PAIRS] == people.COCO_SKELETON


def test_png_bytes_are_deterministic():
    image = draw.draw_box(canvas(), [1, 1, 20, 20], draw.RED, label="x")
    assert png_bytes(image) == png_bytes(image.copy())
    assert Image.open(io.BytesIO(png_bytes(image))).getpixel((1, 1)) == draw.RED


def test_charts_are_byte_identical_across_calls():
    groups = {"shhq": {"kept": 11, "quarantined": 1}, "fdh": {"kept": 12, "removed": 2}}
    first = charts.bar_chart(groups, "stages")
    assert first == charts.bar_chart(dict(groups), "stages")
    assert first.startswith(b"\x89PNG\r\n\x1a\n") and b"Software" not in first
    image = Image.open(io.BytesIO(first))
    assert abs(image.width - 800) < 80 and abs(image.height - 450) < 80
    other = charts.bar_chart({"shhq": {"kept": 10, "quarantined": 1}}, "stages")
    assert other != first


def _colours(png):
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return {"#{:02X}{:02X}{:02X}".format(*c) for c in np.unique(rgb, axis=0)}


def test_decision_chart_tells_accepted_from_rejected():
    reasons = {"accepted": 6, "not_worn": 10, "occluded": 2}
    png = charts.bar_chart(
        {r: {"images": n} for r, n in reasons.items()},
        "t",
        colours=charts.decision_colours(reasons),
    )
    found = _colours(png)
    assert charts.ACCEPTED.upper() in found and charts.REJECTED.upper() in found
    assert charts.decision_colours(reasons) == {
        "accepted": charts.ACCEPTED, "not_worn": charts.REJECTED, "occluded": charts.REJECTED
    }  # fmt: skip


@pytest.mark.parametrize("horizontal", [False, True])
def test_long_labels_are_never_clipped(horizontal):
    # A clipped label leaves ink on the image's edge; a whole one is framed by white.
    labels = ["an extremely long category name that goes on", "short sleeve outwear", "x"]
    png = charts.bar_chart(
        {k: {"n": i + 1} for i, k in enumerate(labels)}, "t", horizontal=horizontal
    )
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    edges = np.concatenate(
        [rgb[:3].ravel(), rgb[-3:].ravel(), rgb[:, :3].ravel(), rgb[:, -3:].ravel()]
    )
    assert edges.min() == 255
    assert charts.wrap("short sleeve outwear long", 14) == "short sleeve\noutwear long"


def test_counts():
    summaries = [
        {"dataset": "fdh", "kept": 12, "quarantined": 0, "removed": 2},
        {"dataset": "deepfashion2", "kept": 18, "quarantined": 0, "removed": 0},
    ]
    reasons = {"accepted": 6, "occluded": 2, "too_short": 0, "not_worn": 10}
    fullbody = {"dataset": "deepfashion2", "decisions": 18, "accepted": 6, "reasons": reasons}
    stages = counts.stage_counts(summaries, fullbody)
    assert list(stages) == ["fdh", "deepfashion2"]
    assert stages["fdh"] == {"kept": 12, "quarantined": 0, "removed": 2, "full-body filtered": 0}
    assert stages["deepfashion2"]["full-body filtered"] == 12
    assert counts.reason_counts(fullbody) == {"accepted": 6, "not_worn": 10, "occluded": 2}
    garment = {"category_id": 9, "category_name": "skirt"}
    records = [
        {"id": "a", "deepfashion2": {"garments": [garment, garment]}},
        {"id": "b", "deepfashion2": {"garments": [{"category_id": 1, "category_name": "top"}]}},
    ]
    assert df2_sheet.category_counts(records, {"a"}) == {
        "top": {"all": 1, "full-body": 0},
        "skirt": {"all": 2, "full-body": 2},
    }
    licensed = [{"license": {"id": i}} for i in ("b", "a", "b", "c")]
    assert list(counts.licence_counts(licensed).items()) == [("b", 2), ("a", 1), ("c", 1)]


def test_box_label_stays_inside_and_legible():
    image = Image.new("RGB", (100, 60), (128, 128, 128))
    yellow = (210, 245, 60)
    draw.draw_box(image, [80, 10, 99, 50], yellow, label="trousers")
    px = np.asarray(image)
    # the label strip was moved left to fit: its fill starts before the box does
    assert (px[12, :80] == yellow).all(axis=1).any()
    # black text on the light fill (white would vanish), none on the dark one
    assert draw.text_colour(yellow) == (0, 0, 0) and draw.text_colour((0, 0, 128)) == draw.WHITE
    assert ((px[10:25] == (0, 0, 0)).all(axis=2)).any()
