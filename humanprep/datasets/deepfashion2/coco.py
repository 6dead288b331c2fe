"""DeepFashion2 -> COCO instances with landmarks in two layouts.

Files per split (the records' `split`: train, val, test), `<suffix>` being "" for the
full export and "_fullbody" for the full-body subset:

- `instances_{split}{suffix}.json`: every garment with its category (ids 1-13 named as
  in the data, supercategory "clothes"), `bbox` [x, y, w, h] from the record's clipped
  box, `segmentation` polygons (validated: >= 3 points, finite, clipped into the image,
  non-zero area; degenerate ones dropped and counted), `area` = pycocotools' pixel area of
  the kept polygons, `iscrowd` 0, and the extra fields pair_id, style, source, scale,
  occlusion, zoom_in, viewpoint. A garment none of whose polygons survives is dropped
  (counted as `annotations_without_valid_polygon`): a mask-less instance cannot be
  evaluated. Landmarks use DeepFashion2's own evaluator layout: `keypoints` is the
  294-point vector (882 numbers) with only the category's slice filled (landmarks outside
  the image, or a list of the wrong length for the category, unlabelled and counted as
  `keypoints_outside_image` / `landmarks_wrong_length`), every category
  lists the 294 keypoint names "1" ... "294" and an empty skeleton. Test images (no
  annotations) are still listed.
- `landmarks_{split}_{NN}_{slug}{suffix}.json`, one per category with at least one
  garment in the split: the same annotations of category NN with only that category's
  K landmarks (K = slice length, names = their 1-based positions in the 294 vector,
  e.g. "169" ... "182" for trousers), so stock pycocotools evaluates them with
  `params.kpt_oks_sigmas` of length K. Only images holding that category are listed.
"""

from collections import Counter

from humanprep import settings
from humanprep.coco.common import (
    IMAGES_ROOT,
    SplitFiles,
    image_entry,
    iter_records,
    keypoint_triples,
    record_image_id,
)
from humanprep.coco.ids import annotation_id
from humanprep.coco.masks import clean_polygons, rle_bbox
from humanprep.coco.writer import num
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES, N_LANDMARKS

SUPERCATEGORY = "clothes"
EXTRA_FIELDS = ("style", "scale", "occlusion", "zoom_in", "viewpoint")
INFO = {
    "convention": "corrected",
    "conventions": "corrected: clipped, validated polygons and mask areas, the data's own "
    "category names; `coco.deepfashion2.compat: official` gives deepfashion2_to_coco.py's",
    "description": "DeepFashion2 garments (humanprep COCO export)",
    "url": "https://github.com/switchablenorms/DeepFashion2",
    "images_root": IMAGES_ROOT,
    "keypoint_layout": "294-vector: category slice filled, other entries 0",
}


def slug(category_id):
    return CATEGORIES[category_id].replace(" ", "_")


def instances_categories():
    names = [str(i) for i in range(1, N_LANDMARKS + 1)]
    return [
        {"id": c, "name": n, "supercategory": SUPERCATEGORY, "keypoints": names, "skeleton": []}
        for c, n in sorted(CATEGORIES.items())
    ]


def landmark_category(category_id):
    start, stop = LANDMARK_SLICES[category_id]
    return {
        "id": category_id,
        "name": CATEGORIES[category_id],
        "supercategory": SUPERCATEGORY,
        "keypoints": [str(i) for i in range(start + 1, stop + 1)],
        "skeleton": [],
    }


def instances_name(split, suffix=""):
    return f"instances_{split}{suffix}.json"


def landmarks_name(split, category_id, suffix=""):
    return f"landmarks_{split}_{category_id:02d}_{slug(category_id)}{suffix}.json"


def full_vector(flat, category_id):
    """The category's K-point flat keypoints placed into the 294-point vector."""
    start, stop = LANDMARK_SLICES[category_id]
    return [0] * (3 * start) + flat + [0] * (3 * (N_LANDMARKS - stop))


def garment_annotation(record, image_id_, garment, counts):
    """(annotation with K-point keypoints, or None when no polygon survives)."""
    width, height = record["image"]["width"], record["image"]["height"]
    polygons, rle, area = clean_polygons(garment["segmentation"], width, height, counts)
    if not polygons:
        counts["annotations_without_valid_polygon"] += 1
        return None
    x1, y1, x2, y2 = garment["bbox"]
    w, h = num(x2 - x1), num(y2 - y1)
    if w > 0 and h > 0:  # after rounding: a box 0.004 px high would be written as 0
        bbox = [num(x1), num(y1), w, h]
    else:
        counts["bbox_from_polygons"] += 1
        bbox = rle_bbox(rle)
    start, stop = LANDMARK_SLICES[garment["category_id"]]
    landmarks = garment["landmarks"]
    if len(landmarks) != stop - start:  # the normaliser fixes this; a record may still hold it
        counts["landmarks_wrong_length"] += 1
        landmarks = [[0, 0, 0]] * (stop - start)
    flat, labelled = keypoint_triples(landmarks, width, height, counts)
    ann = {
        "id": annotation_id(image_id_, garment["item"]),
        "image_id": image_id_,
        "category_id": garment["category_id"],
        "bbox": bbox,
        "area": area,
        "segmentation": polygons,
        "iscrowd": 0,
        "keypoints": flat,
        "num_keypoints": labelled,
        "pair_id": record["deepfashion2"]["pair_id"],
        "source": record["deepfashion2"]["source"],
    }
    ann.update({key: garment[key] for key in EXTRA_FIELDS})
    return ann


def export(records, out_dir, suffix=""):
    """Write the split files for `records` into out_dir; return the export summary."""
    files = SplitFiles(out_dir, INFO)
    counts = Counter()
    inst_header = {"categories": instances_categories()}
    for record in records:
        split = record["split"]
        image_id_ = record_image_id(record)
        entry = image_entry(record, image_id_)
        name = instances_name(split, suffix)
        instances = files.add_image(name, inst_header, record, entry)
        counts["images"] += 1
        for garment in (record.get("deepfashion2") or {}).get("garments") or []:
            counts["garments"] += 1
            ann = garment_annotation(record, image_id_, garment, counts)
            if ann is None:
                continue
            category_id = ann["category_id"]
            instances.annotations.add(
                ann["id"], {**ann, "keypoints": full_vector(ann["keypoints"], category_id)}
            )
            header = {"categories": [landmark_category(category_id)]}
            landmarks = files.add_image(
                landmarks_name(split, category_id, suffix), header, record, entry
            )
            landmarks.annotations.add(ann["id"], ann)
            counts["annotations"] += 1
    return {"files": files.write(), "counts": dict(sorted(counts.items()))}


def export_dataset(record_paths, normalised_dir, out_dir, fullbody_paths, options):
    """Both dialects (`coco.deepfashion2.compat`), with the full-body subset's files."""
    if (
        settings.options("coco", "deepfashion2", options.get("deepfashion2"))["compat"]
        == "official"
    ):
        from humanprep.datasets.deepfashion2 import coco_official as deepfashion2_official

        return deepfashion2_official.export_with_fullbody(record_paths, out_dir, fullbody_paths)
    result = export(iter_records(record_paths), out_dir)
    fullbody = export(iter_records(fullbody_paths), out_dir, "_fullbody")
    return {
        "compat": "corrected",
        "files": {**result["files"], **fullbody["files"]},
        "counts": result["counts"],
        "fullbody_counts": fullbody["counts"],
    }
