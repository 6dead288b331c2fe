"""SHHQ -> COCO person keypoints and parsing classes.

SHHQ, `person_keypoints_all.json`: "person" with the 25 OpenPose BODY_25 keypoints
(names in humanprep.datasets.shhq.formats, 1-based skeleton = OpenPose's BODY_25 limbs); the
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
    keypoint_triples,
    mask_annotation,
    read_label_map,
    record_image_id,
)
from humanprep.coco.masks import encode, person_mask
from humanprep.coco.people import PERSON_INDEX, keypoint_person, person_category
from humanprep.datasets.shhq.formats import BODY_25, CLASS_NAMES
from humanprep.keypoints import BODY_25_PAIRS

BODY_25_SKELETON = [[a + 1, b + 1] for a, b in BODY_25_PAIRS]  # 1-based, as COCO stores it
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


def export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options):
    return export_shhq(iter_records(record_paths), out_dir, normalised_dir)
