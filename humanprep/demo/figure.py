"""A drawn person shared by the datasets' demos: one geometry for all outputs.

Every part is a polygon, so the photo, the person mask, the colour-coded parsing map, the
BODY_25 keypoints and the garments (box, polygons, landmarks) all agree. Label
maps are drawn with Pillow's non-anti-aliased polygon fill, so they hold exact class ids.

Coordinates: pixels, x right, y down. The person faces the camera: their right side is on
the image's left. Body proportions are fractions of the person's height `h` (head top to sole).
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from humanprep.keypoints import BODY_25

LABEL = {name: k for k, name in enumerate(
    ("background", "headwear", "hair", "glove", "eyeglasses", "tops", "dress", "coat", "socks",
     "pants", "skin", "scarf", "skirt", "face", "shoes", "bag", "accessories")
)}  # fmt: skip
# BODY_25 joint -> (dx from the centre line, dy from the head top), in units of h.
SKELETON = {
    "nose": (0.0, 0.085), "neck": (0.0, 0.165),
    "right_shoulder": (-0.1, 0.18), "right_elbow": (-0.12, 0.33), "right_wrist": (-0.13, 0.46),
    "left_shoulder": (0.1, 0.18), "left_elbow": (0.12, 0.33), "left_wrist": (0.13, 0.46),
    "mid_hip": (0.0, 0.5), "right_hip": (-0.055, 0.5), "right_knee": (-0.06, 0.72),
    "right_ankle": (-0.06, 0.94), "left_hip": (0.055, 0.5), "left_knee": (0.06, 0.72),
    "left_ankle": (0.06, 0.94), "right_eye": (-0.017, 0.065), "left_eye": (0.017, 0.065),
    "right_ear": (-0.04, 0.072), "left_ear": (0.04, 0.072), "left_big_toe": (0.075, 0.995),
    "left_small_toe": (0.095, 0.99), "left_heel": (0.055, 0.975),
    "right_big_toe": (-0.075, 0.995), "right_small_toe": (-0.095, 0.99),
    "right_heel": (-0.055, 0.975),
}  # fmt: skip
_JITTERED = {
    "right_elbow": 0.02, "right_wrist": 0.03, "left_elbow": 0.02, "left_wrist": 0.03,
    "right_knee": 0.008, "left_knee": 0.008,
}  # fmt: skip
J = {name: i for i, name in enumerate(BODY_25)}
UPPER, LOWER, DRESS = (1, 2, 3, 4, 5, 6), (7, 8, 9), (10, 11, 12, 13)
# Hem heights (units of h): knee-length short-sleeve dress, long dresses and skirt to mid-calf.
DRESS_HEM = {10: 0.7, 11: 0.86, 12: 0.84, 13: 0.86}
SKIRT_HEM = 0.84
COAT_HEM = 0.78  # a long coat (Person(long_coat=True)) reaches below the knee
# DeepFashion2 category -> SHHQ parsing class of the garment
GARMENT_LABEL = {1: "tops", 2: "tops", 3: "coat", 4: "coat", 5: "tops", 6: "tops",
                 7: "pants", 8: "pants", 9: "skirt", 10: "dress", 11: "dress", 12: "dress",
                 13: "dress"}  # fmt: skip


class Person:
    """One posed person: `joints` (25, 2) in BODY_25 order, `h` the height in pixels."""

    def __init__(self, rng, cx, top, h, *, long_coat=False):
        self.h, self.cx, self.top, self.long_coat = h, cx, top, long_coat
        joints = np.array([SKELETON[name] for name in BODY_25], np.float64)
        for name, amount in _JITTERED.items():
            joints[J[name], 0] += rng.uniform(-amount, amount)
        # a foot follows its ankle
        for side in ("left", "right"):
            dx = joints[J[f"{side}_knee"], 0] - SKELETON[f"{side}_knee"][0]
            for part in ("ankle", "big_toe", "small_toe", "heel"):
                joints[J[f"{side}_{part}"], 0] += dx
        self.joints = joints * h + (cx, top)

    def at(self, name):
        return self.joints[J[name]]

    def u(self, dx, dy):
        """A point at (dx, dy) body units from the head top on the centre line."""
        return np.array([self.cx + dx * self.h, self.top + dy * self.h])

    def outline(self, *points):
        """A polygon of (dx, dy) body-unit points."""
        return [tuple(self.u(dx, dy)) for dx, dy in points]

    # body parts -------------------------------------------------------------------------

    def head(self):
        hair = ellipse(self.u(0, 0.058), 0.047 * self.h, 0.058 * self.h)
        face = ellipse(self.u(0, 0.074), 0.037 * self.h, 0.05 * self.h)
        return [("hair", [hair]), ("face", [face])]

    def skin(self):
        h, polys = self.h, []
        polys.append(limb(self.u(0, 0.11), self.at("neck"), 0.04 * h, 0.045 * h))
        polys.append(self._torso(0.175, 0.52, 0.0))
        for side in ("left", "right"):
            sh, el, wr = (self.at(f"{side}_{p}") for p in ("shoulder", "elbow", "wrist"))
            polys.append(limb(sh, el, 0.05 * h, 0.045 * h))
            polys.append(limb(el, wr, 0.043 * h, 0.036 * h))
            polys.append(ellipse(wr + (0, 0.022 * h), 0.018 * h, 0.026 * h))
            hip, knee, ankle = (self.at(f"{side}_{p}") for p in ("hip", "knee", "ankle"))
            polys.append(limb(hip, knee, 0.075 * h, 0.055 * h))
            polys.append(limb(knee, ankle, 0.052 * h, 0.04 * h))
        return [("skin", polys)]

    def shoes(self):
        polys = []
        for side in ("left", "right"):
            ankle, toe, small, heel = (
                self.at(f"{side}_{p}") for p in ("ankle", "big_toe", "small_toe", "heel")
            )
            sign, h = np.sign(toe[0] - ankle[0]) or 1.0, self.h
            top = ankle - (0, 0.01 * h)
            outline = (top - (sign * 0.022 * h, 0), top + (sign * 0.022 * h, 0), small,
                       toe + (0, 0.004 * h), heel - (sign * 0.012 * h, 0))  # fmt: skip
            polys.append([tuple(p) for p in outline])
        return [("shoes", polys)]

    def accessory(self, name):
        """Polygons of an extra SHHQ part: headwear, eyeglasses, bag, scarf or glove."""
        h = self.h
        if name == "headwear":
            return [self.outline((-0.055, 0.045), (-0.04, -0.005), (0.04, -0.005), (0.055, 0.045))]
        if name == "eyeglasses":
            return [limb(self.u(-0.034, 0.066), self.u(0.034, 0.066), 0.014 * h, 0.014 * h)]
        if name == "bag":
            wrist = self.at("left_wrist")
            corners = ((-0.03, 0.01), (0.05, 0.01), (0.06, 0.1), (-0.04, 0.1))
            return [[tuple(wrist + (x * h, y * h)) for x, y in corners]]
        if name == "scarf":
            return [limb(self.u(-0.05, 0.155), self.u(0.05, 0.155), 0.04 * h, 0.04 * h)]
        if name == "glove":
            wrists = (self.at(f"{side}_wrist") for side in ("left", "right"))
            return [ellipse(w + (0, 0.02 * h), 0.021 * h, 0.029 * h) for w in wrists]
        raise ValueError(f"unknown accessory {name!r}")

    # garments ---------------------------------------------------------------------------

    def _torso(self, y_top, y_hem, flare, narrow=0.0):
        """Shoulder-to-hem quadrilateral-ish polygon; flare widens the hem, narrow the top."""
        lt = self.u(0.105 - narrow, y_top)
        rt = self.u(-0.105 + narrow, y_top)
        lw, rw = self.u(0.085, 0.5), self.u(-0.085, 0.5)
        lh, rh = self.u(0.085 + flare, y_hem), self.u(-0.085 - flare, y_hem)
        points = [rt, lt, lw, lh, rh, rw] if y_hem > 0.5 else [rt, lt, lh, rh]
        return [tuple(p) for p in points]

    def _sleeves(self, length):
        h, polys = self.h, []
        for side in ("right", "left"):
            sh, el, wr = (self.at(f"{side}_{p}") for p in ("shoulder", "elbow", "wrist"))
            if length == "short":
                polys.append(limb(sh, sh + 0.5 * (el - sh), 0.068 * h, 0.062 * h))
            elif length == "long":
                polys.append(limb(sh, el, 0.064 * h, 0.058 * h))
                polys.append(limb(el, wr - 0.12 * (wr - el), 0.058 * h, 0.05 * h))
        return polys

    def garment(self, category_id):
        """Polygons of one DeepFashion2 category worn by this person (main polygon first)."""
        h = self.h
        sleeves = {1: "short", 2: "long", 3: "short", 4: "long", 10: "short", 11: "long"}
        narrow = 0.035 if category_id in (6, 13) else 0.0
        if category_id in UPPER:
            hem = COAT_HEM if category_id in (3, 4) and self.long_coat else 0.535
            flare = 0.02 if hem > 0.6 else 0.0
            return [self._torso(0.17, hem, flare, narrow), *self._sleeves(sleeves.get(category_id))]
        if category_id in DRESS:
            return [
                self._torso(0.17, DRESS_HEM[category_id], 0.05, narrow),
                *self._sleeves(sleeves.get(category_id)),
            ]
        waist = self.outline((-0.088, 0.48), (0.088, 0.48), (0.09, 0.57), (-0.09, 0.57))
        if category_id == 9:  # skirt: one flared panel from the waist to mid-calf
            return [
                self.outline((-0.088, 0.48), (0.088, 0.48), (0.16, SKIRT_HEM), (-0.16, SKIRT_HEM))
            ]
        polys = [waist]
        for side in ("right", "left"):
            hip, knee, ankle = (self.at(f"{side}_{p}") for p in ("hip", "knee", "ankle"))
            if category_id == 7:  # shorts
                polys.append(limb(hip, hip + 0.45 * (knee - hip), 0.088 * h, 0.08 * h))
            else:  # trousers
                polys.append(limb(hip, knee, 0.088 * h, 0.066 * h))
                polys.append(limb(knee, ankle - (0, 0.006 * h), 0.066 * h, 0.056 * h))
        return polys


def ellipse(centre, rx, ry, n=20):
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return [(centre[0] + rx * np.cos(a), centre[1] + ry * np.sin(a)) for a in angles]


def limb(a, b, wa, wb):
    """Quadrilateral from point a (width wa) to point b (width wb)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = b - a
    n = np.array([-d[1], d[0]]) / (np.hypot(*d) or 1.0)
    return [tuple(p) for p in (a + n * wa / 2, b + n * wb / 2, b - n * wb / 2, a - n * wa / 2)]


