"""Typed validation at normalisation: each hostile value users met is repaired with an exact
fix or quarantines one item (never a crash of the shard, never a silent change), and a
quarantined item leaves nothing behind. Inputs are real-shaped raw files."""

import io
import json
import re
import tarfile

import numpy as np
import pytest
from PIL import Image

from humanprep.datasets.deepfashion2.fullbody import decide
from humanprep.datasets.deepfashion2.normalise import parse_annotation
from humanprep.io import dumps, read_jsonl, write_jsonl
from humanprep.items import BadItem
from humanprep.normalise.shard import normalise_shard, write_shard_outputs
from humanprep.report import draw
from humanprep.store import item_key

W, H = 100, 200


def item(cat_id=1, name="short sleeve top", n_landmarks=25, **extra):
    """One garment as DeepFashion2's per-image JSON holds it (key order as released)."""
    raw = {
        "segmentation": [[10, 30, 90, 30, 90, 100, 10, 100]],
        "scale": 2,
        "viewpoint": 2,
        "zoom_in": 1,
        "landmarks": [20, 40, 2] * n_landmarks,
        "style": 1,
        "bounding_box": [10, 30, 90, 100],
        "category_id": cat_id,
        "occlusion": 1,
        "category_name": name,
    }
    raw.update(extra)
    return raw


def trousers(**extra):
    base = {
        "segmentation": [[20, 100, 80, 100, 80, 190, 20, 190]],
        "bounding_box": [20, 100, 80, 190],
    }
    return item(8, "trousers", 14, **{**base, **extra})


def doc_text(*items, source="user", pair_id=3):
    doc = {"source": source, "pair_id": pair_id}
    doc.update({f"item{i}": it for i, it in enumerate(items, 1)})
    return json.dumps(doc)


def parse(*items):
    return parse_annotation(doc_text(*items).encode(), W, H)


def record_of(annotation):
    return {"id": "train/000001", "image": {"width": W, "height": H}, "deepfashion2": annotation}


# ----------------------------------------------------------------------- wrong types, NaN


@pytest.mark.parametrize(
    "raw_item, reason",
    [
        (
            item(bounding_box=["10", "30", "90", "100"]),
            "item1 bounding_box holds a value that is not a number: [0] is '10' (str)",
        ),
        (
            item(bounding_box=[10, 30, 90]),
            "item1 bounding_box has the wrong length: 3 values, expected 4",
        ),
        (item(bounding_box=None), "item1 bounding_box is not a list: None (NoneType)"),
        (
            item(landmarks=[20, "40", 2] * 25),
            "item1 landmarks holds a value that is not a number: [1] is '40' (str)",
        ),
        (item(landmarks=7), "item1 landmarks is not a list: 7 (int)"),
        (item(category_id="1"), "item1 category_id is not a number: '1' (str)"),
        (item(category_id=14), "item1 category_id is out of range: 14, expected one of"),
        (item(occlusion=4), "item1 occlusion is out of range: 4, expected one of [1, 2, 3]"),
        (item(zoom_in=1.5), "item1 zoom_in is not a whole number: 1.5"),
        (item(viewpoint=True), "item1 viewpoint is not a number: True (bool)"),
        (item(style=-1), "item1 style is negative: -1"),
        (item(category_name=None), "item1 category_name is not a string: None (NoneType)"),
        ({"bounding_box": [1, 2, 3, 4]}, "item1 malformed annotation: no 'category_id'"),
        ("a garment", "item1 is not an object: 'a garment' (str)"),
    ],
)
def test_wrong_types_quarantine_the_image(raw_item, reason):
    with pytest.raises(BadItem) as err:
        parse(raw_item)
    assert str(err.value).startswith(reason)


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            '"bounding_box": [10, NaN, 90, 100]',
            "item1 bounding_box holds a value that is not finite: [1] is nan",
        ),
        (
            '"bounding_box": [10, 30, Infinity, 100]',
            "item1 bounding_box holds a value that is not finite: [2] is inf",
        ),
        (
            '"segmentation": [[10, 30, 90, 30, -Infinity, 100]]',
            "item1 segmentation polygon 0 holds a value that is not finite: [4] is -inf",
        ),
        (
            '"landmarks": [NaN, 1, 2]',
            "item1 landmarks holds a value that is not finite: [0] is nan",
        ),
    ],
)
def test_nan_or_infinity_anywhere_quarantines(text, reason):
    """Python's json reads NaN and Infinity; the record could not be written back as JSON."""
    key = text.split(":")[0].strip('"')
    raw = json.loads(doc_text(item()))
    raw["item1"][key] = "@"
    data = json.dumps(raw).replace('"@"', text.split(": ", 1)[1])
    with pytest.raises(BadItem, match=re.escape(reason)):
        parse_annotation(data.encode(), W, H)


