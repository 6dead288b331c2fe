"""DeepFashion2 COCO in the official converter's conventions (`coco.deepfashion2.compat:
official`), checked against an independent re-implementation of the documented rules of
switchablenorms/DeepFashion2 evaluation/deepfashion2_to_coco.py, run on the raw annotation
documents (the demo's, with their shuffled key order and planted defects, plus hand-made
ones), while the export runs on the normalised records."""

import contextlib
import hashlib
import io
import json
import random

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO
from storeutil import nowhere

from humanprep import coco
from humanprep.datasets.deepfashion2 import demo as demo
from humanprep.datasets.deepfashion2.normalise import parse_annotation
from humanprep.io import write_jsonl

# The script's category table (ids 1-13) and landmark counts per category, in its order.
SCRIPT_NAMES = [
    "short_sleeved_shirt", "long_sleeved_shirt", "short_sleeved_outwear", "long_sleeved_outwear",
    "vest", "sling", "shorts", "trousers", "skirt", "short_sleeved_dress", "long_sleeved_dress",
    "vest_dress", "sling_dress",
]  # fmt: skip
SCRIPT_COUNTS = [25, 33, 31, 39, 15, 15, 10, 14, 8, 29, 37, 19, 19]
FOLDERS = {"train": "train", "validation": "val"}


def script_oracle(docs, sizes):
    """What deepfashion2_to_coco.py writes for one split: `docs` {number: annotation JSON text},
    `sizes` {number: (width, height)}. Images in number order; within a file, items in the
    JSON's key order; one running annotation counter; values copied from the file."""
    offsets = [sum(SCRIPT_COUNTS[:c]) for c in range(13)]
    out = {"info": {}, "licenses": [], "images": [], "annotations": [], "categories": []}
    for c, name in enumerate(SCRIPT_NAMES, 1):
        out["categories"].append(
            {
                "id": c,
                "name": name,
                "supercategory": "clothes",
                "keypoints": [str(n) for n in range(1, 295)],
                "skeleton": [],
            }
        )
    counter = 0
    for number in sorted(docs):
        doc = json.loads(docs[number])  # json keeps the file's key order
        width, height = sizes[number]
        out["images"].append(
            {
                "coco_url": "",
                "date_captured": "",
                "file_name": f"{number:06d}.jpg",
                "flickr_url": "",
                "id": number,
                "license": 0,
                "width": width,
                "height": height,
            }
        )
        for key, item in doc.items():
            if key in ("source", "pair_id"):
                continue
            counter += 1
            x1, y1, x2, y2 = item["bounding_box"]
            cat = item["category_id"]
            vector = [0.0] * 882
            marks = item["landmarks"] or [0] * (3 * SCRIPT_COUNTS[cat - 1])
            base = 3 * offsets[cat - 1]
            for i, value in enumerate(marks):
                vector[base + i] = float(value)
            out["annotations"].append(
                {
                    "area": (x2 - x1) * (y2 - y1),
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "category_id": cat,
                    "id": counter,
                    "pair_id": doc["pair_id"],
                    "image_id": number,
                    "iscrowd": 0,
                    "style": item["style"],
                    "num_keypoints": sum(1 for v in marks[2::3] if v > 0),
                    "keypoints": vector,
                    "segmentation": item["segmentation"],
                }
            )
    return out


def raw_demo_split(folder):
    """{number: annotation text}, {number: (w, h)} of one split of the demo archives."""
    rng = np.random.default_rng(0)
    for split in demo.ARCHIVES:  # the generator draws the splits in this order
        members = demo.split_members(split, rng)
        if split == folder:
            break
    docs, sizes = {}, {}
    for m in members:
        number = int(m.name.rsplit("/", 1)[1].split(".")[0])
        if "/annos/" in m.name:
            docs[number] = m.data.decode()
        else:
            with Image.open(io.BytesIO(m.data)) as im:
                sizes[number] = im.size
    return docs, sizes


