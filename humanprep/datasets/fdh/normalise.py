"""FDH: image, masks, COCO-17 keypoints in pixels, CSE vertices, licence and attribution.

Items of opted-out Flickr users (by NSID) are removed before anything of them is written.
"""

import io
import json
import re

import numpy as np

from humanprep import settings
from humanprep.items import LABEL_PNG_LEVEL, BadItem, Removed, png_bytes
from humanprep.normalise.checks import integer, show, text
from humanprep.normalise.common import (
    binary_mask,
    check_size,
    read_array,
    read_file,
    take_image,
)
from humanprep.sidefiles import MetadataDB

SPLITS = {"train": "train", "val": "val", "validation": "val"}
_CC = re.compile(r"creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)")


def licence_id(url):
    """'http://creativecommons.org/licenses/by-nc-sa/2.0/' -> 'CC-BY-NC-SA-2.0'."""
    match = _CC.search(url or "")
    return f"CC-{match.group(1).upper()}-{match.group(2)}" if match else "unknown"


def load_context(side_files, options):
    if "metadata.sqlite" in side_files:  # split once by plan_shards: look up, never load
        metadata = MetadataDB(side_files["metadata.sqlite"])
    else:
        with open(side_files["metadata.json"], encoding="utf-8") as fh:
            metadata = json.load(fh)
    options = settings.options("normalise", "fdh", options)
    return {
        "metadata": metadata,
        "opt_out": set(options["opt_out_nsids"]),
        "opt_out_ids": {str(i).lstrip("0") for i in options["opt_out_ids"]},
    }


def opt_out_reason(key, meta, ctx):
    """Why this item must not be written (None: keep): an opted-out Flickr user, or a photo
    tagged `no_cv` (listed in opt_out_ids, or carrying the tag where metadata has tags)."""
    if meta.get("user_nsid") in ctx["opt_out"]:
        return f"Flickr user {meta['user_nsid']} opted out"
    tags = meta.get("tags") or ""
    tags = tags.split() if isinstance(tags, str) else tags
    if key.lstrip("0") in ctx["opt_out_ids"] or "no_cv" in tags:
        return "photo tagged no_cv"
    return None


_TEXT_FIELDS = ("author", "photo_title", "photo_url", "user_nsid", "license_url", "date_taken")


def check_metadata(meta):
    """The item's metadata.json entry with the fields records carry type-checked."""
    if not isinstance(meta, dict):
        raise BadItem(f"metadata.json entry is not an object: {show(meta)}")
    category = meta.get("cateogry")  # sic: the upstream field name
    if not isinstance(category, str) or category not in SPLITS:
        raise BadItem(f"metadata.json cateogry is not train or val: {show(category)}")
    for key in _TEXT_FIELDS:
        text(meta.get(key), f"metadata.json {key}")
    if meta.get("yfcc100m_line_idx") is not None:
        integer(meta["yfcc100m_line_idx"], "metadata.json yfcc100m_line_idx")
    tags = meta.get("tags")
    if not (tags is None or isinstance(tags, str | list)):
        raise BadItem(f"metadata.json tags are not text or a list: {show(tags)}")
    return meta


def load_keypoints(data):
    """The (17, 3) float64 keypoint array from `.npy` bytes; anything else is a BadItem."""
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise BadItem(f"keypoints.npy unreadable: {err}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise BadItem(f"keypoints.npy holds no numbers: {getattr(array, 'dtype', type(array))}")
    return array.astype(np.float64)


def keypoints_in_pixels(array, width, height):
    """(17, 3) keypoints -> ([x, y, v] in pixels, units found). Units are detected: when
    every labelled coordinate lies in [0, 1] the file is normalised, else in pixels."""
    if array.shape != (17, 3) or not np.isfinite(array).all():
        raise BadItem(f"keypoints shape {array.shape}, expected (17, 3) finite values")
    labelled = array[:, 2] > 0
    coords = array[labelled, :2]
    units = "normalised" if coords.size and coords.max() <= 1.0 and coords.min() >= 0 else "pixels"
    scale = np.array([width, height]) if units == "normalised" else np.ones(2)
    out = []
    for (x, y), flag in zip(array[:, :2] * scale, labelled, strict=True):
        out.append([round(float(x), 3), round(float(y), 3), 2] if flag else [0, 0, 0])
    return out, units


def _optional_int(value):
    return None if value is None else int(value)


def _mask(files, role, writer, size):
    if role not in files:
        return None
    mask = binary_mask(read_array(files[role], role))
    check_size(mask, *size, role)
    return writer.write(role, png_bytes(mask, LABEL_PNG_LEVEL))


def normalise(entry, ctx, writer):
    key, files = entry["id"], entry["files"]
    meta = ctx["metadata"].get(key) or ctx["metadata"].get(key.lstrip("0") or "0")
    if meta is None:
        raise BadItem("no entry in metadata.json")
    meta = check_metadata(meta)
    reason = opt_out_reason(key, meta, ctx)
    if reason:
        raise Removed(reason)
    image = take_image(files["image.png"], writer)
    size = (image["width"], image["height"])
    for role in ("keypoints.npy", "vertices.npy"):
        if role not in files:
            raise BadItem(f"no {role} in the tar")
    array = load_keypoints(read_file(files["keypoints.npy"], "keypoints"))
    vertices = read_file(files["vertices.npy"], "vertices")
    try:
        np.load(io.BytesIO(vertices), allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise BadItem(f"vertices.npy unreadable: {err}") from None
    points, units = keypoints_in_pixels(array, *size)
    if "mask.png" not in files:
        raise BadItem("no person mask (mask.png) in the tar")
    return {
        "dataset": "fdh",
        "id": key,
        "split": SPLITS[meta["cateogry"]],  # sic: the upstream field name
        "image": image,
        "license": {"id": licence_id(meta.get("license_url")), "url": meta.get("license_url")},
        "attribution": {
            "author": meta.get("author"),
            "title": meta.get("photo_title"),
            "source_url": meta.get("photo_url"),
            "user_nsid": meta.get("user_nsid"),
        },
        "fdh": {
            "licence_tar": files["tar"],
            "mask": _mask(files, "mask.png", writer, size),
            "maskrcnn_mask": _mask(files, "maskrcnn_mask.png", writer, size),
            "e_mask": _mask(files, "e_mask.png", writer, size),
            "vertices": writer.write("vertices.npy", vertices),
            "keypoints": points,
            "keypoint_units": units,
            "yfcc100m_line_idx": _optional_int(meta.get("yfcc100m_line_idx")),
            "date_taken": meta.get("date_taken"),
        },
    }