@pytest.mark.parametrize(
    "doc, reason",
    [
        (
            '{"source": "web", "pair_id": 1}',
            "annotation source is not 'shop' or 'user': 'web' (str)",
        ),
        ('{"source": "user", "pair_id": "1"}', "annotation pair_id is not a number: '1' (str)"),
        ('{"source": "user"}', "annotation malformed annotation: no 'pair_id'"),
        ("[1, 2]", "annotation is not an object: [1, 2] (list)"),
        ("{", "annotation unreadable"),
        (b"\xff\xfe{", "annotation unreadable"),
    ],
)
def test_bad_documents_quarantine(doc, reason):
    with pytest.raises(BadItem, match=re.escape(reason)):
        parse_annotation(doc if isinstance(doc, bytes) else doc.encode(), W, H)


# ---------------------------------------------------------------------------- geometry


def test_inverted_box_is_reordered_with_a_fix_and_every_stage_copes():
    out = parse(item(bounding_box=[90, 100, 10, 30]), trousers())
    top = out["garments"][0]
    assert top["bbox"] == [10, 30, 90, 100]
    assert top["fixes"] == ["bounding box corners reordered: given as [90, 100, 10, 30]"]
    # the same decision as for the box given the right way round
    assert decide(record_of(out)) == decide(record_of(parse(item(), trousers())))


def test_box_outside_the_image_drops_the_garment_with_a_fix():
    """Before: the box became [0, 0, 0, 0] and turned the image's accept into no_head_room."""
    outside = item(5, "vest", 15, bounding_box=[-50, -80, -5, -1])
    out = parse(item(), trousers(), outside)
    assert [g["item"] for g in out["garments"]] == [1, 2]
    assert out["fixes"] == ["garment outside the image dropped: item3 (vest)"]
    assert decide(record_of(out)) == ("accepted", None)
    beyond = parse(item(bounding_box=[W + 1, 10, W + 30, 40]))  # right of the image
    assert beyond["garments"] == [] and beyond["fixes"] == [
        "garment outside the image dropped: item1 (short sleeve top)"
    ]


def test_box_touching_the_edge_from_outside_is_dropped_but_a_flat_box_inside_is_kept():
    assert parse(item(bounding_box=[W, 10, W + 20, 40]))["garments"] == []
    flat = parse(item(bounding_box=[10, 30, 10, 100]))["garments"][0]
    assert flat["bbox"] == [10, 30, 10, 100] and flat["fixes"] == []


def test_partly_outside_box_is_clipped_as_before():
    top = parse(item(bounding_box=[-3, 2, 120, 90]))["garments"][0]
    assert top["bbox"] == [0, 2, W, 90] and top["fixes"] == ["bounding box clipped to the image"]


@pytest.mark.parametrize(
    "polygon, fix",
    [
        (
            [10, 30, 90, 30, 90],
            "polygon with an odd number of values dropped: item1 segmentation polygon 1 has 5",
        ),
        (
            [10, 30, 90, 30],
            "polygon with fewer than 3 points dropped: item1 segmentation polygon 1 has 2",
        ),
        ([], "polygon with fewer than 3 points dropped: item1 segmentation polygon 1 has 0"),
        (7, "polygon that is not a list dropped: item1 segmentation polygon 1 is 7 (int)"),
        (
            [10, "a", 90, 30, 90, 100],
            "polygon with a value that is not a number dropped: item1 segmentation polygon 1",
        ),
        (
            [[10, 30], [90, 30], [90, 100]],
            "polygon with a value that is not a number dropped: item1 segmentation polygon 1",
        ),
    ],
)
def test_bad_polygons_are_dropped_with_a_fix(polygon, fix):
    good = [10, 30, 90, 30, 90, 100, 10, 100]
    garment = parse(item(segmentation=[good, polygon]))["garments"][0]
    assert garment["segmentation"] == [good] and garment["fixes"] == [fix]


