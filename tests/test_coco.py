"""COCO exports on hand-built records: hand-computed values, then real consumers
(pycocotools COCO / annToMask / COCOeval self-evaluation at AP 1.0, faster-coco-eval)."""

import contextlib
import hashlib
import io
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from storeutil import nowhere, put_png

from humanprep import coco
from humanprep.coco import ids
from humanprep.coco.common import IMAGES_ROOT, class_annotations, read_label_map
from humanprep.coco.masks import clean_polygons, encode, rle_area, rle_bbox, shoelace_area
from humanprep.coco.writer import num
from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.celeba.formats import PARTS
from humanprep.datasets.deepfashion2 import coco as df2
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES
from humanprep.datasets.shhq.formats import BODY_25, CLASS_NAMES
from humanprep.errors import HumanprepError
from humanprep.io import dumps
from humanprep.stages.coco import run_export

REPO = Path(__file__).resolve().parent.parent
FOLDER = {"train": "train", "val": "validation", "test": "test"}
SHARD = "shard-00000"


# ---------------------------------------------------------------- record builders


def image(path, width, height):
    return {
        "path": path,
        "width": width,
        "height": height,
        "sha256": "0" * 64,
        "format": "jpeg",
        "reencoded": None,
    }


def garment(item, cat, box, polygons, landmarks=None, **attrs):
    start, stop = LANDMARK_SLICES[cat]
    if landmarks is None:  # labelled points on a line inside the box, every third unlabelled
        x1, y1, x2, y2 = box
        k = stop - start
        landmarks = [
            [0, 0, 0] if i % 3 == 2 else [x1 + (x2 - x1) * (i + 1) / (k + 1), (y1 + y2) / 2, 2]
            for i in range(k)
        ]
    return {
        "item": item,
        "category_id": cat,
        "category_name": CATEGORIES[cat],
        "style": attrs.get("style", 1),
        "bbox": box,
        "landmarks": landmarks,
        "segmentation": polygons,
        "scale": attrs.get("scale", 2),
        "occlusion": attrs.get("occlusion", 1),
        "zoom_in": attrs.get("zoom_in", 1),
        "viewpoint": attrs.get("viewpoint", 2),
        "fixes": [],
    }


def rect(x1, y1, x2, y2):
    return [x1, y1, x2, y1, x2, y2, x1, y2]


def df2_record(split, number, garments, width=200, height=300, annotated=True):
    item_id = f"{FOLDER[split]}/{number:06d}"
    return {
        "dataset": "deepfashion2",
        "id": item_id,
        "split": split,
        "image": image(nowhere(SHARD, item_id, "image.jpg", split), width, height),
        "license": {"id": "deepfashion2-research-only", "url": "https://example.invalid/df2"},
        "attribution": None,
        "deepfashion2": {
            "source": "shop" if annotated else None,
            "pair_id": number if annotated else None,
            "garments": garments,
        },
    }


def df2_records():
    return [
        df2_record(
            "train",
            1,
            [
                garment(1, 1, [20, 30, 120, 130], [rect(20, 30, 120, 130)]),
                garment(2, 8, [30.5, 140, 110.25, 290], [rect(30.5, 140, 110.25, 290)]),
            ],
        ),
        df2_record(
            "train",
            2,
            [
                garment(1, 8, [10, 10, 90, 200], [rect(10, 10, 50, 200), rect(50, 10, 90, 200)]),
                garment(2, 11, [100, 20, 190, 280], [[100, 20, 190, 20, 145, 280]]),
            ],
        ),
        df2_record("val", 1, [garment(1, 8, [40, 40, 160, 260], [rect(40, 40, 160, 260)])]),
        df2_record("test", 1, [], annotated=False),
    ]