def draw_labels(layers, width, height):
    """(H, W) uint8 label map of (label, polygons) layers painted in order; a label is an
    class name of LABEL or any id 1-255."""
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    for name, polys in layers:
        fill = name if isinstance(name, int) else LABEL[name]
        for poly in polys:
            draw.polygon([(float(x), float(y)) for x, y in poly], fill=fill)
    return np.asarray(canvas).copy()


def photo(labels, colours, rng, *, background=None, blur=0.7):
    """A soft, noisy RGB rendering of a label map; `colours` maps labels to RGB."""
    height, width = labels.shape
    table = np.zeros((256, 3), np.float64)
    for name, rgb in colours.items():
        table[name if isinstance(name, int) else LABEL[name]] = rgb
    if background is None:
        base = rng.uniform(70, 210, size=3)
        rows = np.linspace(-25, 25, height)[:, None, None]
        cols = np.linspace(-10, 10, width)[None, :, None]
        background = base + rows + cols
    image = np.where(labels[..., None] > 0, table[labels], background)
    image = image + rng.normal(0, 4, image.shape)
    out = Image.fromarray(image.clip(0, 255).astype(np.uint8))
    return np.asarray(out.filter(ImageFilter.GaussianBlur(blur))) if blur else np.asarray(out)


def random_colours(rng):
    """Per-person colours for every label that can appear."""
    skin = rng.choice([(236, 196, 170), (198, 140, 105), (141, 90, 60), (90, 58, 40)])
    colours = {name: tuple(int(c) for c in rng.integers(25, 235, 3)) for name in LABEL}
    colours.update(skin=tuple(int(c) for c in skin), face=tuple(int(c * 0.97) for c in skin))
    colours["hair"] = tuple(
        int(c) for c in rng.choice([(30, 22, 18), (95, 60, 30), (200, 170, 100), (140, 140, 140)])
    )
    return colours


def outline_points(polygons, n):
    """n points spread evenly along the polygons' outlines (by perimeter), in order."""
    segments = []
    for poly in polygons:
        pts = np.asarray(poly, np.float64)
        for a, b in zip(pts, np.roll(pts, -1, axis=0), strict=True):
            segments.append((a, b))
    lengths = np.array([np.hypot(*(b - a)) for a, b in segments])
    cum = np.concatenate([[0], np.cumsum(lengths)])
    points = []
    for t in (np.arange(n) + 0.5) * cum[-1] / n:
        i = min(int(np.searchsorted(cum, t, side="right")) - 1, len(segments) - 1)
        a, b = segments[i]
        points.append(a + (b - a) * ((t - cum[i]) / (lengths[i] or 1.0)))
    return np.array(points)


def jpeg_bytes(array, quality=90, exif=None):
    buf = io.BytesIO()
    options = {"quality": quality}
    if exif is not None:
        options["exif"] = exif
    Image.fromarray(array).save(buf, "JPEG", **options)
    return buf.getvalue()