def test_segmentation_that_is_not_a_list_is_dropped_with_a_fix():
    garment = parse(item(segmentation=5))["garments"][0]
    assert garment["segmentation"] == []
    assert garment["fixes"] == ["segmentation that is not a list dropped: it was 5 (int)"]


def test_landmarks_of_the_wrong_length_are_unlabelled_with_a_fix():
    garment = parse(item(landmarks=[20, 40, 2] * 24))["garments"][0]  # 24 of 25
    assert garment["landmarks"] == [[0, 0, 0]] * 25
    assert garment["fixes"] == [
        "landmarks of the wrong count marked unlabelled: 72 values for category 1, expected 75"
    ]


def test_full_294_landmark_vector_keeps_the_category_slice():
    flat = [0, 0, 0] * 294
    flat[3 * 168 : 3 * 182] = [30, 150, 2] * 14  # trousers: landmarks 169-182
    garment = parse(trousers(landmarks=flat))["garments"][0]
    assert garment["landmarks"] == [[30, 150, 2]] * 14
    assert garment["fixes"] == ["full landmark vector cut to the category: landmarks 169-182 kept"]


def test_landmark_visibility_outside_0_to_2_is_unlabelled_with_a_fix():
    flat = [20, 40, 2] * 25
    flat[2] = 3
    garment = parse(item(landmarks=flat))["garments"][0]
    assert garment["landmarks"][0] == [0, 0, 0] and garment["landmarks"][1] == [20, 40, 2]
    assert garment["fixes"] == ["landmark of unknown visibility marked unlabelled: (20, 40, 3)"]


def test_item_keys_not_numbered_1_to_99_are_ignored_with_a_fix():
    raw = json.loads(doc_text(item()))
    raw["item0"] = item()
    raw["item100"] = item()
    raw["item01"] = item()
    out = parse_annotation(json.dumps(raw).encode(), W, H)
    assert [g["item"] for g in out["garments"]] == [1]
    assert out["fixes"] == [  # in the file's key order
        "key not numbered 1-99 ignored: 'item0'",
        "key not numbered 1-99 ignored: 'item100'",
        "key not numbered 1-99 ignored: 'item01'",
    ]
    assert out["item_order"] == [1]


def test_clean_annotation_has_no_fixes_key():
    out = parse(item(), trousers())
    assert "fixes" not in out and all(g["fixes"] == [] for g in out["garments"])


# ------------------------------------------------------------------- report drawing copes


def test_inverted_box_draws_like_the_ordered_one():
    def canvas():
        return Image.new("RGB", (60, 40), (255, 255, 255))

    a = draw.draw_box(canvas(), [50, 30, 10, 5], draw.RED, label="vest")
    b = draw.draw_box(canvas(), [10, 5, 50, 30], draw.RED, label="vest")
    assert a.tobytes() == b.tobytes()


def test_box_far_outside_draws_what_shows():
    def canvas():
        return Image.new("RGB", (60, 40), (255, 255, 255))

    far = draw.draw_box(canvas(), [-1e300, 5, 50, 1e300], draw.RED, label="vest")
    near = draw.draw_box(canvas(), [-60, 5, 50, 80], draw.RED, label="vest")
    assert far.tobytes() == near.tobytes() != canvas().tobytes()


def test_odd_polygon_draws_its_whole_points():
    canvas = Image.new("RGB", (40, 30), (255, 255, 255))
    odd = draw.draw_polygon(canvas.copy(), [5, 5, 30, 5, 30, 20, 7], draw.ORANGE)
    even = draw.draw_polygon(canvas.copy(), [5, 5, 30, 5, 30, 20], draw.ORANGE)
    assert odd.tobytes() == even.tobytes() != canvas.tobytes()


# ------------------------------------------------------------- shards: one item, nothing left


def jpeg(path, size=(W, H)):
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return str(path)


