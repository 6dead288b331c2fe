"""Miniature DeepFashion2: `train.zip`, `validation.zip` and `test.zip` (docs/formats.md).

Each zip holds `{split}/image/NNNNNN.jpg` (numbers restart at 000001 in every split) and, but
for test, `{split}/annos/NNNNNN.json` in the real annotation format: `source`, `pair_id` and
`item1` ... `itemN` with category, style, box, landmarks (that category's count), polygons and
the four attributes. Key order differs between files, as in the release. All three zips are
ZipCrypto-encrypted with the demo password (the real ones are password-protected; ZipCrypto
vs AES is unconfirmed, SHHQ's demo covers AES).

Every annotated image is planned in SCENES for a full-body filter: INTENDED gives the decision
it should reach and why. Accepted images show a whole worn outfit (upper + lower garment, or a
long dress) over about 60 % of the image height with room above the head and below the feet;
each rejected image breaks exactly one rule. Planted defects: OUTSIDE_IMAGE, DEGENERATE_POLYGON
and the items in ZERO_LANDMARKS.
"""

import json
import math
from pathlib import Path

import numpy as np

from humanprep.datasets import DEMO_PASSWORDS
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES
from humanprep.datasets.huge100k import demo as huge100k
from humanprep.datasets.shhq import demo as shhq
from humanprep.demo import duplicates, figure
from humanprep.demo.ziputil import DEFLATED, STORED, ZIPCRYPTO, Member, write_zip

ARCHIVES = {"train": "train.zip", "validation": "validation.zip", "test": "test.zip"}
PASSWORD = DEMO_PASSWORDS["deepfashion2"]
ENCRYPTION = ZIPCRYPTO
VISIBLE, OCCLUDED, UNLABELLED = 2, 1, 0

# id -> (source, pair_id, (W, H), decision, [(category_id, style), ...]); garments in paint
# order (lower garments first, outwear last).
SCENES = {
    "train/000001": ("shop", 1, (176, 256), "accept", [(8, 2), (2, 1)]),
    "train/000002": ("user", 1, (192, 256), "accept", [(8, 2), (2, 1), (4, 0)]),
    "train/000003": ("shop", 2, (240, 192), "not_worn", [(1, 1), (7, 2)]),
    "train/000004": ("user", 2, (160, 224), "zoomed_in", [(7, 2), (1, 1)]),
    "train/000005": ("shop", 3, (176, 256), "accept", [(11, 1)]),
    "train/000006": ("user", 3, (192, 256), "occluded", [(11, 1)]),
    "train/000007": ("user", 4, (160, 240), "no_lower_garment", [(1, 0), (4, 1)]),
    "train/000008": ("shop", 5, (192, 256), "too_short", [(9, 2), (5, 1)]),
    "train/000009": ("user", 5, (176, 256), "accept", [(9, 2), (5, 1)]),
    "train/000010": ("user", 6, (160, 256), "occluded", [(13, 1)]),
    "validation/000001": ("shop", 7, (176, 256), "accept", [(8, 2), (1, 1)]),
    "validation/000002": ("user", 7, (224, 256), "too_short", [(8, 2), (1, 1)]),
    "validation/000003": ("shop", 8, (240, 192), "not_worn", [(12, 1), (10, 2)]),
    "validation/000004": ("user", 8, (176, 256), "accept", [(12, 1)]),
    "validation/000005": ("user", 9, (160, 240), "no_lower_garment", [(6, 0), (3, 1)]),
}
INTENDED = {key: scene[3] for key, scene in SCENES.items()}
DECISIONS = ("accept", "no_lower_garment", "not_worn", "zoomed_in", "occluded", "too_short")
TEST_SIZES = [(176, 256), (192, 256), (160, 240)]  # test/image/000001.jpg ... (no annos)
# where the copies planted in test/ come from (humanprep.demo.duplicates.CROSS)
ORIGINALS = {"shhq": shhq.image_jpeg, "huge100k": huge100k.reference_jpg}
# Person placement per decision: (height, head top) as fractions of the image height.
PLACEMENT = {
    "accept": (0.9, 0.04),
    "no_lower_garment": (0.9, 0.04),
    "occluded": (0.9, 0.04),
    "zoomed_in": (1.9, -0.1),  # a close-up: shoulders to thighs, the shorts leave the frame
    "too_short": (0.42, 0.3),  # a small, distant person
}
# Attribute values (scale, occlusion, zoom_in, viewpoint) per decision; viewpoint 3 (side or
# back) on user photos that are accepted, 2 (frontal) otherwise.
ATTRIBUTES = {
    "accept": (2, 1, 1, 2),
    "no_lower_garment": (2, 1, 1, 2),
    "not_worn": (2, 1, 1, 1),
    "zoomed_in": (3, 1, 3, 2),
    "occluded": (2, 3, 1, 2),
    "too_short": (1, 1, 1, 2),
}
LONG_COAT = {"train/000007", "validation/000005"}
OCCLUDER = (0.1, 0.45, 0.9, 0.9)  # (x1, y1, x2, y2) fractions: a table in front of the person
# Planted: the zoomed-in close-up keeps boxes, polygons and landmarks that leave the image.
OUTSIDE_IMAGE = "train/000004"
# Planted: (image id, item number) whose segmentation gains a 2-point "polygon".
DEGENERATE_POLYGON = ("train/000009", 1)
# Items annotated without landmarks (all [0, 0, 0]): (image id, item number).
ZERO_LANDMARKS = {("train/000002", 3), ("validation/000005", 1)}
_ITEM_KEYS = ("segmentation", "scale", "viewpoint", "zoom_in", "landmarks", "style",
              "bounding_box", "category_id", "occlusion", "category_name")  # fmt: skip


