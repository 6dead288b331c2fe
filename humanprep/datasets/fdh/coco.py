"""FDH -> COCO person keypoints.

FDH, `person_keypoints_{split}.json` (train, val): category "person" with the 17 COCO
keypoint names and COCO's skeleton; one annotation per image: `keypoints` in pixels
(v 0/1/2), `num_keypoints`, `segmentation` the person mask as compressed RLE (counts as
str), `bbox` its pixel extent, `area` its pixel count. The `licenses` section lists each
distinct licence (COCO's numbers for the CC 2.0 licences) and every image carries its
`license` id, `flickr_url`, `author` and `title` (attribution). An empty person mask
drops the annotation (counted), the image stays.
"""

from collections import Counter
from pathlib import Path

from humanprep.coco.common import (
    IMAGES_ROOT,
    SplitFiles,
    image_entry,
    iter_records,
    keypoint_triples,
    mask_annotation,
    record_image_id,
)
from humanprep.coco.masks import encode, person_mask
from humanprep.coco.people import COCO_KEYPOINTS, COCO_SKELETON, PERSON_INDEX, person_category

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


def export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options):
    return export_fdh(iter_records(record_paths), out_dir, normalised_dir)