def test_hostile_annotation_quarantines_one_image_not_the_shard(tmp_path):
    """Before: a bbox of strings crashed the whole shard with a TypeError."""
    entries = []
    for number, text in (
        (1, doc_text(item(), trousers())),
        (2, doc_text(item(bounding_box=["a", 1, 2, 3]))),
    ):
        ann = tmp_path / f"{number:06d}.json"
        ann.write_text(text)
        files = {"image": jpeg(tmp_path / f"{number:06d}.jpg"), "annotation": str(ann)}
        entries.append({"id": f"train/{number:06d}", "files": files})
    nan = tmp_path / "000003.json"
    nan.write_text(doc_text(item()).replace("[10, 30, 90, 100]", "[10, NaN, 90, 100]"))
    entries.append(
        {"id": "train/000003", "files": {"image": jpeg(tmp_path / "3.jpg"), "annotation": str(nan)}}
    )
    out = tmp_path / "out"
    records, quarantine = normalise_shard("deepfashion2", "000", entries, {}, {}, out)
    assert [r["id"] for r in records] == ["train/000001"]
    assert [(q["id"], q["reason"]) for q in quarantine] == [
        ("train/000002", "item1 bounding_box holds a value that is not a number: [0] is 'a' (str)"),
        ("train/000003", "item1 bounding_box holds a value that is not finite: [1] is nan"),
    ]
    with tarfile.open(out / "train.tar") as tar:  # nothing of the quarantined two
        assert {m.name.split(".")[0] for m in tar.getmembers()} == {item_key("train/000001")}
    write_shard_outputs(records, quarantine, tmp_path / "r.jsonl", tmp_path / "q.jsonl")
    assert read_jsonl(tmp_path / "r.jsonl") == records


def test_quarantined_huge100k_item_leaves_no_image_behind(tmp_path):
    """The demo's short video (23 frames) is quarantined after its reference image was
    written: nothing of the item stays in the normalised folder."""
    from humanprep.datasets.huge100k import demo as demo

    index = demo.NAMES.index(demo.SHORT_VIDEO)
    batch, group, name = demo.SUBJECTS[index]
    files = {}
    for role, (member, data) in zip(
        ("reference", "video", "params"), demo.subject_members(index, 0), strict=True
    ):
        path = tmp_path / member.rsplit("/", 1)[1]
        path.write_bytes(data)
        files[role] = str(path)
    write_jsonl(tmp_path / "m.jsonl", [{"id": f"{batch}/{group}/{name}", "files": files}])
    out = tmp_path / "out"
    records, quarantine = normalise_shard(
        "huge100k", "000", read_jsonl(tmp_path / "m.jsonl"), {}, {}, out
    )
    assert records == [] and quarantine[0]["reason"] == "video has 23 frames, expected 24"
    assert list(out.iterdir()) == []


def test_nan_in_huge100k_parameters_quarantines(tmp_path):
    from humanprep.datasets.huge100k import demo as demo
    from humanprep.datasets.huge100k.normalise import check_finite
    from humanprep.datasets.huge100k.torchpickle import dumps_npy_like_huge100k

    params = {"smpl_params": np.zeros(189, np.float32), "poses": demo.cameras("x")}
    check_finite(params)
    params["poses"][5][1] = np.array([1120, np.inf, 320, 448], np.float32)
    with pytest.raises(BadItem, match="hold NaN or infinity: in camera 5"):
        check_finite(params)
    params["smpl_params"][3] = np.nan
    with pytest.raises(BadItem, match="hold NaN or infinity: in smpl_params"):
        check_finite(params)
    assert dumps_npy_like_huge100k(params)  # the real format can carry it


def test_shhq_nan_keypoint_quarantines_one_image():
    from humanprep.datasets.shhq.normalise import keypoints_record, parse_keypoint_lines

    parsed = parse_keypoint_lines(["image_000001.jpg " + "nan 1 " + "10 20 " * 24])
    with pytest.raises(BadItem, match="keypoints hold NaN or infinity"):
        keypoints_record(parsed["image_000001"], 512, "drop")