def fdh_records(root):
    records = []
    for key, split, licence in (
        ("0000017", "train", ("CC-BY-2.0", "http://creativecommons.org/licenses/by/2.0/")),
        ("0000042", "train", ("CC-BY-NC-SA-2.0", "http://creativecommons.org/licenses/by-nc-sa/2.0/")),
        ("0000100", "val", ("CC-BY-2.0", "http://creativecommons.org/licenses/by/2.0/")),
    ):  # fmt: skip
        n = int(key)
        mask = np.zeros((288, 160), np.uint8)
        mask[20 + n % 7 : 270, 30 : 130 - n % 5] = 255
        keypoints = [[40 + 5 * i, 30 + 14 * i, 2] if i % 4 else [0, 0, 0] for i in range(17)]
        records.append(
            {
                "dataset": "fdh",
                "id": key,
                "split": split,
                "image": image(nowhere(SHARD, key, "image.png", split), 160, 288),
                "license": {"id": licence[0], "url": licence[1]},
                "attribution": {
                    "author": f"author {n}",
                    "title": f"photo {n}",
                    "source_url": f"https://flickr.com/photos/x/{n}",
                    "user_nsid": f"{n}@N00",
                },
                "fdh": {
                    "licence_tar": "cc-by-2",
                    "mask": put_png(root, SHARD, key, "mask.png", mask, split),
                    "maskrcnn_mask": None,
                    "e_mask": None,
                    "vertices": nowhere(SHARD, key, "vertices.npy", split),
                    "keypoints": keypoints,
                    "keypoint_units": "pixels",
                    "yfcc100m_line_idx": None,
                    "date_taken": None,
                },
            }
        )
    return records


def celeba_records(root):
    records = []
    for key, split in (("00000", "train"), ("00007", "train"), ("29999", "test")):
        label = np.zeros((16, 16), np.uint8)
        label[2:14, 3:13] = 1  # skin
        label[6:8, 5:7] = 4  # l_eye
        label[6:8, 9:11] = 5  # r_eye
        label[10:12, 6:10] = 10 if key != "29999" else 0  # mouth (absent in 29999)
        label[0:2, :] = 13  # hair
        parts = ["skin", "l_eye", "r_eye", "hair", "mouth"]
        records.append(
            {
                "dataset": "celeba",
                "id": key,
                "split": split,
                "image": image(nowhere(SHARD, key, "image.jpg", split), 32, 32),
                "license": {"id": "celebamask-hq-non-commercial-research", "url": None},
                "attribution": None,
                "celeba": {
                    "label_map": put_png(root, SHARD, key, "label_map.png", label, split),
                    "parts": parts,
                    "captions": [f"caption {i} of {key}" for i in range(10)],
                    "orig_idx": int(key) * 3,
                    "celeba_split": split,
                    "published_split": None,
                },
            }
        )
    return records


def shhq_records(root, with_segment=True):
    records = []
    for n in (1, 5, 12):
        seg = np.zeros((64, 32), np.uint8)
        seg[4 + n : 60, 6:26] = 255
        parsing = np.zeros((64, 32), np.uint8)
        parsing[4 + n : 14, 10:22] = 2  # hair
        parsing[14:40, 6:26] = 5  # tops
        parsing[40:60, 8:24] = 9  # pants
        points = [[8 + (i % 16), 5 + 2 * i, 2] if i % 5 else [0, 0, 0] for i in range(25)]
        stem = f"image_{n:06d}"
        segment = put_png(root, SHARD, stem, "segment.png", seg, "all") if with_segment else None
        records.append(
            {
                "dataset": "shhq",
                "id": stem,
                "split": "all",
                "image": image(nowhere(SHARD, stem, "image.jpg", "all"), 32, 64),
                "license": {
                    "id": "shhq-1.0-research-only",
                    "url": "https://stylegan-human.github.io/",
                },
                "attribution": None,
                "shhq": {
                    "segment": segment,
                    "parsing": put_png(root, SHARD, stem, "parsing.png", parsing, "all"),
                    "keypoints": points,
                    "keypoints_status": "ok",
                },
            }
        )
    return records


def write_shard(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(dumps(r) for r in records))
    return path


def run(dataset, records, root, out, fullbody=None):
    """Export through the stage's entry point (records from shard files, summary beside
    the folder)."""
    shard = write_shard(Path(root, "shard-00000.jsonl"), records)
    extra = [write_shard(Path(root, "fullbody", "shard-00000.jsonl"), fullbody)] if fullbody else []
    return run_export(dataset, [shard], root, out, Path(f"{out}.summary.json"), extra)


