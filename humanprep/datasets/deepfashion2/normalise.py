"""DeepFashion2: image + garments (category, box, landmarks, polygons, attributes).

Ids are `<split>/<NNNNNN>` because the released file numbers restart in every split.
Every raw field is type-checked (humanprep.normalise.checks): a wrong type or a NaN/infinity
quarantines the image. Geometry is repaired, each garment listing the fixes applied to it:
inverted boxes are reordered, coordinates outside the image clipped (boxes, polygons) or
marked unlabelled (landmarks), polygons that are not lists of at least three (x, y) points
dropped, a landmark list of the wrong length for its category marked unlabelled. A garment
whose box lies wholly outside the image is dropped; that fix, and keys named like items but
not numbered 1-99, are listed in the sub-record's `fixes` (present only when not empty).
Each garment keeps the values a fix changed as the file gave them under `original` (when they
are well-typed: a box of four numbers, polygons of numbers, landmarks of the category's
length), and `item_order` keeps the file's order of its kept items: both are what the
official converter's conventions need (coco.deepfashion2_official).
"""

import json
import re

from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES, N_LANDMARKS, SPLITS
from humanprep.items import BadItem
from humanprep.normalise.checks import integer, is_number, number_list, show, text
from humanprep.normalise.common import read_file, take_image

LICENSE = DESCRIPTORS["deepfashion2"].licence
_ITEM = re.compile(r"^item([1-9]\d?)$")  # item1 ... item99: COCO annotation ids hold 1-99
_ITEM_LIKE = re.compile(r"^item\d+$")
_ATTRS = ("scale", "occlusion", "zoom_in", "viewpoint")
SOURCES = ("shop", "user")
VISIBILITY = (0, 1, 2)


def load_context(side_files, options):
    return {}


def _clip(value, high):
    return min(max(value, 0), high)


def landmarks(flat, category_id, width, height, fixes, where="landmarks"):
    """[x, y, v] triples for the category's K landmarks. A list of the wrong length is kept
    only as a full 294-landmark vector (the category's slice taken); otherwise every
    landmark is marked unlabelled. Both are recorded in `fixes`."""
    start, stop = LANDMARK_SLICES[category_id]
    count = stop - start
    flat = number_list(flat, where)
    if not flat:  # some garments carry no landmarks at all: all unlabelled
        return [[0, 0, 0]] * count
    if len(flat) == 3 * N_LANDMARKS and count != N_LANDMARKS:
        fixes.append(f"full landmark vector cut to the category: landmarks {start + 1}-{stop} kept")
        flat = flat[3 * start : 3 * stop]
    elif len(flat) != 3 * count:
        fixes.append(
            "landmarks of the wrong count marked unlabelled: "
            f"{len(flat)} values for category {category_id}, expected {3 * count}"
        )
        return [[0, 0, 0]] * count
    triples = []
    for x, y, v in zip(flat[::3], flat[1::3], flat[2::3], strict=True):
        if v not in VISIBILITY:
            fixes.append(f"landmark of unknown visibility marked unlabelled: ({x}, {y}, {v})")
            v = 0
        if v and not (0 <= x <= width and 0 <= y <= height):
            fixes.append(f"landmark ({x}, {y}) outside the image marked unlabelled")
            v = 0
        triples.append([x, y, int(v)] if v else [0, 0, 0])
    return triples


def bounding_box(raw, width, height, fixes, where):
    """The box ordered and clipped to the image, or None when it lies wholly outside (a box
    with no area that lies inside the image is kept: COCO takes the polygons' box)."""
    x1, y1, x2, y2 = number_list(raw, where, length=4)
    if x1 > x2 or y1 > y2:
        fixes.append(f"bounding box corners reordered: given as {[x1, y1, x2, y2]}")
        x1, x2 = sorted((x1, x2))
        y1, y2 = sorted((y1, y2))
    box = [_clip(x1, width), _clip(y1, height), _clip(x2, width), _clip(y2, height)]
    if box != [x1, y1, x2, y2]:
        if box[2] <= box[0] or box[3] <= box[1]:
            return None
        fixes.append("bounding box clipped to the image")
    return box


def _polygon_problem(poly, where):
    if not isinstance(poly, list):
        return f"polygon that is not a list dropped: {where} is {show(poly)}"
    if not all(is_number(c) for c in poly):
        return f"polygon with a value that is not a number dropped: {where}"
    number_list(poly, where)  # NaN or infinity: the whole image is quarantined
    if len(poly) % 2:
        return f"polygon with an odd number of values dropped: {where} has {len(poly)}"
    if len(poly) < 6:
        return f"polygon with fewer than 3 points dropped: {where} has {len(poly) // 2}"
    return None