@pytest.mark.parametrize(
    "meta, reason",
    [
        ([], "metadata.json entry is not an object: [] (list)"),
        ({"cateogry": "test"}, "metadata.json cateogry is not train or val: 'test' (str)"),
        (
            {"cateogry": "train", "author": 5},
            "metadata.json author is not a string or null: 5 (int)",
        ),
        (
            {"cateogry": "train", "user_nsid": ["1@N00"]},
            "metadata.json user_nsid is not a string or null: ['1@N00']",
        ),
        (
            {"cateogry": "val", "yfcc100m_line_idx": "12"},
            "metadata.json yfcc100m_line_idx is not a number: '12'",
        ),
        (
            {"cateogry": "val", "license_url": 1.5},
            "metadata.json license_url is not a string or null: 1.5 (float)",
        ),
    ],
)
def test_fdh_metadata_types_quarantine(meta, reason):
    from humanprep.datasets.fdh.normalise import check_metadata

    with pytest.raises(BadItem) as err:
        check_metadata(meta)
    assert str(err.value).startswith(reason)


@pytest.mark.parametrize(
    "array, reason",
    [
        (np.array(["a"] * 51).reshape(17, 3), "keypoints.npy holds no numbers: <U1"),
        (np.full((17, 3), np.nan), "expected (17, 3) finite values"),
    ],
)
def test_fdh_keypoint_arrays_quarantine(array, reason):
    from humanprep.datasets.fdh.normalise import keypoints_in_pixels, load_keypoints

    buf = io.BytesIO()
    np.save(buf, array)
    with pytest.raises(BadItem, match=re.escape(reason)):
        keypoints_in_pixels(load_keypoints(buf.getvalue()), 160, 288)
    with pytest.raises(BadItem, match="keypoints.npy unreadable"):
        load_keypoints(b"not an npy file")


def test_celeba_captions_not_utf8_quarantine(tmp_path):
    from humanprep.datasets.celeba.normalise import read_captions

    path = tmp_path / "1.txt"
    path.write_bytes(b"a face\n" * 9 + b"\xff\n")
    with pytest.raises(BadItem, match="captions are not UTF-8 text"):
        read_captions(path)


def test_dumps_refuses_nan_so_the_check_comes_first():
    from humanprep.normalise.shard import checked

    with pytest.raises(ValueError):
        dumps({"a": float("nan")})
    with pytest.raises(
        BadItem, match=r"record holds a value that is not finite: record.image.sha\[1\]"
    ):
        checked({"image": {"sha": [1.0, float("inf")]}})


# ------------------------------------------------- found by the property-based tests


def test_coco_box_thinner_than_the_rounding_comes_from_the_polygons():
    """[0, 0, 1, 0.0039] rounds to a 0-high COCO box, which cannot match itself (AP 0)."""
    from collections import Counter

    from humanprep.datasets.deepfashion2.coco import garment_annotation

    annotation = parse(
        item(bounding_box=[0, 0, 1.0, 0.00390625], segmentation=[[0, 2, 0, 0, 1, 0]])
    )
    record = df2_full_record(annotation)
    counts = Counter()
    ann = garment_annotation(record, 1000001, record["deepfashion2"]["garments"][0], counts)
    assert ann["bbox"][2] > 0 and ann["bbox"][3] > 0 and counts["bbox_from_polygons"] == 1


def df2_full_record(annotation):
    return {
        "id": "train/000001",
        "image": {"width": W, "height": H},
        "deepfashion2": annotation,
    }


def overflowing_orbit():
    from humanprep.datasets.huge100k import demo as demo

    w2cs = [w2c.astype(np.float64) for w2c, _ in demo.cameras("x")]
    w2cs[5] = np.diag([1e308, 1e308, 1e308, 1.0])
    w2cs[5][:3, 3] = 1e308  # centre -R^T t overflows; so does the viewing direction score
    return w2cs


@pytest.mark.parametrize(
    "w2cs, problem",
    [
        ([np.eye(4)] * 24, "the camera centres do not span a circle"),
        ([np.zeros((4, 4))] * 24, "the camera centres do not span a circle"),
        (overflowing_orbit(), "a camera centre is not a finite point"),
    ],
)
def test_views_of_degenerate_cameras_say_so_in_valid_json(w2cs, problem):
    from humanprep.datasets.huge100k.views import front_view, orbit_check

    orbit = orbit_check(w2cs)
    assert orbit == {"centre": None, "radius": None, "outliers": [], "problem": problem}
    front, score = front_view([0.0, 0.0, 0.0], w2cs)
    assert json.loads(dumps({"orbit": orbit, "front": [front, score]}))