def load(path):
    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


# ---------------------------------------------------------------- hand-computed values


def test_image_and_annotation_ids():
    assert ids.image_id("deepfashion2", "train/000123") == 1_000_123
    assert ids.image_id("deepfashion2", "validation/000123") == 2_000_123
    assert ids.image_id("deepfashion2", "test/191961") == 3_191_961
    assert ids.image_id("fdh", "0001234") == 1234
    assert ids.image_id("celeba", "00042") == 42
    assert ids.image_id("shhq", "image_000017") == 17
    assert ids.annotation_id(1_000_123, 2) == 100_012_302
    for bad in (("deepfashion2", "train/1000000"), ("deepfashion2", "x/1"), ("shhq", "img_1")):
        with pytest.raises(HumanprepError):
            ids.image_id(*bad)
    with pytest.raises(HumanprepError):
        ids.annotation_id(5, 100)


def test_polygon_area_is_pycocotools_pixel_area():
    triangle = [0, 0, 10, 0, 0, 10]
    assert shoelace_area(triangle) == 50  # geometric area
    # pixels whose centre (x + .5, y + .5) is inside x + y < 10: x + y <= 8 -> 9+8+...+1 = 45
    polygons, rle, area = clean_polygons([triangle], 20, 20)
    assert (polygons, area) == ([triangle], 45)
    assert clean_polygons([rect(0, 0, 10, 10)], 20, 20)[2] == 100
    assert clean_polygons([rect(0, 0, 10, 10), rect(10, 0, 20, 5)], 20, 20)[2] == 150


def test_rle_area_and_box_of_a_known_mask():
    mask = np.zeros((5, 6), bool)
    mask[1:3, 2:5] = True
    rle = encode(mask)
    assert isinstance(rle["counts"], str) and rle["size"] == [5, 6]
    assert rle_area(rle) == 6
    assert rle_bbox(rle) == [2, 1, 3, 2]
    assert (mask_utils.decode({**rle, "counts": rle["counts"].encode()}) == mask).all()


def test_label_map_classes_become_one_annotation_each(tmp_path):
    """A 2x2 label map at a 4x4 image: each pixel becomes 2x2; class 3 is absent."""
    ref = put_png(tmp_path, SHARD, "x", "parsing.png", [[0, 1], [2, 2]])
    label = read_label_map(Path(tmp_path, ref), 3, 4, 4)
    anns = class_annotations(7, label, range(1, 4))
    assert [(a["id"], a["category_id"], a["area"], a["bbox"]) for a in anns] == [
        (701, 1, 4, [2, 0, 2, 2]),
        (702, 2, 8, [0, 2, 4, 2]),
    ]
    with pytest.raises(HumanprepError, match=r"parsing.png: .*values 0-1$"):
        read_label_map(Path(tmp_path, ref), 1, 4, 4)


def test_numbers_are_rounded_and_integral_values_are_ints():
    assert num(12.0) == 12 and isinstance(num(12.0), int)
    assert num(1 / 3) == 0.33 and num(2.675000001) == 2.68
    with pytest.raises(ValueError):
        num(math.nan)


