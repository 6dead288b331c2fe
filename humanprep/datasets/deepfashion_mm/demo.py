"""Miniature DeepFashion-MultiModal: the Drive folder's five zips and captions.json.

Layout (docs/formats.md, DeepFashion-MultiModal): `images.zip` holds `images/<name>.jpg`,
`segm.zip` `segm/<name>_segm.png` (class ids 0-23, mode L, full-body images only),
`keypoints.zip` `keypoints/keypoints_loc.txt` and `keypoints/keypoints_vis.txt` (21 points,
visibility 0 visible / 1 hidden / 2 absent, `-1 -1` where absent), `densepose.zip`
`densepose/<name>_densepose.png` (RGB, part index I in channel 2), `labels.zip`
`labels/shape/shape_anno_all.txt`, `labels/texture/fabric_ann.txt` and
`labels/texture/pattern_ann.txt`; `captions.json` maps `<name>.jpg` to its description.

Images are 150 x 220: the real 750 x 1101 scaled by 1/5 (rounded). Eight images, five of
them full-body with parsing and keypoints. Planted real-data oddities, each repaired with a
recorded fix or quarantined with a reason by normalise/deepfashion_mm.py: ABSENT_POINT and
HIDDEN_POINT (ordinary upstream codes), VIS_WITHOUT_LOCATION, NOT_IN_VIS, NOT_IN_SHAPE,
NOT_IN_CAPTIONS, BAD_COLOUR_CODE, DENSEPOSE_WRONG_SIZE, PARSING_BAD_VALUE, TRUNCATED.
"""

import json
from pathlib import Path

import numpy as np

from humanprep.datasets.deepfashion_mm.formats import (
    CAPTIONS_FILE,
    COLOUR,
    DENSEPOSE_SUFFIX,
    FABRIC,
    KEYPOINTS,
    PARSING_SUFFIX,
    SHAPE,
)
from humanprep.demo import figure
from humanprep.demo.ziputil import DEFLATED, STORED, Member, write_zip
from humanprep.io import write_bytes
from humanprep.items import png_bytes

WIDTH, HEIGHT = 150, 220  # the real 750 x 1101, scaled by 1/5
# name -> (full body, DeepFashion2-style garment categories painted in order, extra parts)
ITEMS = {
    "MEN-Denim-id_00000080-01_7_additional": (True, (8, 1), ()),
    "MEN-Jackets_Vests-id_00000971-03_4_full": (True, (8, 2, 4), ("eyeglasses",)),
    "MEN-Tees_Tanks-id_00000390-02_1_front": (False, (8, 1), ()),
    "WOMEN-Blouses_Shirts-id_00000001-02_4_full": (False, (8, 2), ()),
    "WOMEN-Dresses-id_00000002-02_1_front": (True, (10,), ("bag",)),
    "WOMEN-Pants-id_00000450-05_7_additional": (False, (8, 1), ()),
    "WOMEN-Rompers_Jumpsuits-id_00000235-01_3_back": (True, (11,), ("headwear",)),
    "WOMEN-Skirts-id_00000121-01_2_side": (True, (9, 1), ()),
}
NAMES = sorted(ITEMS)
FULL_BODY = [n for n in NAMES if ITEMS[n][0]]
# Planted cases (name, keypoint):
ABSENT_POINT = ("WOMEN-Dresses-id_00000002-02_1_front", "right_ear")  # vis 2, loc -1 -1
HIDDEN_POINT = ("WOMEN-Dresses-id_00000002-02_1_front", "left_wrist_inner")  # vis 1
VIS_WITHOUT_LOCATION = ("WOMEN-Skirts-id_00000121-01_2_side", "left_ear")  # vis 0, loc -1 -1
NOT_IN_VIS = "MEN-Jackets_Vests-id_00000971-03_4_full"  # in keypoints_loc.txt only
NOT_IN_SHAPE = "WOMEN-Skirts-id_00000121-01_2_side"  # no line in shape_anno_all.txt
NOT_IN_CAPTIONS = "WOMEN-Blouses_Shirts-id_00000001-02_4_full"
BAD_COLOUR_CODE = ("WOMEN-Blouses_Shirts-id_00000001-02_4_full", "upper", 8)  # colours 0-7
DENSEPOSE_WRONG_SIZE = "MEN-Jackets_Vests-id_00000971-03_4_full"  # half size
PARSING_BAD_VALUE = ("WOMEN-Rompers_Jumpsuits-id_00000235-01_3_back", 30)  # classes 0-23
TRUNCATED = "WOMEN-Pants-id_00000450-05_7_additional"  # JPEG cut short
TRUNCATE_AT = 0.5

