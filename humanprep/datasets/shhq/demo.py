"""Miniature SHHQ-1.0: one AES-256 zip, `SHHQ-1.0.zip`, in the real layout (docs/formats.md).

Inside: `SHHQ-1.0/no_segment/image_NNNNNN.jpg` (aligned full-body images, H = 2W, the real
1024 x 512 scaled to 256 x 128), `SHHQ-1.0/segments/<same stem>.png` (person masks),
`SHHQ-1.0/parsing/<same stem>.png` (colour-coded parsing, palette colours only) and
`SHHQ-1.0/merged_25pts_ldmk.txt` (BODY_25 keypoints, `-1 -1` for a missing point). Facts that
docs/formats.md marks unconfirmed are decided by the constants below; the planted awkward cases are
OUT_OF_WIDTH, TRUNCATED and WITH_EXIF.
"""

from pathlib import Path

import numpy as np
from PIL import Image

from humanprep.datasets import DEMO_PASSWORDS
from humanprep.datasets.shhq.formats import PALETTE
from humanprep.demo import figure
from humanprep.demo.ziputil import AES, DEFLATED, STORED, Member, write_zip
from humanprep.items import png_bytes

ARCHIVE = "SHHQ-1.0.zip"
ROOT = "SHHQ-1.0"
PASSWORD = DEMO_PASSWORDS["shhq"]
ENCRYPTION = AES  # docs/formats.md: ZipCrypto or AES unconfirmed; the demo uses AES-256 (AE-2)
WIDTH, HEIGHT = 128, 256
IMAGE_DIR, SEGMENT_DIR, PARSING_DIR = "no_segment", "segments", "parsing"
KEYPOINTS = "merged_25pts_ldmk.txt"
SEGMENT_VALUES = (0, 255)  # segments: L-mode PNG, person 255 (real value range unconfirmed)
IDS = [1, 2, 3, 57, 58, 1204, 1205, 9990, 9991, 20000, 31337, 39999]
# (DeepFashion2 garment categories, painted in this order; extra SHHQ parts)
OUTFITS = {
    1: ((8, 1), ()),
    2: ((8, 2), ("bag",)),
    3: ((10,), ("headwear",)),
    57: ((9, 1), ()),
    58: ((7, 5), ("eyeglasses",)),
    1204: ((11,), ()),
    1205: ((8, 2, 4), ("scarf",)),
    9990: ((13,), ("bag",)),
    9991: ((9, 6), ("glove",)),
    20000: ((8, 1, 3), ()),
    31337: ((12,), ("eyeglasses", "headwear")),
    39999: ((7, 2), ()),
}
LONG_COAT = {1205}
# Keypoints left out (written `-1 -1`), by image id.
MISSING_POINTS = {
    2: ("right_ear",),
    57: ("left_ear", "right_small_toe"),
    1204: ("left_ear", "right_ear"),
    9991: ("left_small_toe", "left_heel"),
    31337: ("right_ear", "left_big_toe", "left_small_toe"),
}
# Planted: this line's x values were measured on a twice-as-wide reference (upstream issue #50).
OUT_OF_WIDTH = 9990
# Planted: this JPEG is cut short: it opens, but decoding all pixels fails (quarantine).
TRUNCATED = 58
TRUNCATE_AT = 0.55  # fraction of the encoded bytes kept
# Planted: this JPEG carries EXIF with GPS and orientation 6 (stored rotated, upright on
# display); the normaliser must apply the orientation and drop the metadata.
WITH_EXIF = 20000
EXIF_ORIENTATION = 6
EXIF_TAGS = {0x010F: "DemoCam", 0x0110: "DC-1", 0x0132: "2019:06:01 12:00:00"}
GPS = {1: "N", 2: (52.0, 31.0, 12.5), 3: "E", 4: (13.0, 24.0, 3.25)}


def name_of(image_id, suffix):
    return f"image_{image_id:06d}.{suffix}"


