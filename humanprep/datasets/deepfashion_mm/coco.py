"""DeepFashion-MultiModal -> COCO person keypoints and parsing segmentation.

`person_keypoints_all.json`: every image; category "person" with the 21 DeepFashion-
MultiModal keypoints (formats.deepfashion_mm.KEYPOINTS) and humanprep's 1-based skeleton
(SKELETON; upstream publishes none). One annotation per image that has a parsing map or
keypoints: segmentation = the person (every non-background parsing class) as compressed
RLE, bbox and area from it; without a parsing map, no segmentation and the bbox spans the
labelled keypoints (area = box area). Keypoints are the record's (COCO v; upstream's
inverted visibility is converted at normalisation); an image without keypoints gets 21
unlabelled points. Images carry `caption` and `attributes` (shape, fabric, colour names).

`parsing_all.json`: images with a parsing map; categories = the 23 parsing classes (ids =
the label values 1-23, background 0 excluded); one RLE annotation per class present
(annotation index = class id).

Image ids (DeepFashion In-shop names, <GENDER>-<Category>-id_<item>-<look>_<photo>_<view>):
item * 10^5 + look * 10^3 + photo * 10 + view code (VIEWS order, from 1), so
"MEN-Denim-id_00000080-01_7_additional" -> 8_001_075. The In-shop item id is unique across
categories. A name outside that form gets 10^13 + (its SHA-256 mod 10^13), which cannot
collide with the structured range (a collision between two such names fails the export
with "duplicate id"). Annotation ids: image id * 100 + index (< 2^53).
"""

import hashlib
from collections import Counter
from pathlib import Path

from humanprep.coco.common import (
    IMAGES_ROOT,
    SplitFiles,
    class_annotations,
    image_entry,
    iter_records,
    keypoint_triples,
    mask_annotation,
    read_label_map,
)
from humanprep.coco.masks import encode
from humanprep.coco.people import PERSON_INDEX, keypoint_person, person_category
from humanprep.datasets.deepfashion_mm.formats import CLASSES, KEYPOINTS, NAME, SKELETON, VIEWS

INFO = {
    "description": "DeepFashion-MultiModal people and parsing (humanprep COCO export)",
    "url": "https://github.com/yumingj/DeepFashion-MultiModal",
    "images_root": IMAGES_ROOT,
    "keypoint_layout": "DeepFashion-MultiModal 21 keypoints",
}
HASHED_BASE = 10**13
PERSON_FILE, PARSING_FILE = "person_keypoints_{}.json", "parsing_{}.json"


def image_id(item_id):
    match = NAME.match(item_id)
    if match and match["view"] in VIEWS and int(match["photo"]) < 100:
        view = VIEWS.index(match["view"]) + 1
        return (
            int(match["item"]) * 10**5
            + int(match["look"]) * 10**3
            + int(match["photo"]) * 10
            + view
        )
    digest = hashlib.sha256(item_id.encode("utf-8")).hexdigest()
    return HASHED_BASE + int(digest, 16) % HASHED_BASE


def parsing_categories():
    return [
        {"id": c, "name": CLASSES[c], "supercategory": "human_parsing"}
        for c in range(1, len(CLASSES))
    ]


def read_parsing(record, normalised_dir):
    path = Path(normalised_dir, record["deepfashion_mm"]["parsing"])
    width, height = record["image"]["width"], record["image"]["height"]
    return read_label_map(path, len(CLASSES) - 1, width, height)


def person_annotation(record, image_id_, label, counts):
    """The image's person annotation, or None when it has neither parsing nor keypoints."""
    width, height = record["image"]["width"], record["image"]["height"]
    points = record["deepfashion_mm"]["keypoints"] or [[0, 0, 0]] * len(KEYPOINTS)
    flat, labelled = keypoint_triples(points, width, height, counts)
    if label is not None and (label > 0).any():
        ann = mask_annotation(image_id_, PERSON_INDEX, 1, encode(label > 0))
        ann.update(keypoints=flat, num_keypoints=labelled)
        return ann
    if label is not None:
        counts["empty_parsing_map"] += 1
    return keypoint_person(image_id_, flat, labelled, counts)


def export(records, out_dir, normalised_dir):
    files = SplitFiles(out_dir, INFO)
    person_header = {"categories": [person_category(KEYPOINTS, [list(p) for p in SKELETON])]}
    parsing_header = {"categories": parsing_categories()}
    counts = Counter()
    for record in records:
        sub = record["deepfashion_mm"]
        image_id_ = image_id(record["id"])
        attributes = {k: sub[k] for k in ("shape", "fabric", "colour")}
        entry = image_entry(record, image_id_, caption=sub["caption"], attributes=attributes)
        split = record["split"]
        person = files.add_image(PERSON_FILE.format(split), person_header, record, entry)
        counts["images"] += 1
        label = read_parsing(record, normalised_dir) if sub["parsing"] else None
        ann = person_annotation(record, image_id_, label, counts)
        if ann is not None:
            person.annotations.add(ann["id"], ann)
            counts["person_annotations"] += 1
        if label is None:
            continue
        parsing = files.add_image(PARSING_FILE.format(split), parsing_header, record, entry)
        counts["parsing_images"] += 1
        for part in class_annotations(image_id_, label, range(1, len(CLASSES))):
            parsing.annotations.add(part["id"], part)
            counts["parsing_annotations"] += 1
    return {"files": files.write(), "counts": dict(sorted(counts.items()))}


def export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options):
    return export(iter_records(record_paths), out_dir, normalised_dir)