def test_degenerate_polygons_dropped_and_counted(tmp_path):
    counts = Counter()
    polygons = [
        [1, 1, 5, 5],  # 2 points
        [1, 1, 5, 1, 5, 5, 9],  # odd length
        [0, 0, math.nan, 0, 0, 5],  # not finite
        [0, 0, 5, 5, 10, 10],  # collinear: zero area
        [0, 0, 0.4, 0, 0, 0.4],  # area > 0 but no pixel centre inside
        [-5, -5, 30, -5, 30, 8, -5, 8],  # clipped into the 20 x 10 image, kept
    ]
    kept, rle, area = clean_polygons(polygons, 20, 10, counts)
    assert kept == [[0, 0, 20, 0, 20, 8, 0, 8]] and area == 160
    assert counts == {
        "polygons_dropped_too_few_points": 1,
        "polygons_dropped_odd_length": 1,
        "polygons_dropped_non_finite": 1,
        "polygons_dropped_zero_area": 1,
        "polygons_dropped_empty_mask": 1,
    }
    records = [
        df2_record(
            "train",
            9,
            [
                garment(1, 1, [0, 0, 50, 50], [[1, 1, 5, 5], rect(0, 0, 50, 50)]),
                garment(2, 8, [0, 60, 50, 60], [[0, 60, 10, 60, 20, 60]]),  # all degenerate
            ],
        )
    ]
    stats = df2.export(records, tmp_path / "out")
    assert stats["counts"]["polygons_dropped_too_few_points"] == 1
    assert stats["counts"]["polygons_dropped_zero_area"] == 1
    assert stats["counts"]["annotations_without_valid_polygon"] == 1
    assert stats["files"]["instances_train.json"] == {"images": 1, "annotations": 1}


def test_deepfashion2_instances_hand_values(tmp_path):
    summary = run("deepfashion2", df2_records(), tmp_path / "norm", tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "instances_train.json",
            "instances_val.json",
            "instances_test.json",
            "landmarks_train_01_short_sleeve_top.json",
            "landmarks_train_08_trousers.json",
            "landmarks_train_11_long_sleeve_dress.json",
            "landmarks_val_08_trousers.json",
        ]
    )
    assert summary["files"]["instances_test.json"] == {"images": 1, "annotations": 0}
    doc = json.loads((out / "instances_train.json").read_text())
    assert [c["name"] for c in doc["categories"]] == [CATEGORIES[i] for i in range(1, 14)]
    assert {c["supercategory"] for c in doc["categories"]} == {"clothes"}
    assert doc["categories"][0]["keypoints"] == [str(i) for i in range(1, 295)]
    assert [i["id"] for i in doc["images"]] == [1_000_001, 1_000_002]
    # file_name: the image's member in the store, `<id made safe>-<8 hex of its sha256>.image.jpg`
    assert [i["file_name"] for i in doc["images"]] == [
        f"train_{n}-{hashlib.sha256(f'train/{n}'.encode()).hexdigest()[:8]}.image.jpg"
        for n in ("000001", "000002")
    ]
    assert doc["info"]["images_root"] == IMAGES_ROOT
    anns = {a["id"]: a for a in doc["annotations"]}
    assert sorted(anns) == [100_000_101, 100_000_102, 100_000_201, 100_000_202]
    trousers = anns[100_000_102]
    assert trousers["bbox"] == [30.5, 140, 79.75, 150]  # [x1, y1, x2, y2] -> [x, y, w, h]
    assert trousers["area"] == 79 * 150  # pixel centres inside: columns 31-109, rows 140-289
    assert trousers["iscrowd"] == 0
    assert {k: trousers[k] for k in df2.EXTRA_FIELDS + ("pair_id", "source")} == {
        "style": 1,
        "scale": 2,
        "occlusion": 1,
        "zoom_in": 1,
        "viewpoint": 2,
        "pair_id": 1,
        "source": "shop",
    }
    # category 8 (trousers) owns landmarks 168-181 (0-based) of the 294-vector
    vec = trousers["keypoints"]
    assert len(vec) == 294 * 3
    assert not any(vec[: 3 * 168]) and not any(vec[3 * 182 :])
    own = vec[3 * 168 : 3 * 182]
    assert own[2::3] == [0 if i % 3 == 2 else 2 for i in range(14)]
    assert trousers["num_keypoints"] == 10
    two_parts = anns[100_000_201]
    assert len(two_parts["segmentation"]) == 2 and two_parts["area"] == 80 * 190
    # the per-category file: same annotation, K = 14 keypoints, names = 294-vector positions
    lm = json.loads((out / "landmarks_train_08_trousers.json").read_text())
    assert lm["categories"] == [df2.landmark_category(8)]
    assert lm["categories"][0]["keypoints"] == [str(i) for i in range(169, 183)]
    assert [i["id"] for i in lm["images"]] == [1_000_001, 1_000_002]
    lm_trousers = {a["id"]: a for a in lm["annotations"]}[100_000_102]
    assert lm_trousers["keypoints"] == own
    assert {k: v for k, v in lm_trousers.items() if k != "keypoints"} == {
        k: v for k, v in trousers.items() if k != "keypoints"
    }
    test_doc = json.loads((out / "instances_test.json").read_text())
    assert test_doc["annotations"] == [] and test_doc["images"][0]["id"] == 3_000_001