def garment_colour(pair_id, style, rng):
    """The same garment (pair, style > 0) has the same colour in every photo."""
    if style:
        seed = np.random.default_rng([pair_id, style])
        return tuple(int(c) for c in seed.integers(30, 225, 3))
    return tuple(int(c) for c in rng.integers(30, 225, 3))


def _fit(polys, slot):
    """Scale and move polygons uniformly into slot (x1, y1, x2, y2), centred."""
    pts = np.concatenate([np.asarray(p) for p in polys])
    (x1, y1), (x2, y2) = pts.min(axis=0), pts.max(axis=0)
    k = min((slot[2] - slot[0]) / (x2 - x1), (slot[3] - slot[1]) / (y2 - y1))
    centre = np.array([(slot[0] + slot[2]) / 2, (slot[1] + slot[3]) / 2])
    mid = np.array([(x1 + x2) / 2, (y1 + y2) / 2])
    return [[tuple((np.asarray(p) - mid) * k + centre) for p in poly] for poly in polys]


def scene_layers(key, rng):
    """(label layers, {item number: garment polygons}, occluder box or None)."""
    _, pair_id, (width, height), decision, garments = SCENES[key]
    if decision == "not_worn":  # product shot: garments laid flat side by side
        person = figure.Person(rng, 0.0, 0.0, 100.0)
        layers, polys = [], {}
        slot_w = width / len(garments)
        for n, (category, _) in enumerate(garments, 1):
            slot = (slot_w * (n - 1) + 10, 0.1 * height, slot_w * n - 10, 0.9 * height)
            polys[n] = _fit(person.garment(category), slot)
            layers.append((20 + n, polys[n]))
        return layers, polys, None
    size, top = PLACEMENT[decision]
    cx = width / 2 + rng.uniform(-0.04, 0.04) * width
    person = figure.Person(rng, cx, top * height, size * height, long_coat=key in LONG_COAT)
    polys = {n: person.garment(c) for n, (c, _) in enumerate(garments, 1)}
    layers = [*person.skin(), *((20 + n, polys[n]) for n in polys)]
    layers += [*person.shoes(), *person.head()]
    occluder = None
    if decision == "occluded":
        occluder = tuple(f * s for f, s in zip(OCCLUDER, (width, height) * 2, strict=True))
    return layers, polys, occluder


def render(key, layers, occluder, rng):
    _, pair_id, (width, height), decision, garments = SCENES[key]
    labels = figure.draw_labels(layers, width, height)
    colours = figure.random_colours(rng)
    for n, (_, style) in enumerate(garments, 1):
        colours[20 + n] = garment_colour(pair_id, style, rng)
    background = np.full(3, 246.0) if decision == "not_worn" else None
    rgb = figure.photo(labels, colours, rng, background=background)
    if occluder is not None:
        x1, y1, x2, y2 = (int(round(v)) for v in occluder)
        rgb = rgb.copy()
        rgb[y1:y2, x1:x2] = (120, 80, 45)
    return rgb


def _inside(x, y, box):
    return box is not None and box[0] <= x <= box[2] and box[1] <= y <= box[3]