def hand_split():
    """Non-contiguous numbers, items listed out of order, a box and landmarks past the
    image, a landmark with v 0 but coordinates, a garment without landmarks."""

    def item(cat, box, seg, marks, style=1):
        return {
            "category_name": demo.CATEGORIES[cat],
            "category_id": cat,
            "style": style,
            "bounding_box": box,
            "landmarks": marks,
            "segmentation": seg,
            "scale": 2,
            "occlusion": 1,
            "zoom_in": 1,
            "viewpoint": 2,
        }

    trousers = [10, 20, 2, 300, 40, 2, 12, 14, 0] + [5, 5, 1] * 11  # x 300 is past width 200
    docs = {
        3: {
            "item2": item(8, [-5, 10, 150, 320], [[-5, 10, 150, 10, 150, 320]], trousers, 2),
            "source": "user",
            "item1": item(7, [0, 0, 50, 60], [[0, 0, 50, 0, 50, 60, 0, 60]], []),
            "pair_id": 9,
        },
        10: {
            "pair_id": 4,
            "item1": item(9, [1, 2, 3, 4], [[1, 2, 3, 2, 3, 4]], [7, 8, 2] * 8, 0),
            "source": "shop",
        },
    }
    return {n: json.dumps(d) for n, d in docs.items()}, {3: (200, 300), 10: (64, 48)}


def records_for(folder, docs, sizes):
    split = FOLDERS[folder]
    out = []
    for number, text in docs.items():
        width, height = sizes[number]
        item_id = f"{folder}/{number:06d}"
        out.append(
            {
                "dataset": "deepfashion2",
                "id": item_id,
                "split": split,
                "image": {
                    "path": nowhere("shard-00000", item_id, "image.jpg", split),
                    "width": width,
                    "height": height,
                    "sha256": "0" * 64,
                    "format": "jpeg",
                    "reencoded": None,
                },  # fmt: skip
                "license": {"id": "deepfashion2-research-only", "url": None},
                "attribution": None,
                "deepfashion2": parse_annotation(text.encode(), width, height),
            }
        )
    return out


def export_official(tmp_path, records):
    shuffled = list(records)
    random.Random(1).shuffle(shuffled)  # shard order must not matter
    half = len(shuffled) // 2
    paths = [tmp_path / "shard-00001.jsonl", tmp_path / "shard-00000.jsonl"]
    write_jsonl(paths[0], shuffled[:half])
    write_jsonl(paths[1], shuffled[half:])
    options = {"deepfashion2": {"compat": "official"}}
    summary = coco.export("deepfashion2", paths, tmp_path, tmp_path / "out", (), options)
    return summary, tmp_path / "out"


def member(folder, number):
    """The store's member name of an image (humanprep.store.item_key, worked by hand)."""
    item_id = f"{folder}/{number:06d}"
    digest = hashlib.sha256(item_id.encode()).hexdigest()[:8]
    return f"{folder}_{number:06d}-{digest}.image.jpg"


def assert_matches_script(doc, expected, folder):
    assert doc["categories"] == expected["categories"]
    assert doc["licenses"] == [] and doc["info"]["convention"] == "official"
    # file_name is the one documented difference: the image's member name in the store
    # (`<folder>_<number>-<8 hex of the id's sha256>.image.jpg`), not `<number>.jpg`
    assert [{**i, "file_name": None} for i in doc["images"]] == [
        {**i, "file_name": None} for i in expected["images"]
    ]
    assert [i["file_name"] for i in doc["images"]] == [
        member(folder, i["id"]) for i in expected["images"]
    ]
    assert doc["annotations"] == expected["annotations"]
    # the script's JSON floats stay floats: 0.0, not 0
    assert all(isinstance(v, float) for a in doc["annotations"] for v in a["keypoints"])