def test_fdh_licences_attribution_and_mask(tmp_path):
    root = tmp_path / "norm"
    run("fdh", fdh_records(root), root, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "person_keypoints_train.json").read_text())
    assert doc["licenses"] == [
        {
            "id": 1,
            "name": "CC-BY-NC-SA-2.0",
            "url": "http://creativecommons.org/licenses/by-nc-sa/2.0/",
        },
        {"id": 4, "name": "CC-BY-2.0", "url": "http://creativecommons.org/licenses/by/2.0/"},
    ]
    img = {i["id"]: i for i in doc["images"]}
    assert img[17]["license"] == 4 and img[42]["license"] == 1
    assert img[17]["author"] == "author 17"
    assert img[17]["flickr_url"] == "https://flickr.com/photos/x/17"
    (cat,) = doc["categories"]
    assert cat["name"] == "person" and len(cat["keypoints"]) == 17
    assert cat["keypoints"][0] == "nose" and cat["skeleton"][0] == [16, 14]
    ann = {a["id"]: a for a in doc["annotations"]}[1701]
    # mask rows 23..269 (17 % 7 = 3), columns 30..127 (17 % 5 = 2)
    assert ann["bbox"] == [30, 23, 98, 247] and ann["area"] == 98 * 247
    assert ann["num_keypoints"] == 12 and len(ann["keypoints"]) == 51
    val = json.loads((tmp_path / "out" / "person_keypoints_val.json").read_text())
    assert [lic["id"] for lic in val["licenses"]] == [4]


def test_celeba_parts_scaled_to_image_with_captions(tmp_path):
    root = tmp_path / "norm"
    summary = run("celeba", celeba_records(root), root, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "face_parts_train.json").read_text())
    assert [c["name"] for c in doc["categories"]] == list(PARTS)
    assert [c["id"] for c in doc["categories"]] == list(range(1, 19))
    img = {i["id"]: i for i in doc["images"]}
    assert img[7]["captions"][3] == "caption 3 of 00007"
    anns = {a["id"]: a for a in doc["annotations"]}
    assert sorted(anns) == [1, 4, 5, 10, 13, 701, 704, 705, 710, 713]
    eye = anns[704]  # l_eye, rows 6-7, cols 5-6 of 16 x 16 -> x2 on the 32 x 32 image
    assert eye["bbox"] == [10, 12, 4, 4] and eye["area"] == 16
    assert eye["segmentation"]["size"] == [32, 32]
    test = json.loads((tmp_path / "out" / "face_parts_test.json").read_text())
    assert sorted(a["category_id"] for a in test["annotations"]) == [1, 4, 5, 13]
    assert summary["counts"]["parts_overwritten"] == 1  # 29999's mouth


def test_shhq_body25_and_parsing(tmp_path):
    root = tmp_path / "norm"
    records = shhq_records(root)
    records[0]["shhq"]["keypoints"][1] = [40, 5, 2]  # x 40 > width 32: exported unlabelled
    summary = run("shhq", records, root, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "person_keypoints_all.json").read_text())
    (cat,) = doc["categories"]
    assert cat["keypoints"] == list(BODY_25) and len(cat["skeleton"]) == 24
    assert all(1 <= a <= 25 and 1 <= b <= 25 for a, b in cat["skeleton"])
    ann = {a["id"]: a for a in doc["annotations"]}[101]
    assert ann["bbox"] == [6, 5, 20, 55] and ann["area"] == 20 * 55
    assert ann["keypoints"][3:6] == [0, 0, 0] and ann["num_keypoints"] == 19
    assert summary["counts"]["keypoints_outside_image"] == 1
    parsing = json.loads((tmp_path / "out" / "parsing_all.json").read_text())
    assert [c["name"] for c in parsing["categories"]] == list(CLASS_NAMES[1:])
    assert sorted(a["id"] for a in parsing["annotations"] if a["image_id"] == 5) == [
        502,
        505,
        509,
    ]


