"""DeepFashion2 -> COCO in the conventions of the official converter (`coco.deepfashion2.compat:
official`), the file published DeepFashion2 results were evaluated on.

`evaluation/deepfashion2_to_coco.py` (switchablenorms/DeepFashion2) fixes these conventions:
- categories 1-13 named `short_sleeved_shirt`, ..., `sling_dress` (not the annotation files'
  own names), supercategory "clothes", keypoint names "1" ... "294", empty skeleton;
- one file per split; image `id` = the file number (000123.jpg -> 123), images in number order
  with `coco_url`, `date_captured` and `flickr_url` empty and `license` 0;
- annotations numbered 1, 2, 3, ... over the split's images in number order and, within an
  image, over its items in the annotation file's key order;
- per annotation, the file's values unchanged: `bbox` [x1, y1, x2 - x1, y2 - y1] and
  `area` = (x2 - x1) * (y2 - y1) (the box, not the mask), `segmentation` the file's polygons,
  `keypoints` the 294-point vector (882 floats) with the category's slice holding the file's
  landmarks and zeros elsewhere, `num_keypoints` the landmarks with v > 0, `pair_id`,
  `style`, `iscrowd` 0; no other fields;
- `info` and `licenses` empty.

Differences, stated in `info`: `info` says which convention the file follows; `file_name` is
the image's path in this dataset's folder (so the file resolves in a release), where the
script writes `NNNNNN.jpg`; a garment the file gives no landmarks gets zeros (the script
stops on it); test images (no annotations) are listed. The values the normaliser fixed
(clipped boxes and polygons, unlabelled out-of-image landmarks) are taken from the record's
`original`, so the output is the script's. The full-body subset (`*_fullbody.json`) keeps
the annotation ids of the full split file.
"""

from collections import defaultdict

from humanprep import store
from humanprep.coco.common import IMAGES_ROOT, iter_records
from humanprep.coco.writer import CocoFile
from humanprep.datasets.deepfashion2.formats import LANDMARK_SLICES, N_LANDMARKS

NAMES = {
    1: "short_sleeved_shirt",
    2: "long_sleeved_shirt",
    3: "short_sleeved_outwear",
    4: "long_sleeved_outwear",
    5: "vest",
    6: "sling",
    7: "shorts",
    8: "trousers",
    9: "skirt",
    10: "short_sleeved_dress",
    11: "long_sleeved_dress",
    12: "vest_dress",
    13: "sling_dress",
}
INFO = {
    "convention": "official",
    "description": "DeepFashion2 garments in the conventions of the official converter "
    "evaluation/deepfashion2_to_coco.py (category names, box area, 294-point keypoints, ids)",
    "url": "https://github.com/switchablenorms/DeepFashion2",
    "images_root": IMAGES_ROOT,
    "differences": "file_name is the image path under images_root (the script writes "
    "NNNNNN.jpg); garments without landmarks get zeros; test images are listed",
}


def categories():
    names = [str(i) for i in range(1, N_LANDMARKS + 1)]
    return [
        {"id": c, "name": n, "supercategory": "clothes", "keypoints": names, "skeleton": []}
        for c, n in sorted(NAMES.items())
    ]


def file_number(record):
    """'train/000123' -> 123, the script's image id."""
    return int(record["id"].split("/", 1)[1])


def items_in_file_order(record):
    """Garments in the annotation file's key order (item number order when not recorded)."""
    sub = record.get("deepfashion2") or {}
    by_item = {g["item"]: g for g in sub.get("garments") or []}
    order = [n for n in sub.get("item_order") or [] if n in by_item]
    order += sorted(set(by_item) - set(order))  # a record may list fewer (schema admits it)
    return [by_item[n] for n in order]


def first_annotation_ids(record_paths):
    """{split: {file number: id of its first annotation}}: the script's running count over
    the split's images in number order. Holds one int per image."""
    garments = defaultdict(dict)
    for record in iter_records(record_paths):
        garments[record["split"]][file_number(record)] = len(items_in_file_order(record))
    first = {}
    for split, counts in garments.items():
        running, first[split] = 1, {}
        for number in sorted(counts):
            first[split][number] = running
            running += counts[number]
    return first


def keypoint_vector(garment):
    """The file's landmarks placed at the category's slice of 294 points, as floats."""
    start, stop = LANDMARK_SLICES[garment["category_id"]]
    flat = (garment.get("original") or {}).get("landmarks")
    if flat is None or len(flat) != 3 * (stop - start):
        flat = [c for point in garment["landmarks"] for c in point][: 3 * (stop - start)]
    points = [0.0] * (3 * N_LANDMARKS)
    points[3 * start : 3 * start + len(flat)] = [float(c) for c in flat]
    return points, sum(1 for v in flat[2::3] if v > 0)


def annotation(record, garment, ann_id):
    original = garment.get("original") or {}
    x1, y1, x2, y2 = original.get("bbox", garment["bbox"])
    w, h = x2 - x1, y2 - y1
    points, labelled = keypoint_vector(garment)
    return {
        "area": w * h,
        "bbox": [x1, y1, w, h],
        "category_id": garment["category_id"],
        "id": ann_id,
        "pair_id": record["deepfashion2"]["pair_id"],
        "image_id": file_number(record),
        "iscrowd": 0,
        "style": garment["style"],
        "num_keypoints": labelled,
        "keypoints": points,
        "segmentation": original.get("segmentation", garment["segmentation"]),
    }


def image_entry(record):
    return {
        "coco_url": "",
        "date_captured": "",
        "file_name": store.member_name(record["image"]["path"]),
        "flickr_url": "",
        "id": file_number(record),
        "license": 0,
        "width": record["image"]["width"],
        "height": record["image"]["height"],
    }


def export(record_paths, out_dir, suffix="", first_ids=None, numbering_paths=None):
    """instances_{split}{suffix}.json for the records of `record_paths`. Annotation ids come
    from `numbering_paths` (default: the same records), so a subset keeps the full file's."""
    if first_ids is None:
        first_ids = first_annotation_ids(numbering_paths or record_paths)
    files, counts = {}, defaultdict(int)
    header = {"info": INFO, "licenses": [], "categories": categories()}
    for record in iter_records(record_paths):
        split = record["split"]
        name = f"instances_{split}{suffix}.json"
        if name not in files:
            files[name] = CocoFile(f"{out_dir}/{name}", header)
        coco = files[name]
        coco.images.add(file_number(record), image_entry(record))
        counts["images"] += 1
        first = first_ids[split][file_number(record)]
        for position, garment in enumerate(items_in_file_order(record)):
            coco.annotations.add(first + position, annotation(record, garment, first + position))
            counts["annotations"] += 1
    stats = {}
    for name in sorted(files):
        stats[name] = {
            "images": len(files[name].images),
            "annotations": len(files[name].annotations),
        }
        files[name].write()
    return {"files": stats, "counts": dict(sorted(counts.items()))}


def export_with_fullbody(record_paths, out_dir, fullbody_paths):
    first_ids = first_annotation_ids(record_paths)
    result = export(record_paths, out_dir, first_ids=first_ids)
    fullbody = export(fullbody_paths, out_dir, "_fullbody", first_ids)
    return {
        "compat": "official",
        "files": {**result["files"], **fullbody["files"]},
        "counts": result["counts"],
        "fullbody_counts": fullbody["counts"],
    }
