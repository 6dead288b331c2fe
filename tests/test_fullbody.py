"""The full-body rule on hand-built annotations: one case per reason."""

import pytest

from humanprep.datasets.deepfashion2.fullbody import REASONS, decide, filter_records

H = 200


def g(cat, box, viewpoint=2, zoom_in=1, occlusion=1, item=1):
    names = {1: "short sleeve top", 8: "trousers", 9: "skirt", 11: "long sleeve dress"}
    return {
        "item": item,
        "category_id": cat,
        "category_name": names[cat],
        "bbox": box,
        "viewpoint": viewpoint,
        "zoom_in": zoom_in,
        "occlusion": occlusion,
    }


def rec(*garments):
    return {"id": "x", "image": {"height": H}, "deepfashion2": {"garments": list(garments)}}


TOP = [10, 30, 90, 100]  # y 30-100
TROUSERS = [10, 95, 90, 190]  # y 95-190: union 30-190 = 160 px = 0.8 H, 30 px head room


@pytest.mark.parametrize(
    "record, reason",
    [
        (rec(g(1, TOP), g(8, TROUSERS)), "accepted"),
        (rec(g(11, [10, 30, 90, 190])), "accepted"),  # a dress covers both
        (rec(), "no_annotation"),
        (rec(g(1, TOP, viewpoint=1), g(8, TROUSERS, viewpoint=1)), "not_worn"),
        (rec(g(8, TROUSERS)), "no_upper_garment"),
        (rec(g(1, TOP), g(8, TROUSERS, viewpoint=1)), "no_lower_garment"),
        (rec(g(1, TOP), g(8, TROUSERS, zoom_in=2)), "zoomed_in"),
        (rec(g(1, TOP, occlusion=3), g(8, TROUSERS)), "occluded"),
        (rec(g(1, [10, 60, 90, 100]), g(9, [10, 95, 90, 150])), "too_short"),  # 90 px < 100
        (rec(g(1, [10, 5, 90, 100]), g(8, TROUSERS)), "no_head_room"),  # 5 < 0.08 * 200
        (rec(g(1, TOP), g(8, [10, 95, 90, 199])), "no_feet_room"),  # 1 px < 4 px
    ],
)
def test_each_reason(record, reason):
    assert reason in REASONS
    assert decide(record)[0] == reason


def test_thresholds_come_from_config():
    short = rec(g(1, [10, 60, 90, 100]), g(9, [10, 95, 90, 150]))
    assert decide(short, {"min_height_fraction": 0.4})[0] == "accepted"  # 90 px >= 80
    zoomed = rec(g(1, TOP), g(8, TROUSERS, zoom_in=2))
    assert decide(zoomed, {"max_zoom_in": 2})[0] == "accepted"


def test_filter_keeps_order_and_explains_rejections():
    a = {**rec(g(1, TOP), g(8, TROUSERS)), "id": "a"}
    b = {**rec(g(8, TROUSERS)), "id": "b"}
    kept, decisions = filter_records([a, b])
    assert [r["id"] for r in kept] == ["a"]
    assert decisions[1] == {"id": "b", "reason": "no_upper_garment", "detail": "worn: trousers"}
