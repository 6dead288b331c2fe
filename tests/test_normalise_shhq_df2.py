import json

import numpy as np
import pytest

from humanprep.datasets.deepfashion2.normalise import parse_annotation
from humanprep.datasets.shhq.normalise import (
    keypoints_record,
    parse_keypoint_lines,
    parsing_to_classes,
)
from humanprep.items import BadItem
from humanprep.store import item_key


def test_parsing_colours_to_class_ids():
    rgb = np.array(
        [[[0, 0, 0], [255, 0, 0], [16, 78, 139]], [[50, 205, 50], [144, 238, 144], [0, 0, 0]]],
        dtype=np.uint8,
    )
    # background 0, hair 2, face 13 / accessories 16, skin 10 (docs/formats.md palette)
    assert parsing_to_classes(rgb).tolist() == [[0, 2, 13], [16, 10, 0]]


def test_parsing_unknown_colour_is_bad():
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[1, 0] = (1, 2, 3)
    with pytest.raises(BadItem, match=r"\(1, 2, 3\) at \(0, 1\)"):
        parsing_to_classes(rgb)


def _line(name, pairs):
    return name + " " + " ".join(f"{x} {y}" for x, y in pairs)


def test_keypoint_lines_and_out_of_width_rules():
    pts = [(10.0, 20.0)] * 24 + [(-1, -1)]
    wide = [(300.0, 40.0)] + [(50.0, 60.0)] * 24
    parsed = parse_keypoint_lines([_line("image_000001.jpg", pts), _line("image_000002.jpg", wide)])
    triples, status = keypoints_record(parsed["image_000001"], 128, "drop")
    assert status == "ok" and triples[0] == [10.0, 20.0, 2] and triples[24] == [0, 0, 0]
    assert keypoints_record(parsed["image_000002"], 128, "drop") == (
        [[0, 0, 0]] * 25,
        "dropped_out_of_width",
    )
    halved, status = keypoints_record(parsed["image_000002"], 128, "halve_x")
    assert status == "halved_x" and halved[0] == [150.0, 40.0, 2] and halved[1] == [25.0, 60.0, 2]
    kept, status = keypoints_record(parsed["image_000002"], 128, "keep")
    assert status == "kept_out_of_width" and kept[0] == [300.0, 40.0, 2]
    with pytest.raises(BadItem):
        keypoints_record(parsed["image_000002"], 128, "quarantine")
    assert keypoints_record(None, 128, "drop")[1] == "missing"


def test_keypoint_line_wrong_field_count_quarantines_only_that_image():
    good = _line("b.jpg", [(10.0, 20.0)] * 25)
    parsed = parse_keypoint_lines(["a.jpg 1 2", good, "c.jpg " + "x " * 50])
    assert parsed["a"] == "line 1: 3 fields, expected 51" and len(parsed["b"]) == 25
    with pytest.raises(BadItem, match="line 1: 3 fields"):
        keypoints_record(parsed["a"], 128, "drop")
    with pytest.raises(BadItem, match="line 3: could not convert"):
        keypoints_record(parsed["c"], 128, "drop")


def _item(cat_id, name, n_landmarks, **extra):
    item = {
        "segmentation": [[1, 1, 50, 1, 50, 50], [60, 60, 70, 60, 70, 70]],
        "landmarks": [5, 6, 2] * n_landmarks,
        "category_name": name,
        "bounding_box": [1, 1, 70, 70],
        "style": 1,
        "scale": 2,
        "occlusion": 1,
        "zoom_in": 1,
        "viewpoint": 2,
        "category_id": cat_id,
    }
    item.update(extra)
    return item


