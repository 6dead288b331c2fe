"""Multi-Modal-CelebA-HQ -> COCO face parts, `face_parts_{split}.json`.

One category per face part (ids 1-18 = the label values, named as CelebAMask-HQ's
PARTS; background 0 excluded, supercategory "face"); one annotation per part present in
the record's merged label map (annotation index = part label), segmentation = compressed
RLE, bbox and area from the RLE. The 512 x 512 label map is scaled to the image size
(1024 x 1024) by pixel repetition, so masks align with the image COCO users load. A part
listed in the record but fully overwritten by later parts in the official merge has no
pixel left and no annotation. The 10 captions are kept in the images section
(`captions`), with `orig_idx` (0-based CelebA index).
"""

from collections import Counter
from pathlib import Path

from humanprep.coco.common import (
    IMAGES_ROOT,
    SplitFiles,
    class_annotations,
    image_entry,
    iter_records,
    read_label_map,
    record_image_id,
)
from humanprep.datasets.celeba.formats import PARTS

INFO = {
    "description": "Multi-Modal-CelebA-HQ face parts (humanprep COCO export)",
    "url": "https://github.com/IIGROUP/MM-CelebA-HQ-Dataset",
    "images_root": IMAGES_ROOT,
}


def categories():
    return [{"id": i, "name": p, "supercategory": "face"} for i, p in enumerate(PARTS, 1)]


def export(records, out_dir, normalised_dir):
    files = SplitFiles(out_dir, INFO)
    header = {"categories": categories()}
    counts = Counter()
    for record in records:
        image_id_ = record_image_id(record)
        celeba = record["celeba"]
        entry = image_entry(
            record, image_id_, captions=celeba["captions"], orig_idx=celeba["orig_idx"]
        )
        coco = files.add_image(f"face_parts_{record['split']}.json", header, record, entry)
        counts["images"] += 1
        path = Path(normalised_dir, celeba["label_map"])
        width, height = record["image"]["width"], record["image"]["height"]
        label = read_label_map(path, len(PARTS), width, height)
        kept = set()
        for ann in class_annotations(image_id_, label, range(1, len(PARTS) + 1)):
            coco.annotations.add(ann["id"], ann)
            counts["annotations"] += 1
            kept.add(PARTS[ann["category_id"] - 1])
        counts["parts_overwritten"] += len(set(celeba["parts"]) - kept)
    return {"files": files.write(), "counts": dict(sorted(counts.items()))}


def export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options):
    return export(iter_records(record_paths), out_dir, normalised_dir)
