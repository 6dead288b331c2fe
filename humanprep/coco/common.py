"""What every COCO export shares: streamed records, licences, image entries, split files,
mask annotations."""

import hashlib
from collections import Counter
from pathlib import Path

from humanprep import store
from humanprep.coco.ids import annotation_id, image_id
from humanprep.coco.masks import label_rles, read_png, rle_area, rle_bbox, to_size
from humanprep.coco.writer import CocoFile, num
from humanprep.errors import HumanprepError
from humanprep.io import read_jsonl

# Flickr / COCO licence numbering (the `licenses` section of COCO 2014/2017), so FDH's
# Creative Commons licences get the ids COCO users already know.
COCO_LICENCE_IDS = {
    "CC-BY-NC-SA-2.0": 1,
    "CC-BY-NC-2.0": 2,
    "CC-BY-NC-ND-2.0": 3,
    "CC-BY-2.0": 4,
    "CC-BY-SA-2.0": 5,
    "CC-BY-ND-2.0": 6,
}


def licence_number(name):
    """Stable int id of a licence: COCO's number for the CC 2.0 licences, else a number
    derived from the name (1000-999999), the same in every file and every version."""
    if name in COCO_LICENCE_IDS:
        return COCO_LICENCE_IDS[name]
    return 1000 + int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % 999_000


class Licences:
    """The distinct licences seen, as a COCO `licenses` list (id, name, url)."""

    def __init__(self):
        self._urls = {}

    def add(self, licence):
        name = licence["id"]
        number = licence_number(name)
        self._urls.setdefault(name, set()).add(licence.get("url") or "")
        return number

    def section(self):
        out, seen = [], {}
        for name in sorted(self._urls):
            number = licence_number(name)
            if number in seen:
                raise HumanprepError(name, f"licence id {number} collides with {seen[number]}")
            seen[number] = name
            out.append({"id": number, "name": name, "url": min(self._urls[name]) or None})
        return sorted(out, key=lambda lic: lic["id"])


# file_name is the image's member name in the store's containers; the images as files
# under one folder come from the release with this command
IMAGES_ROOT = "the folder written by: humanprep export images <release> <dataset> <folder>"


def iter_records(paths):
    """Records of every shard file, one shard in memory at a time."""
    for path in paths:
        yield from read_jsonl(path)


def image_entry(record, image_id_, **extra):
    image = record["image"]
    entry = {
        "id": image_id_,
        "file_name": store.member_name(image["path"]),
        "width": image["width"],
        "height": image["height"],
        "license": licence_number(record["license"]["id"]),
        "record_id": record["id"],
    }
    entry.update(extra)
    return entry


def keypoint_triples(points, width=None, height=None, counts=None):
    """[[x, y, v], ...] -> flat COCO keypoints and num_keypoints. With a size given,
    labelled points outside [0, width] x [0, height] become unlabelled (counted)."""
    flat, labelled = [], 0
    for x, y, v in points:
        v = int(v)
        if v and width is not None and not (0 <= x <= width and 0 <= y <= height):
            if counts is not None:
                counts["keypoints_outside_image"] += 1
            v = 0
        if v:
            flat += [num(x), num(y), v]
            labelled += 1
        else:
            flat += [0, 0, 0]
    return flat, labelled


def keypoint_box(flat):
    """[x, y, w, h] spanned by the labelled keypoints, or None."""
    xs = [flat[i] for i in range(0, len(flat), 3) if flat[i + 2]]
    ys = [flat[i + 1] for i in range(0, len(flat), 3) if flat[i + 2]]
    if not xs:
        return None
    return [num(min(xs)), num(min(ys)), num(max(xs) - min(xs)), num(max(ys) - min(ys))]


class SplitFiles:
    """Lazily opened COCO files keyed by name; each image added once per file, with its
    licence listed in that file's `licenses` section."""

    def __init__(self, out_dir, info):
        self.out_dir = Path(out_dir)
        self.info = info
        self.files = {}
        self._images = {}
        self._licences = {}

    def get(self, name, header):
        if name not in self.files:
            self.files[name] = CocoFile(self.out_dir / name, {"info": self.info, **header})
            self._images[name] = set()
            self._licences[name] = Licences()
        return self.files[name]

    def add_image(self, name, header, record, entry):
        coco = self.get(name, header)
        if entry["id"] not in self._images[name]:
            self._images[name].add(entry["id"])
            self._licences[name].add(record["license"])
            coco.images.add(entry["id"], entry)
        return coco

    def write(self):
        """Write every file; returns {file name: {"images": n, "annotations": n}}."""
        stats = {}
        for name in sorted(self.files):
            coco = self.files[name]
            coco.header["licenses"] = self._licences[name].section()
            stats[name] = {"images": len(coco.images), "annotations": len(coco.annotations)}
            coco.write()
        return stats


def record_image_id(record):
    return image_id(record["dataset"], record["id"])


def summary(dataset, files, counts):
    return {"dataset": dataset, "files": files, "counts": dict(sorted(Counter(counts).items()))}


def mask_annotation(image_id_, index, category_id, rle):
    return {
        "id": annotation_id(image_id_, index),
        "image_id": image_id_,
        "category_id": category_id,
        "segmentation": rle,
        "area": rle_area(rle),
        "bbox": rle_bbox(rle),
        "iscrowd": 0,
    }


def read_label_map(path, top, width, height):
    """A class-id label map (values 0-`top`, 0 the background) at the image size."""
    label = read_png(path)
    if label.ndim != 2 or label.max() > top:
        raise HumanprepError(path, f"label map is not a class-id image with values 0-{top}")
    return to_size(label, width, height, path)


def class_annotations(image_id_, label, classes):
    """One RLE annotation per class id of `classes` present in the label map; the class id
    is the category id and the annotation index."""
    return [mask_annotation(image_id_, c, c, rle) for c, rle in label_rles(label, classes).items()]