def item_annotation(key, n, category, style, polys, occluder, rng):
    source, pair_id, (width, height), decision, _ = SCENES[key]
    scale, occlusion, zoom_in, viewpoint = ATTRIBUTES[decision]
    if decision == "accept" and source == "user":
        viewpoint = 3
    if key != OUTSIDE_IMAGE:  # outside the planted case, everything lies in the image
        polys = [[(min(max(x, 0), width), min(max(y, 0), height)) for x, y in p] for p in polys]
    segmentation = [[int(round(c)) for point in poly for c in point] for poly in polys]
    pts = np.concatenate([np.asarray(p) for p in polys])
    box = [int(math.floor(pts[:, 0].min())), int(math.floor(pts[:, 1].min())),
           int(math.ceil(pts[:, 0].max())), int(math.ceil(pts[:, 1].max()))]  # fmt: skip
    landmarks = []
    count = landmark_count(category)
    for i, (x, y) in enumerate(figure.outline_points(polys, count)):
        x, y = int(round(x)), int(round(y))
        if (key, n) in ZERO_LANDMARKS:
            landmarks += [0, 0, UNLABELLED]
        elif _inside(x, y, occluder) or (viewpoint == 3 and i % 5 == 4):
            landmarks += [x, y, OCCLUDED]
        else:
            landmarks += [x, y, VISIBLE]
    if (key, n) == DEGENERATE_POLYGON:
        segmentation.append(segmentation[0][:4])
    values = {
        "segmentation": segmentation,
        "scale": scale,
        "viewpoint": viewpoint,
        "zoom_in": zoom_in,
        "landmarks": landmarks,
        "style": style,
        "bounding_box": box,
        "category_id": category,
        "occlusion": occlusion,
        "category_name": CATEGORIES[category],
    }
    order = rng.permutation(len(_ITEM_KEYS))
    return {_ITEM_KEYS[i]: values[_ITEM_KEYS[i]] for i in order}


def annotation(key, polys, occluder, rng):
    """The annotation document with its keys in a per-file shuffled order."""
    source, pair_id, _, _, garments = SCENES[key]
    values = {"source": source, "pair_id": pair_id}
    for n, (category, style) in enumerate(garments, 1):
        values[f"item{n}"] = item_annotation(key, n, category, style, polys[n], occluder, rng)
    keys = list(values)
    return {keys[i]: values[keys[i]] for i in rng.permutation(len(keys))}


def unannotated_image(size, rng):
    width, height = size
    person = figure.Person(rng, width / 2, 0.05 * height, 0.88 * height)
    layers = [*person.skin(), ("pants", person.garment(8)), ("tops", person.garment(2))]
    layers += [*person.shoes(), *person.head()]
    labels = figure.draw_labels(layers, width, height)
    return figure.photo(labels, figure.random_colours(rng), rng)


def split_members(split, rng, seed=0):
    out = []
    for key in sorted(k for k in SCENES if k.startswith(f"{split}/")):
        number = key.split("/")[1]
        layers, polys, occluder = scene_layers(key, rng)
        rgb = render(key, layers, occluder, rng)
        out.append(Member(f"{split}/image/{number}.jpg", figure.jpeg_bytes(rgb), STORED))
        doc = annotation(key, polys, occluder, rng)
        out.append(Member(f"{split}/annos/{number}.json", json.dumps(doc).encode(), DEFLATED))
    if split == "test":
        for i, size in enumerate(TEST_SIZES, 1):
            jpg = figure.jpeg_bytes(unannotated_image(size, rng))
            # planted (humanprep.demo.duplicates): an image of another dataset, edited
            planted = duplicates.copy_jpeg("deepfashion2", f"test/{i:06d}", size, ORIGINALS, seed)
            jpg = planted or jpg
            out.append(Member(f"test/image/{i:06d}.jpg", jpg, STORED))
    return out


def build(out_dir, *, seed=0):
    """Write train.zip, validation.zip and test.zip into out_dir; return their paths."""
    rng = np.random.default_rng(seed)
    paths = []
    for split, name in ARCHIVES.items():
        path = Path(out_dir) / name
        members = split_members(split, rng, seed)
        paths.append(write_zip(path, members, password=PASSWORD, encryption=ENCRYPTION, seed=seed))
    return sorted(paths)


def landmark_count(category_id):
    start, stop = LANDMARK_SLICES[category_id]
    return stop - start
