"""FDH and SHHQ -> COCO person keypoints (and SHHQ's parsing classes).

FDH, `person_keypoints_{split}.json` (train, val): category "person" with the 17 COCO
keypoint names and COCO's skeleton; one annotation per image: `keypoints` in pixels
(v 0/1/2), `num_keypoints`, `segmentation` the person mask as compressed RLE (counts as
str), `bbox` its pixel extent, `area` its pixel count. The `licenses` section lists each
distinct licence (COCO's numbers for the CC 2.0 licences) and every image carries its
`license` id, `flickr_url`, `author` and `title` (attribution). An empty person mask
drops the annotation (counted), the image stays.

SHHQ, `person_keypoints_all.json`: "person" with the 25 OpenPose BODY_25 keypoints
(names in humanprep.formats.shhq, 1-based skeleton = OpenPose's BODY_25 limbs); the
segmentation comes from the segment mask where present. Without one, the annotation has
no `segmentation` and its bbox spans the labelled keypoints (area = box area); with
neither, or with keypoints that span no area (one point, or points on a line), the image has
no annotation (counted). Labelled points outside the image (the upstream
x > width defect kept by `out_of_width: keep`) are exported as unlabelled (counted).
`parsing_all.json`: categories = the 16 parsing classes, one RLE annotation per class
present (annotation index = class id); only images with a parsing map are listed.
"""

from collections import Counter
from pathlib import Path

from humanprep.coco.common import (
    IMAGES_ROOT,
    SplitFiles,
    class_annotations,
    image_entry,
    iter_records,
    keypoint_box,
    keypoint_triples,
    mask_annotation,
    read_label_map,
    record_image_id,
)
from humanprep.coco.ids import annotation_id
from humanprep.coco.masks import encode, person_mask
from humanprep.coco.writer import num
from humanprep.formats.shhq import BODY_25, CLASS_NAMES