# DeepFashion2 category / SHHQ-style part -> DeepFashion-MultiModal parsing class id
GARMENT_CLASS = {1: 1, 2: 1, 3: 2, 4: 2, 7: 5, 8: 5, 9: 3, 10: 4, 11: 4}
PART_CLASS = {"skin": 15, "shoes": 11, "hair": 13, "face": 14, "headwear": 7, "eyeglasses": 8,
              "bag": 12}  # fmt: skip
# Parsing class -> (DensePose part index I; a demo approximation of DensePose's 24 patches)
DENSEPOSE_PART = {15: 2, 1: 2, 2: 2, 4: 2, 3: 8, 5: 8, 11: 5, 13: 23, 14: 23, 7: 23, 8: 23,
                  12: 3}  # fmt: skip


def draw(name, rng):
    """(parsing class ids (H, W), 21 keypoints (21, 2)) of one person; upper-body images show
    a person twice the frame's height, cut at the hips."""
    full, garments, extras = ITEMS[name]
    h = rng.uniform(0.86, 0.9) * HEIGHT if full else 1.9 * HEIGHT
    top = rng.uniform(0.04, 0.06) * HEIGHT
    person = figure.Person(rng, WIDTH / 2 + rng.uniform(-5, 5), top, h)
    layers = [(PART_CLASS["skin"], person.skin()[0][1])]
    layers += [(GARMENT_CLASS[c], person.garment(c)) for c in garments]
    layers += [(PART_CLASS[p], polys) for p, polys in (*person.shoes(), *person.head())]
    layers += [(PART_CLASS[e], person.accessory(e)) for e in extras]
    return figure.draw_labels(layers, WIDTH, HEIGHT), keypoints_of(person)


def keypoints_of(person):
    h = person.h
    wrist_dx = np.array([0.015 * h, 0.0])
    at = {
        "head_top": person.u(0, 0.0),
        "chin": person.u(0, 0.124),
        "right_armpit": person.u(-0.085, 0.25),
        "left_armpit": person.u(0.085, 0.25),
        "right_wrist_outer": person.at("right_wrist") - wrist_dx,
        "right_wrist_inner": person.at("right_wrist") + wrist_dx,
        "left_wrist_inner": person.at("left_wrist") - wrist_dx,
        "left_wrist_outer": person.at("left_wrist") + wrist_dx,
    }
    return np.array([at[k] if k in at else person.at(k) for k in KEYPOINTS])