def draw(image_id, rng):
    """(label map, keypoints (25, 2)) of one upright person filling the frame."""
    h = rng.uniform(0.86, 0.91) * HEIGHT
    top = rng.uniform(0.035, 0.06) * HEIGHT
    cx = WIDTH / 2 + (rng.uniform(2, 8) if image_id == OUT_OF_WIDTH else rng.uniform(-6, 6))
    person = figure.Person(rng, cx, top, h, long_coat=image_id in LONG_COAT)
    garments, extras = OUTFITS[image_id]
    layers = [*person.skin()]
    layers += [(figure.GARMENT_LABEL[c], person.garment(c)) for c in garments]
    layers += [*person.shoes(), *person.head()]
    layers += [(extra, person.accessory(extra)) for extra in extras]
    return figure.draw_labels(layers, WIDTH, HEIGHT), person.joints


def keypoint_line(image_id, joints):
    scale = 2.0 if image_id == OUT_OF_WIDTH else 1.0
    missing = {figure.J[name] for name in MISSING_POINTS.get(image_id, ())}
    fields = [name_of(image_id, "jpg")]
    for j, (x, y) in enumerate(joints):
        fields += ["-1", "-1"] if j in missing else [f"{x * scale:.1f}", f"{y:.1f}"]
    return " ".join(fields)


def exif_block():
    exif = Image.Exif()
    for tag, value in EXIF_TAGS.items():
        exif[tag] = value
    exif[0x0112] = EXIF_ORIENTATION
    exif[0x8825] = dict(GPS)
    return exif


def image_bytes(image_id, labels, rng):
    rgb = figure.photo(labels, figure.random_colours(rng), rng)
    if image_id == WITH_EXIF:
        # orientation 6: the viewer turns the stored pixels 90 degrees clockwise
        stored = np.ascontiguousarray(np.rot90(rgb, k=1))
        return figure.jpeg_bytes(stored, exif=exif_block())
    data = figure.jpeg_bytes(rgb)
    if image_id == TRUNCATED:
        data = data[: int(len(data) * TRUNCATE_AT)]
    return data


def image_jpeg(key, seed=0):
    """The JPEG bytes of image `key` ("image_NNNNNN") as build(seed=seed) writes them."""
    rng = np.random.default_rng(seed)
    for image_id in IDS:  # the same random stream as members()
        labels, _ = draw(image_id, rng)
        data = image_bytes(image_id, labels, rng)
        if name_of(image_id, "jpg").removesuffix(".jpg") == key:
            return data
    raise KeyError(key)


def members(rng):
    out, lines = [], []
    for image_id in IDS:
        labels, joints = draw(image_id, rng)
        jpg, png = name_of(image_id, "jpg"), name_of(image_id, "png")
        out.append(Member(f"{ROOT}/{IMAGE_DIR}/{jpg}", image_bytes(image_id, labels, rng), STORED))
        mask = np.where(labels > 0, SEGMENT_VALUES[1], SEGMENT_VALUES[0]).astype(np.uint8)
        out.append(Member(f"{ROOT}/{SEGMENT_DIR}/{png}", png_bytes(mask)))
        parsing = palette_rgb(labels)
        out.append(Member(f"{ROOT}/{PARSING_DIR}/{png}", png_bytes(parsing)))
        lines.append(keypoint_line(image_id, joints))
    out.append(Member(f"{ROOT}/{KEYPOINTS}", ("\n".join(lines) + "\n").encode(), DEFLATED))
    return out


def build(out_dir, *, seed=0):
    """Write SHHQ-1.0.zip into out_dir; return [its path]."""
    rng = np.random.default_rng(seed)
    path = Path(out_dir) / ARCHIVE
    write_zip(path, members(rng), password=PASSWORD, encryption=ENCRYPTION, seed=seed)
    return [path]


def palette_rgb(labels):
    """The colour-coded parsing map: each class id as its SHHQ palette colour."""
    table = np.array([PALETTE[k] for k in range(len(PALETTE))], np.uint8)
    return table[labels]