def test_shhq_without_segment_mask_keeps_keypoints(tmp_path):
    root = tmp_path / "norm"
    run("shhq", shhq_records(root, with_segment=False), root, tmp_path / "out")
    doc = json.loads((tmp_path / "out" / "person_keypoints_all.json").read_text())
    ann = doc["annotations"][0]
    assert "segmentation" not in ann
    # labelled points (i % 5 != 0): x = 8 + i % 16 in 8-22, y = 5 + 2i in 7-53
    assert ann["bbox"] == [8, 7, 14, 46] and ann["area"] == 14 * 46


# ---------------------------------------------------------------- real consumers


def exported(tmp_path):
    """Every export, on every hand-built dataset: {dataset: out dir}."""
    outs = {}
    for name, records in (
        ("deepfashion2", lambda root: df2_records()),
        ("fdh", fdh_records),
        ("celeba", celeba_records),
        ("shhq", shhq_records),
    ):
        root = tmp_path / "norm" / name
        fullbody = df2_records()[:2] if name == "deepfashion2" else None
        run(name, records(root), root, tmp_path / "coco" / name, fullbody)
        outs[name] = tmp_path / "coco" / name
    return outs


def coco_files(outs):
    return sorted(
        p for out in outs.values() for p in out.glob("*.json") if p.name != "summary.json"
    )


def self_eval(gt, iou_type, sigmas=None):
    """AP of the ground truth evaluated against itself as detections (score 1.0)."""
    dets = []
    for ann in gt.loadAnns(gt.getAnnIds()):
        det = {"image_id": ann["image_id"], "category_id": ann["category_id"], "score": 1.0}
        if iou_type == "bbox":
            det["bbox"] = ann["bbox"]
        elif iou_type == "segm":
            det["segmentation"] = gt.annToRLE(ann)
        else:
            if not ann["num_keypoints"]:
                continue
            det["keypoints"] = ann["keypoints"]
        dets.append(det)
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, iou_type)
        if sigmas is not None:
            ev.params.kpt_oks_sigmas = sigmas
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    precision = ev.eval["precision"]  # [T, R, K, A, M]; -1 where no ground truth
    # every IoU/OKS threshold and recall level (tp / (tp + fp + eps): 1 up to rounding)
    assert (precision[precision > -1] > 1 - 1e-9).all()
    return ev.stats[0]


def test_every_file_loads_and_every_mask_decodes(tmp_path):
    files = coco_files(exported(tmp_path))
    assert len(files) == 17
    for path in files:
        gt = load(path)
        assert len(gt.getImgIds()) == len(json.loads(path.read_text())["images"])
        for ann in gt.loadAnns(gt.getAnnIds()):
            if "segmentation" not in ann:
                continue
            mask = gt.annToMask(ann)
            img = gt.imgs[ann["image_id"]]
            assert mask.shape == (img["height"], img["width"])
            assert int(mask.sum()) == ann["area"], (path.name, ann["id"])


def test_self_evaluation_gives_ap_one(tmp_path):
    outs = exported(tmp_path)
    checked, keypoint_files = 0, 0
    for path in coco_files(outs):
        gt = load(path)
        if not gt.getAnnIds():
            continue
        anns = gt.loadAnns(gt.getAnnIds())
        if all("segmentation" in a for a in anns):
            assert self_eval(gt, "segm") == pytest.approx(1.0, abs=1e-12), path.name
        assert self_eval(gt, "bbox") == pytest.approx(1.0, abs=1e-12), path.name
        checked += 1
        cats = gt.loadCats(gt.getCatIds())
        labelled = any(a.get("num_keypoints") for a in anns)  # else all GT are ignored
        if labelled and all("keypoints" in c for c in cats):  # not CelebA, SHHQ parsing
            # per-category landmark files: K; instances: the 294-vector, sigmas of 294
            k = len(cats[0]["keypoints"])
            assert all(len(a["keypoints"]) == 3 * k for a in anns)
            ap = self_eval(gt, "keypoints", np.full(k, 0.05))
            assert ap == pytest.approx(1.0, abs=1e-12), path.name
            keypoint_files += 1
    # 17 files less DeepFashion2's annotation-free test split; keypoints: 7 landmark
    # files (4 full, 3 full-body), 3 instances files, FDH train and val, SHHQ person
    assert (checked, keypoint_files) == (16, 13)