def densepose(labels, rng):
    """RGB PNG array: channel 2 the part index I, channels 0/1 V and U ramps inside it."""
    table = np.zeros(256, np.uint8)
    for cls, part in DENSEPOSE_PART.items():
        table[cls] = part
    parts = table[labels]
    inside = parts > 0
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    v = np.where(inside, (ys * 255 // HEIGHT), 0).astype(np.uint8)
    u = np.where(inside, (xs * 255 // WIDTH), 0).astype(np.uint8)
    return np.dstack([v, u, parts])


def loc_line(name, points):
    fields = [f"{name}.jpg"]
    for k, (x, y) in zip(KEYPOINTS, points, strict=True):
        absent = (name, k) in (ABSENT_POINT, VIS_WITHOUT_LOCATION)
        fields += ["-1", "-1"] if absent else [str(int(round(x))), str(int(round(y)))]
    return " ".join(fields)


def vis_line(name):
    codes = []
    for k in KEYPOINTS:
        codes.append({ABSENT_POINT: "2", HIDDEN_POINT: "1"}.get((name, k), "0"))
    return " ".join([f"{name}.jpg", *codes])


def shape_codes(name):
    """Twelve shape codes agreeing with the drawn outfit ([DFMM] value lists)."""
    full, garments, extras = ITEMS[name]
    values = {attr: "no" if "no" in vocab else vocab[-1] for attr, vocab in SHAPE}
    sleeves = {1: "short-sleeve", 2: "long-sleeve", 10: "short-sleeve", 11: "long-sleeve"}
    values["sleeve_length"] = next(sleeves[c] for c in garments if c in sleeves)
    lower = {8: "long", 9: "three-quarter", 10: "medium short", 11: "long"}
    values["lower_clothing_length"] = next(lower[c] for c in garments if c in lower)
    values["hat"] = "yes" if "headwear" in extras else "no"
    values["glasses"] = "eyeglasses" if "eyeglasses" in extras else "no"
    values["neckline"] = "round"
    values["outer_clothing_a_cardigan"] = "no" if 4 in garments else "NA"
    values["upper_clothing_covering_navel"] = "yes"
    if not full:  # the legs are out of the frame
        values.update(lower_clothing_length="NA", socks="NA")
    return [dict(SHAPE)[attr].index(values[attr]) for attr, _ in SHAPE]


def texture_codes(name, vocab):
    """upper, lower, outer codes; a bad code planted where BAD_COLOUR_CODE says."""
    garments = ITEMS[name][1]
    upper = vocab.index("cotton" if vocab is FABRIC else "pure color")
    lower = vocab.index("denim" if vocab is FABRIC and 8 in garments else "other")
    outer = vocab.index("knitted" if vocab is FABRIC else "striped") if 4 in garments else 7
    codes = {"upper": upper, "lower": lower, "outer": outer}
    if vocab is COLOUR and name == BAD_COLOUR_CODE[0]:
        codes[BAD_COLOUR_CODE[1]] = BAD_COLOUR_CODE[2]
    return [codes["upper"], codes["lower"], codes["outer"]]


def caption(name):
    shape = dict(zip((a for a, _ in SHAPE), shape_codes(name), strict=True))
    sleeves = SHAPE[0][1][shape["sleeve_length"]]
    text = f"The upper clothing has {sleeves.replace('-', ' ')}s, cotton fabric and pure color "
    text += "patterns. "
    if ITEMS[name][0]:
        text += f"The lower clothing is of {SHAPE[1][1][shape['lower_clothing_length']]} length. "
    if 4 in ITEMS[name][1]:
        text += "There is an outer clothing made of knitted fabric. "
    return text.strip()


def lines(rows):
    return ("\n".join(rows) + "\n").encode()


def build(out_dir, *, seed=0):
    """Write the five zips and captions.json into out_dir; return their paths (sorted)."""
    out_dir, rng = Path(out_dir), np.random.default_rng(seed)
    images, segm, dense, loc, vis = [], [], [], [], []
    for name in NAMES:
        labels, points = draw(name, rng)
        jpg = figure.jpeg_bytes(figure.photo(labels, _colours(labels, rng), rng))
        if name == TRUNCATED:
            jpg = jpg[: int(len(jpg) * TRUNCATE_AT)]
        images.append(Member(f"images/{name}.jpg", jpg, STORED))
        pose = densepose(labels, rng)
        if name == DENSEPOSE_WRONG_SIZE:
            pose = pose[::2, ::2]
        dense.append(Member(f"densepose/{name}{DENSEPOSE_SUFFIX}", png_bytes(pose)))
        if not ITEMS[name][0]:
            continue
        if name == PARSING_BAD_VALUE[0]:
            labels = labels.copy()
            labels[HEIGHT // 2, WIDTH // 2] = PARSING_BAD_VALUE[1]
        segm.append(Member(f"segm/{name}{PARSING_SUFFIX}", png_bytes(labels)))
        loc.append(loc_line(name, points))
        if name != NOT_IN_VIS:
            vis.append(vis_line(name))
    shape = [f"{n}.jpg " + " ".join(map(str, shape_codes(n))) for n in NAMES if n != NOT_IN_SHAPE]
    fabric = [f"{n}.jpg " + " ".join(map(str, texture_codes(n, FABRIC))) for n in NAMES]
    colour = [f"{n}.jpg " + " ".join(map(str, texture_codes(n, COLOUR))) for n in NAMES]
    captions = {f"{n}.jpg": caption(n) for n in NAMES if n != NOT_IN_CAPTIONS}
    archives = {
        "images.zip": images,
        "segm.zip": segm,
        "densepose.zip": dense,
        "keypoints.zip": [
            Member("keypoints/keypoints_loc.txt", lines(loc)),
            Member("keypoints/keypoints_vis.txt", lines(vis)),
        ],
        "labels.zip": [
            Member("labels/shape/shape_anno_all.txt", lines(shape)),
            Member("labels/texture/fabric_ann.txt", lines(fabric)),
            Member("labels/texture/pattern_ann.txt", lines(colour)),
        ],
    }
    paths = [write_zip(out_dir / n, m, compression=DEFLATED) for n, m in archives.items()]
    text = json.dumps(captions, indent=4, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes(out_dir / CAPTIONS_FILE, text.encode("utf-8"))
    return sorted([*map(Path, paths), out_dir / CAPTIONS_FILE])


def _colours(labels, rng):
    """Per-image RGB colour of every parsing class id (skin and face share a tone)."""
    colours = {c: tuple(int(v) for v in rng.integers(25, 235, 3)) for c in range(1, 24)}
    skin = tuple(int(v) for v in rng.choice([(236, 196, 170), (198, 140, 105), (141, 90, 60)]))
    colours[15], colours[14] = skin, tuple(int(c * 0.97) for c in skin)
    return colours