def segmentation(raw, width, height, fixes, where):
    """Polygons that are lists of >= 3 (x, y) points, clipped to the image; others dropped."""
    if not isinstance(raw, list):
        fixes.append(f"segmentation that is not a list dropped: it was {show(raw)}")
        return []
    kept = []
    for i, poly in enumerate(raw):
        problem = _polygon_problem(poly, f"{where} polygon {i}")
        if problem:
            fixes.append(problem)
        else:
            kept.append(poly)
    clipped = [
        [_clip(c, width if i % 2 == 0 else height) for i, c in enumerate(poly)] for poly in kept
    ]
    if clipped != kept:
        fixes.append("polygon points clipped to the image")
    return clipped


def _field(raw, key, where):
    if key not in raw:
        raise BadItem(f"{where} malformed annotation: no {key!r}")
    return raw[key]


def garment(number_, raw, width, height, record_fixes):
    """The garment's record, or None when it is dropped (the reason added to record_fixes)."""
    where = f"item{number_}"
    if not isinstance(raw, dict):
        raise BadItem(f"{where} is not an object: {show(raw)}")
    category_id = integer(_field(raw, "category_id", where), f"{where} category_id", CATEGORIES)
    name = text(_field(raw, "category_name", where), f"{where} category_name", optional=False)
    if CATEGORIES[category_id] != name:
        raise BadItem(f"{where}: category {category_id} is not named {name!r}")
    attrs = {key: integer(_field(raw, key, where), f"{where} {key}", (1, 2, 3)) for key in _ATTRS}
    style = integer(_field(raw, "style", where), f"{where} style")
    if style < 0:
        raise BadItem(f"{where} style is negative: {style}")
    fixes = []
    box = bounding_box(
        _field(raw, "bounding_box", where), width, height, fixes, f"{where} bounding_box"
    )
    polygons = segmentation(
        _field(raw, "segmentation", where), width, height, fixes, f"{where} segmentation"
    )
    points = landmarks(
        _field(raw, "landmarks", where), category_id, width, height, fixes, f"{where} landmarks"
    )
    if box is None:
        record_fixes.append(f"garment outside the image dropped: {where} ({name})")
        return None
    original = _original(raw, category_id, box, polygons, points)
    return {
        "item": number_,
        "category_id": category_id,
        "category_name": name,
        "style": style,
        "bbox": box,
        "landmarks": points,
        "segmentation": polygons,
        **attrs,
        "fixes": fixes,
        **({"original": original} if original else {}),
    }


def _original(raw, category_id, box, polygons, points):
    """The file's values of the fields a fix changed, where they fit the record schema."""
    start, stop = LANDMARK_SLICES[category_id]
    flat = raw["landmarks"]
    given = {"bbox": raw["bounding_box"]}
    polygons_given = raw["segmentation"]
    if isinstance(polygons_given, list) and all(
        isinstance(p, list) and all(is_number(c) for c in p) for p in polygons_given
    ):
        given["segmentation"] = polygons_given
    if len(flat) == 3 * (stop - start):
        given["landmarks"] = flat
    kept = {"bbox": box, "segmentation": polygons, "landmarks": [c for p in points for c in p]}
    return {k: v for k, v in given.items() if v != kept[k] and (v or k != "landmarks")}


def parse_annotation(data, width, height):
    """The `deepfashion2` sub-record from one annotation JSON document."""
    try:
        doc = json.loads(data)
    except ValueError as err:  # UnicodeDecodeError and JSONDecodeError included
        raise BadItem(f"annotation unreadable: {err}") from None
    if not isinstance(doc, dict):
        raise BadItem(f"annotation is not an object: {show(doc)}")
    for key in ("source", "pair_id"):
        _field(doc, key, "annotation")
    source = doc["source"]
    if source not in SOURCES:
        raise BadItem(f"annotation source is not 'shop' or 'user': {show(source)}")
    pair_id = integer(doc["pair_id"], "annotation pair_id")
    fixes = []
    in_file = []  # (item number, key) in the file's key order
    for key in doc:
        if m := _ITEM.match(key):
            in_file.append((int(m.group(1)), key))
        elif _ITEM_LIKE.match(key):
            fixes.append(f"key not numbered 1-99 ignored: {key!r}")
    garments = [garment(n, doc[key], width, height, fixes) for n, key in sorted(in_file)]
    garments = [g for g in garments if g is not None]
    kept = {g["item"] for g in garments}
    out = {
        "source": source,
        "pair_id": pair_id,
        "garments": garments,
        "item_order": [n for n, _ in in_file if n in kept],
    }
    if fixes:
        out["fixes"] = fixes
    return out


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