def test_deepfashion2_annotation_parsed_in_item_order():
    doc = {
        "item2": _item(8, "trousers", 14),
        "pair_id": 7,
        "item1": _item(1, "short sleeve top", 25, bounding_box=[-3, 2, 120, 90]),
        "source": "user",
    }
    out = parse_annotation(json.dumps(doc).encode(), width=100, height=80)
    assert out["source"] == "user" and out["pair_id"] == 7
    top, trousers = out["garments"]
    assert (top["item"], trousers["item"]) == (1, 2)
    assert top["bbox"] == [0, 2, 100, 80] and "bounding box clipped to the image" in top["fixes"]
    assert len(top["landmarks"]) == 25 and len(trousers["landmarks"]) == 14
    assert trousers["segmentation"] == doc["item2"]["segmentation"] and trousers["fixes"] == []


def test_deepfashion2_garment_without_landmarks_is_kept():
    out = parse_annotation(
        json.dumps({"source": "shop", "pair_id": 3, "item1": _item(9, "skirt", 0)}), 100, 80
    )
    assert out["garments"][0]["landmarks"] == [[0, 0, 0]] * 8  # skirt: landmarks 182-189


def test_deepfashion2_landmark_outside_marked_unlabelled():
    item = _item(7, "shorts", 10)
    item["landmarks"][0:3] = [150, 10, 2]
    out = parse_annotation(json.dumps({"source": "shop", "pair_id": 1, "item1": item}), 100, 80)
    assert out["garments"][0]["landmarks"][0] == [0, 0, 0]
    assert out["garments"][0]["landmarks"][1] == [5, 6, 2]


@pytest.mark.parametrize(
    "item, message",
    [
        (_item(1, "trousers", 25), "is not named 'trousers'"),
        (_item(1, "short sleeve top", 25, bounding_box=["1", 1, 70, 70]), "not a number"),
    ],
)
def test_deepfashion2_bad_items(item, message):
    with pytest.raises(BadItem, match=message):
        parse_annotation(json.dumps({"source": "shop", "pair_id": 1, "item1": item}), 100, 80)


def test_item_key():
    assert item_key("image_000001") == "image_000001"
    name = item_key("flux_batch1/images0/Algeria_female_50~60 years old_844")
    assert not set(name) & set("/ ~.")  # WebDataset cuts a member name at its first dot
    assert name != item_key("flux_batch1/images0/Algeria_female_50~60 years old_845")
    assert item_key("a.b") != item_key("a_b")


def test_fdh_licence_ids():
    from humanprep.datasets.fdh.normalise import licence_id

    assert licence_id("http://creativecommons.org/licenses/by-nc-sa/2.0/") == "CC-BY-NC-SA-2.0"
    assert licence_id("https://creativecommons.org/licenses/by/2.0/") == "CC-BY-2.0"
    assert licence_id(None) == "unknown"


def test_fdh_keypoint_units_detected():
    from humanprep.datasets.fdh.normalise import keypoints_in_pixels

    array = np.zeros((17, 3))
    array[0] = (0.5, 0.25, 1.0)
    array[1] = (1.0, 1.0, 0.9)
    points, units = keypoints_in_pixels(array, 160, 288)
    assert units == "normalised"
    assert (
        points[0] == [80.0, 72.0, 2] and points[1] == [160.0, 288.0, 2] and points[2] == [0, 0, 0]
    )
    array[0] = (80.0, 72.0, 1.0)
    points, units = keypoints_in_pixels(array, 160, 288)
    assert units == "pixels" and points[0] == [80.0, 72.0, 2]
    with pytest.raises(BadItem, match="expected"):
        keypoints_in_pixels(np.zeros((16, 3)), 160, 288)


def test_fdh_opt_outs_by_user_id_and_no_cv_tag():
    from humanprep.datasets.fdh.normalise import opt_out_reason

    ctx = {"opt_out": {"1@N00"}, "opt_out_ids": {"42"}}
    assert opt_out_reason("0000007", {"user_nsid": "1@N00"}, ctx) == "Flickr user 1@N00 opted out"
    assert opt_out_reason("0000042", {"user_nsid": "2@N00"}, ctx) == "photo tagged no_cv"
    assert opt_out_reason("7", {"user_nsid": "2@N00", "tags": "beach no_cv"}, ctx)
    assert opt_out_reason("7", {"user_nsid": "2@N00", "tags": "beach"}, ctx) is None
