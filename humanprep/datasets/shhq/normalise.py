"""SHHQ-1.0: image, person mask, parsing map as class ids, BODY_25 keypoints."""

import functools
import math

import cv2
import numpy as np

from humanprep import settings
from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.shhq.formats import BODY_25, PALETTE
from humanprep.items import LABEL_PNG_LEVEL, BadItem, png_bytes
from humanprep.normalise.common import (
    binary_mask,
    check_size,
    read_array,
    take_image,
)

LICENSE = DESCRIPTORS["shhq"].licence
UNKNOWN = 255
KEYPOINTS_FILE = "merged_25pts_ldmk.txt"


@functools.cache
def _lut():
    """Colour code -> class id over all 2^24 colours (16 MB, built on first use): one
    gather per pixel, 4x faster than a sorted search."""
    lut = np.full(1 << 24, UNKNOWN, np.uint8)
    for k, (r, g, b) in PALETTE.items():
        lut[r | (g << 8) | (b << 16)] = k
    return lut


def parse_keypoint_lines(lines):
    """`<file> x0 y0 ... x24 y24` lines -> {image stem: [(x, y), ...25]}. A malformed line
    maps its image to the problem (a string): that image is quarantined, not the dataset."""
    points = {}
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields:
            continue
        stem = fields[0].rsplit(".", 1)[0]
        if len(fields) != 1 + 2 * len(BODY_25):
            points[stem] = f"line {number}: {len(fields)} fields, expected 51"
            continue
        try:
            values = [float(v) for v in fields[1:]]
        except ValueError as err:
            points[stem] = f"line {number}: {err}"
            continue
        points[stem] = list(zip(values[::2], values[1::2], strict=True))
    return points


def load_context(side_files, options):
    options = settings.options("normalise", "shhq", options)
    path = side_files["keypoints"]
    with open(path, encoding="utf-8") as fh:
        keypoints = parse_keypoint_lines(fh)
    return {"keypoints": keypoints, "out_of_width": options["out_of_width"]}


def parsing_to_classes(rgb):
    """Colour-coded parsing (H, W, 3) -> class ids 0-16; unknown colours raise BadItem."""
    # RGB -> RGBA with a zero alpha, read as little-endian r | g << 8 | b << 16 (OpenCV's
    # conversion: twice as fast as filling a padded array with numpy)
    padded = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2RGBA)
    padded[..., 3] = 0
    classes = _lut()[padded.view("<u4")[..., 0]]
    unknown = classes == UNKNOWN
    if unknown.any():
        y, x = np.argwhere(unknown)[0].tolist()
        raise BadItem(
            f"parsing colour {tuple(rgb[y, x].tolist())} at ({x}, {y}) not in the palette"
        )
    return classes


def keypoints_record(points, width, rule):
    """[x, y, v] triples and a status, applying the configured out-of-width rule."""
    if points is None:
        return [[0, 0, 0]] * len(BODY_25), "missing"
    if isinstance(points, str):
        raise BadItem(f"keypoint line malformed in {KEYPOINTS_FILE}: {points}")
    if not all(math.isfinite(c) for point in points for c in point):
        raise BadItem(f"keypoints hold NaN or infinity: in {KEYPOINTS_FILE}")
    present = [(x, y) for x, y in points if (x, y) != (-1.0, -1.0)]
    status = "ok"
    if any(x > width for x, _ in present):
        if rule == "quarantine":
            raise BadItem(f"keypoint x beyond the image width {width}")
        status = {
            "drop": "dropped_out_of_width",
            "halve_x": "halved_x",
            "keep": "kept_out_of_width",
        }[rule]
        if rule == "drop":
            return [[0, 0, 0]] * len(BODY_25), status
    scale = 0.5 if status == "halved_x" else 1.0
    triples = [[0, 0, 0] if (x, y) == (-1.0, -1.0) else [x * scale, y, 2] for x, y in points]
    return triples, status


def normalise(entry, ctx, writer):
    files = entry["files"]
    image = take_image(files["image"], writer)
    width, height = image["width"], image["height"]
    record = {
        "dataset": "shhq",
        "id": entry["id"],
        "split": "all",
        "image": image,
        "license": LICENSE,
        "attribution": None,
    }
    segment = parsing = None
    if "segments" in files:
        mask = binary_mask(read_array(files["segments"], "segment mask"))
        check_size(mask, width, height, "segment mask")
        segment = writer.write("segment.png", png_bytes(mask, LABEL_PNG_LEVEL))
    if "parsing" in files:
        rgb = read_array(files["parsing"], "parsing map")
        if rgb.ndim != 3 or rgb.shape[2] < 3:
            raise BadItem("parsing map is not RGB")
        check_size(rgb, width, height, "parsing map")
        parsing = writer.write(
            "parsing.png", png_bytes(parsing_to_classes(rgb[..., :3]), LABEL_PNG_LEVEL)
        )
    points, status = keypoints_record(ctx["keypoints"].get(entry["id"]), width, ctx["out_of_width"])
    record["shhq"] = {
        "segment": segment,
        "parsing": parsing,
        "keypoints": points,
        "keypoints_status": status,
    }
    return record