COCO_KEYPOINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
COCO_SKELETON = [
    [16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8],
    [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7],
]  # fmt: skip
# OpenPose BODY_25 limbs (0-based pairs of POSE_BODY_25_PAIRS_RENDER), stored 1-based.
BODY_25_PAIRS = (
    (1, 8), (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (10, 11),
    (8, 12), (12, 13), (13, 14), (1, 0), (0, 15), (15, 17), (0, 16), (16, 18), (14, 19),
    (19, 20), (14, 21), (11, 22), (22, 23), (11, 24),
)  # fmt: skip
BODY_25_SKELETON = [[a + 1, b + 1] for a, b in BODY_25_PAIRS]
PERSON_INDEX = 1  # annotation id = image_id * 100 + 1


def person_category(names, skeleton):
    return {
        "id": 1,
        "name": "person",
        "supercategory": "person",
        "keypoints": list(names),
        "skeleton": skeleton,
    }


FDH_INFO = {
    "description": "FDH (Flickr Diverse Humans) people (humanprep COCO export)",
    "url": "https://github.com/hukkelas/deep_privacy2",
    "images_root": IMAGES_ROOT,
}


def export_fdh(records, out_dir, normalised_dir):
    files = SplitFiles(out_dir, FDH_INFO)
    header = {"categories": [person_category(COCO_KEYPOINTS, COCO_SKELETON)]}
    counts = Counter()
    for record in records:
        image_id_ = record_image_id(record)
        attribution = record.get("attribution") or {}
        entry = image_entry(
            record,
            image_id_,
            flickr_url=attribution.get("source_url"),
            author=attribution.get("author"),
            title=attribution.get("title"),
        )
        coco = files.add_image(f"person_keypoints_{record['split']}.json", header, record, entry)
        counts["images"] += 1
        width, height = record["image"]["width"], record["image"]["height"]
        mask = person_mask(Path(normalised_dir, record["fdh"]["mask"]), width, height)
        if not mask.any():
            counts["empty_person_mask"] += 1
            continue
        ann = mask_annotation(image_id_, PERSON_INDEX, 1, encode(mask))
        flat, labelled = keypoint_triples(record["fdh"]["keypoints"], width, height, counts)
        ann.update(keypoints=flat, num_keypoints=labelled)
        coco.annotations.add(ann["id"], ann)
        counts["annotations"] += 1
    return {"files": files.write(), "counts": dict(sorted(counts.items()))}


SHHQ_INFO = {
    "description": "SHHQ-1.0 people (humanprep COCO export)",
    "url": "https://stylegan-human.github.io/",
    "images_root": IMAGES_ROOT,
    "keypoint_layout": "OpenPose BODY_25",
}


def parsing_categories():
    return [
        {"id": c, "name": CLASS_NAMES[c], "supercategory": "human_parsing"}
        for c in range(1, len(CLASS_NAMES))
    ]


def _shhq_person(record, image_id_, normalised_dir, counts):
    width, height = record["image"]["width"], record["image"]["height"]
    shhq = record["shhq"]
    flat, labelled = keypoint_triples(shhq["keypoints"], width, height, counts)
    if shhq["segment"]:
        mask = person_mask(Path(normalised_dir, shhq["segment"]), width, height)
        if mask.any():
            ann = mask_annotation(image_id_, PERSON_INDEX, 1, encode(mask))
            ann.update(keypoints=flat, num_keypoints=labelled)
            return ann
        counts["empty_segment_mask"] += 1
    return keypoint_person(image_id_, flat, labelled, counts)


def export_shhq(records, out_dir, normalised_dir):
    files = SplitFiles(out_dir, SHHQ_INFO)
    person_header = {"categories": [person_category(BODY_25, BODY_25_SKELETON)]}
    parsing_header = {"categories": parsing_categories()}
    counts = Counter()
    for record in records:
        image_id_ = record_image_id(record)
        split = record["split"]
        entry = image_entry(record, image_id_, keypoints_status=record["shhq"]["keypoints_status"])
        person = files.add_image(f"person_keypoints_{split}.json", person_header, record, entry)
        counts["images"] += 1
        ann = _shhq_person(record, image_id_, normalised_dir, counts)
        if ann is not None:
            person.annotations.add(ann["id"], ann)
            counts["person_annotations"] += 1
        if not record["shhq"]["parsing"]:
            continue
        path = Path(normalised_dir, record["shhq"]["parsing"])
        width, height = record["image"]["width"], record["image"]["height"]
        label = read_label_map(path, len(CLASS_NAMES) - 1, width, height)
        parsing = files.add_image(f"parsing_{split}.json", parsing_header, record, entry)
        for part in class_annotations(image_id_, label, range(1, len(CLASS_NAMES))):
            parsing.annotations.add(part["id"], part)
            counts["parsing_annotations"] += 1
    return {"files": files.write(), "counts": dict(sorted(counts.items()))}


def export_fdh_dataset(record_paths, normalised_dir, out_dir, derived_paths, options):
    return export_fdh(iter_records(record_paths), out_dir, normalised_dir)


def export_shhq_dataset(record_paths, normalised_dir, out_dir, derived_paths, options):
    return export_shhq(iter_records(record_paths), out_dir, normalised_dir)


def keypoint_person(image_id_, flat, labelled, counts):
    """A person without a mask: boxed by its labelled keypoints (None when they span no
    area, which nothing could match)."""
    box = keypoint_box(flat)
    if box is None:
        return None
    if not (box[2] > 0 and box[3] > 0):  # one point, or points on a line: nothing to match
        counts["person_box_without_extent"] += 1
        return None
    counts["person_without_segmentation"] += 1
    return {
        "id": annotation_id(image_id_, PERSON_INDEX),
        "image_id": image_id_,
        "category_id": 1,
        "bbox": box,
        "area": num(box[2] * box[3]),
        "iscrowd": 0,
        "keypoints": flat,
        "num_keypoints": labelled,
    }
