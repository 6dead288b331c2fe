"""DeepFashion2: image + garments (category, box, landmarks, polygons, attributes).

Ids are `<split>/<NNNNNN>` because the released file numbers restart in every split.
Coordinates outside the image are clipped (boxes, polygons) or marked unlabelled
(landmarks), and each garment lists the fixes applied to it, keeping the values as the file
gave them under `original`; `item_order` keeps the file's order of its items. Both are what
the official converter's conventions need (coco.deepfashion2_official).
"""

import json
import re

from humanprep.formats.deepfashion2 import CATEGORIES, LANDMARK_SLICES, SPLITS
from humanprep.normalise.common import read_file, take_image
from humanprep.normalise.shard import BadItem

LICENSE = {
    "id": "deepfashion2-research-only",
    "url": "https://github.com/switchablenorms/DeepFashion2",
}
_ITEM = re.compile(r"^item(\d+)$")
_ATTRS = ("scale", "occlusion", "zoom_in", "viewpoint")


def load_context(side_files, options):
    return {}


def _clip(value, high):
    return min(max(value, 0), high)


def landmarks(flat, category_id, width, height, fixes):
    start, stop = LANDMARK_SLICES[category_id]
    if not flat:  # some garments carry no landmarks at all: all unlabelled
        return [[0, 0, 0]] * (stop - start)
    if len(flat) != 3 * (stop - start):
        raise BadItem(
            f"{len(flat) // 3} landmarks for category {category_id}, expected {stop - start}"
        )
    triples = []
    for x, y, v in zip(flat[::3], flat[1::3], flat[2::3], strict=True):
        if v and not (0 <= x <= width and 0 <= y <= height):
            fixes.append(f"landmark ({x}, {y}) outside the image marked unlabelled")
            v = 0
        triples.append([x, y, int(v)] if v else [0, 0, 0])
    return triples


def garment(number, raw, width, height):
    try:
        category_id = int(raw["category_id"])
        name = raw["category_name"]
        x1, y1, x2, y2 = raw["bounding_box"]
        attrs = {key: int(raw[key]) for key in _ATTRS}
        style, polygons, flat = int(raw["style"]), raw["segmentation"], raw["landmarks"]
    except (KeyError, TypeError, ValueError) as err:
        raise BadItem(f"item{number}: malformed annotation ({err!r})") from None
    if CATEGORIES.get(category_id) != name:
        raise BadItem(f"item{number}: category {category_id} is not named {name!r}")
    fixes = []
    box = [_clip(x1, width), _clip(y1, height), _clip(x2, width), _clip(y2, height)]
    if box != [x1, y1, x2, y2]:
        fixes.append("bounding box clipped to the image")
    clipped = [
        [_clip(c, width if i % 2 == 0 else height) for i, c in enumerate(poly)] for poly in polygons
    ]
    if clipped != polygons:
        fixes.append("polygon points clipped to the image")
    points = landmarks(flat, category_id, width, height, fixes)
    original = {"bbox": [x1, y1, x2, y2], "segmentation": polygons, "landmarks": flat}
    kept = {"bbox": box, "segmentation": clipped, "landmarks": [c for p in points for c in p]}
    original = {k: v for k, v in original.items() if v != kept[k] and (v or k != "landmarks")}
    return {
        "item": number,
        "category_id": category_id,
        "category_name": name,
        "style": style,
        "bbox": box,
        "landmarks": points,
        "segmentation": clipped,
        **attrs,
        "fixes": fixes,
        **({"original": original} if original else {}),
    }


def parse_annotation(data, width, height):
    """The `deepfashion2` sub-record from one annotation JSON document."""
    try:
        doc = json.loads(data)
        source, pair_id = doc["source"], int(doc["pair_id"])
    except (ValueError, KeyError, TypeError) as err:
        raise BadItem(f"annotation unreadable: {err}") from None
    in_file = [(int(m.group(1)), key) for key in doc if (m := _ITEM.match(key))]
    return {
        "source": source,
        "pair_id": pair_id,
        "garments": [garment(n, doc[key], width, height) for n, key in sorted(in_file)],
        "item_order": [n for n, _ in in_file],
    }


def normalise(entry, ctx, writer):
    split = SPLITS[entry["id"].split("/", 1)[0]]
    image = take_image(entry["files"]["image"], writer)
    annotation = {"source": None, "pair_id": None, "garments": []}
    if "annotation" in entry["files"]:
        data = read_file(entry["files"]["annotation"], "annotation")
        annotation = parse_annotation(data, image["width"], image["height"])
    return {
        "dataset": "deepfashion2",
        "id": entry["id"],
        "split": split,
        "image": image,
        "license": LICENSE,
        "attribution": None,
        "deepfashion2": annotation,
    }