@pytest.mark.parametrize("folder", ["train", "validation"])
def test_demo_split_matches_the_scripts_rules(tmp_path, folder):
    docs, sizes = raw_demo_split(folder)
    summary, out = export_official(tmp_path, records_for(folder, docs, sizes))
    assert summary["compat"] == "official"
    doc = json.loads((out / f"instances_{FOLDERS[folder]}.json").read_text())
    expected = script_oracle(docs, sizes)
    assert_matches_script(doc, expected, folder)
    if folder == "train":  # the planted image past its borders is exported as the file says
        outside = int(demo.OUTSIDE_IMAGE.split("/")[1])
        width, height = sizes[outside]
        boxes = [a["bbox"] for a in doc["annotations"] if a["image_id"] == outside]
        assert any(min(x, y) < 0 or x + w > width or y + h > height for x, y, w, h in boxes), boxes
    with contextlib.redirect_stdout(io.StringIO()):
        COCO(str(out / f"instances_{FOLDERS[folder]}.json"))  # stock pycocotools loads it


def test_hand_made_edge_cases_match_the_scripts_rules(tmp_path):
    docs, sizes = hand_split()
    summary, out = export_official(tmp_path, records_for("train", docs, sizes))
    doc = json.loads((out / "instances_train.json").read_text())
    assert_matches_script(doc, script_oracle(docs, sizes), "train")
    # hand-computed: image 3 lists item2 before item1, so item2 is annotation 1
    first, second, third = doc["annotations"]
    assert (first["id"], first["category_id"], first["image_id"]) == (1, 8, 3)
    assert first["bbox"] == [-5, 10, 155, 310] and first["area"] == 155 * 310
    assert first["keypoints"][3 * 168 : 3 * 168 + 9] == [
        10.0,
        20.0,
        2.0,
        300.0,
        40.0,
        2.0,
        12.0,
        14.0,
        0.0,
    ]
    assert first["num_keypoints"] == 2 + 11
    assert (second["id"], second["category_id"], second["num_keypoints"]) == (2, 7, 0)
    assert (third["id"], third["image_id"], third["area"]) == (3, 10, 4)
    assert sorted(first) == sorted(
        ["area", "bbox", "category_id", "id", "pair_id", "image_id", "iscrowd", "style",
         "num_keypoints", "keypoints", "segmentation"]
    )  # fmt: skip


def test_fullbody_subset_keeps_the_full_files_annotation_ids(tmp_path):
    docs, sizes = hand_split()
    records = records_for("train", docs, sizes)
    write_jsonl(tmp_path / "shard-00000.jsonl", records)
    write_jsonl(tmp_path / "fb-00000.jsonl", [r for r in records if r["id"].endswith("10")])
    options = {"deepfashion2": {"compat": "official"}}
    coco.export(
        "deepfashion2",
        [tmp_path / "shard-00000.jsonl"],
        tmp_path,
        tmp_path / "out",
        [tmp_path / "fb-00000.jsonl"],
        options,
    )
    sub = json.loads((tmp_path / "out" / "instances_train_fullbody.json").read_text())
    assert [a["id"] for a in sub["annotations"]] == [3]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "instances_train.json",
        "instances_train_fullbody.json",
    ]


def test_default_export_says_it_is_the_corrected_convention(tmp_path):
    docs, sizes = hand_split()
    write_jsonl(tmp_path / "shard-00000.jsonl", records_for("train", docs, sizes))
    summary = coco.export(
        "deepfashion2", [tmp_path / "shard-00000.jsonl"], tmp_path, tmp_path / "o"
    )
    doc = json.loads((tmp_path / "o" / "instances_train.json").read_text())
    assert summary["compat"] == "corrected" and doc["info"]["convention"] == "corrected"
    assert doc["categories"][0]["name"] == "short sleeve top"


def test_release_selection_re_exports_in_the_configured_convention(tmp_path):
    """A release that leaves items out exports COCO again from the released records: with
    compat official it must stay official."""
    from humanprep.release.build import add_coco

    docs, sizes = hand_split()
    write_jsonl(tmp_path / "deepfashion2" / "shard-00000.jsonl", records_for("train", docs, sizes))
    options = {"deepfashion2": {"compat": "official"}}
    add_coco(tmp_path, tmp_path / "unused", "deepfashion2", False, "copy", options)
    doc = json.loads((tmp_path / "coco/deepfashion2/instances_train.json").read_text())
    assert doc["info"]["convention"] == "official"
    assert_matches_script(doc, script_oracle(docs, sizes), "train")