def test_faster_coco_eval_loads_and_agrees(tmp_path):
    from faster_coco_eval import COCO as FCOCO
    from faster_coco_eval import COCOeval_faster

    outs = exported(tmp_path)
    for path in coco_files(outs):
        doc = json.loads(path.read_text())
        gt = FCOCO(str(path))
        assert sorted(gt.getImgIds()) == [i["id"] for i in doc["images"]]
        assert sorted(gt.getAnnIds()) == [a["id"] for a in doc["annotations"]]
    gt = FCOCO(str(outs["deepfashion2"] / "landmarks_train_08_trousers.json"))
    dets = [
        {"image_id": a["image_id"], "category_id": 8, "score": 1.0, "keypoints": a["keypoints"]}
        for a in gt.loadAnns(gt.getAnnIds())
    ]
    ev = COCOeval_faster(gt, gt.loadRes(dets), "keypoints", kpt_oks_sigmas=[0.05] * 14)
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)
    gt = FCOCO(str(outs["fdh"] / "person_keypoints_train.json"))
    dets = [
        {"image_id": a["image_id"], "category_id": 1, "score": 1.0, "bbox": a["bbox"]}
        for a in gt.loadAnns(gt.getAnnIds())
    ]
    ev = COCOeval_faster(gt, gt.loadRes(dets), "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0)


# ---------------------------------------------------------------- determinism and wiring


def test_exports_are_deterministic_and_order_free(tmp_path):
    first = exported(tmp_path / "a")
    second = exported(tmp_path / "b")
    for name, out in first.items():
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted(p.name for p in second[name].iterdir())
        for file in names:
            data = (out / file).read_bytes()
            assert data == (second[name] / file).read_bytes(), file
            assert data.decode() == dumps(json.loads(data)), file  # = humanprep.io format
    # record order (shards, shard order) does not matter
    root = tmp_path / "c"
    fullbody = list(reversed(df2_records()[:2]))
    run("deepfashion2", list(reversed(df2_records())), root, root / "out", fullbody)
    for p in first["deepfashion2"].glob("*.json"):
        assert (root / "out" / p.name).read_bytes() == p.read_bytes(), p.name


def test_rule_file_matches_the_package():
    text = (REPO / "rules" / "coco.smk").read_text()
    assert "dataset=COCO_DATASETS" in text and 'code=code("coco")' in text
    # every dataset with an exporter (HuGe100K has no annotations COCO can carry) names a
    # function that exists
    assert "huge100k" not in coco.DATASETS and {"shhq", "fdh", "deepfashion2"} < set(coco.DATASETS)
    for name in coco.DATASETS:
        assert callable(DESCRIPTORS[name].coco)
    assert (REPO / "envs" / "coco.yaml").exists()


def test_summary_beside_the_folder_holds_fullbody_counts(tmp_path):
    outs = exported(tmp_path)
    summary = json.loads((tmp_path / "coco" / "deepfashion2.summary.json").read_text())
    assert summary["files"]["instances_train_fullbody.json"] == {"images": 2, "annotations": 4}
    assert "landmarks_train_08_trousers_fullbody.json" in summary["files"]
    assert summary["counts"]["images"] == 4 and summary["fullbody_counts"]["images"] == 2
    # the folder holds COCO files only (the release reads every *.json in it as COCO)
    assert sorted(p.name for p in outs["deepfashion2"].iterdir()) == sorted(summary["files"])
