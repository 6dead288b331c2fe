"""Polygons and masks -> COCO segmentation, area and box, with pycocotools itself.

Areas are what pycocotools computes (the rasterised pixel count of the polygon or mask),
the same number `COCO.loadRes` computes for detections and the `area` COCOeval uses for
its size ranges. For polygons that is the count of pixels whose centre lies inside: a
right triangle with legs of 10 px covers 45 pixels (its geometric area is 50).
"""

import math
from collections import Counter

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from humanprep import store
from humanprep.coco.writer import num
from humanprep.errors import HumanprepError

# Why a polygon is dropped (DeepFashion2); counted in the export summary.
POLYGON_DROPS = ("too_few_points", "odd_length", "non_finite", "zero_area", "empty_mask")


def shoelace_area(poly):
    xs, ys = poly[0::2], poly[1::2]
    n = len(xs)
    twice = sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))
    return abs(twice) / 2


def _polygon_problem(poly):
    if not isinstance(poly, list | tuple) or len(poly) < 6:
        return "too_few_points"
    if len(poly) % 2:
        return "odd_length"
    try:
        if not all(math.isfinite(float(c)) for c in poly):
            return "non_finite"
    except (TypeError, ValueError):
        return "non_finite"
    return None


def clean_polygons(polygons, width, height, counts=None):
    """Validate polygons: >= 3 points, finite, clipped into the image, rounded to 1/100 px,
    non-zero geometric area and at least one pixel when rasterised. Returns (kept polygons,
    merged RLE or None, pixel area); every dropped polygon adds one to
    `counts["polygons_dropped_<reason>"]`."""
    counts = Counter() if counts is None else counts
    candidates = []
    for poly in polygons or []:
        problem = _polygon_problem(poly)
        if problem is None:
            poly = [
                num(min(max(float(c), 0.0), width if i % 2 == 0 else height))
                for i, c in enumerate(poly)
            ]
            if shoelace_area(poly) <= 0:
                problem = "zero_area"
        if problem:
            counts[f"polygons_dropped_{problem}"] += 1
        else:
            candidates.append(poly)
    if not candidates:
        return [], None, 0
    rles = mask_utils.frPyObjects(candidates, height, width)
    areas = mask_utils.area(rles)
    kept = []
    for poly, rle, area in zip(candidates, rles, areas, strict=True):
        if area > 0:
            kept.append((poly, rle))
        else:
            counts["polygons_dropped_empty_mask"] += 1
    if not kept:
        return [], None, 0
    merged = mask_utils.merge([rle for _, rle in kept], intersect=False)
    return [p for p, _ in kept], merged, int(mask_utils.area(merged))


def encode(mask):
    """Boolean/0-1 (H, W) array -> compressed RLE with `counts` as str (JSON-ready)."""
    rle = mask_utils.encode(np.asfortranarray(mask, dtype=np.uint8))
    return {"size": [int(s) for s in rle["size"]], "counts": rle["counts"].decode("ascii")}


def _as_bytes(rle):
    counts = rle["counts"]
    return {
        "size": rle["size"],
        "counts": counts.encode("ascii") if isinstance(counts, str) else counts,
    }


def rle_area(rle):
    return int(mask_utils.area(_as_bytes(rle)))


def rle_bbox(rle):
    """[x, y, w, h] of the mask's pixel extent."""
    return [num(v) for v in mask_utils.toBbox(_as_bytes(rle)).tolist()]


def read_png(path):
    """A mask or label map of the store: `path` is its reference joined to the folder the
    reference is relative to (Path(normalised_dir, ref))."""
    data = store.read("", str(path))
    try:
        return np.asarray(store.decode_image(data))
    except (OSError, ValueError) as err:
        raise HumanprepError(path, f"mask does not decode: {err}") from None


def to_size(array, width, height, where):
    """Nearest-neighbour resize of a label/mask array to the image size (W x H); integer
    factors repeat pixels exactly, others use Pillow's NEAREST."""
    h, w = array.shape[:2]
    if (w, h) == (width, height):
        return array
    if width % w == 0 and height % h == 0:
        return np.repeat(np.repeat(array, height // h, axis=0), width // w, axis=1)
    if array.dtype != np.uint8:
        raise HumanprepError(where, f"cannot resize a {array.dtype} mask {w}x{h}")
    return np.asarray(Image.fromarray(array).resize((width, height), Image.Resampling.NEAREST))


def person_mask(path, width, height):
    """A binary person mask PNG (any non-zero value is foreground) at the image size."""
    array = read_png(path)
    if array.ndim == 3:
        array = array.max(axis=2)
    return to_size((array > 0).astype(np.uint8), width, height, path) > 0


def label_rles(label, classes):
    """{class id: RLE} for every class id in `classes` present in the label array."""
    present = set(np.unique(label).tolist())
    return {c: encode(label == c) for c in classes if c in present}
