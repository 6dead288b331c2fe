"""Drawn faces across skin tones and lighting, for the CelebA demo and the sketch test set.

A face is painted from its part masks (demo.celeba's geometry) with shading: the head is an
ellipsoid lit by one directional light plus ambient light, the background and a rim light
follow the lighting setup, then exposure, a tone curve, photographic blur and sensor noise.
Everything is generated, so the set ships with the code and the tests.

Skin tones span very light to very dark (reflectances loosely after the Monk skin tone
scale). Lighting setups: `even` (frontal, mid-grey background), `low_key` (dark, hard side
light), `high_key` (bright, flat, near-white background), `backlit` (bright background, face
in its own shadow with a rim light) and `low_contrast` (hazy: the whole range compressed).
"""

import cv2
import numpy as np

SKIN_TONES = {  # RGB reflectance of lit skin, light to dark
    "very_light": (246, 224, 205),
    "light": (234, 196, 166),
    "medium_light": (214, 165, 128),
    "medium": (176, 124, 90),
    "dark": (122, 82, 58),
    "very_dark": (72, 47, 34),
}
LIGHTING = {
    # light direction (x right, y down, z to the viewer), ambient, diffuse, exposure,
    # background level (1 = white before exposure; backlit overexposes it), rim light,
    # haze (fraction of the range replaced by flat grey)
    "even": {"light": (0.0, -0.2, 1.0), "ambient": 0.35, "diffuse": 0.7, "exposure": 1.0,
             "background": 0.62, "rim": 0.0, "haze": 0.0},
    "low_key": {"light": (0.9, -0.3, 0.45), "ambient": 0.06, "diffuse": 0.85, "exposure": 0.75,
                "background": 0.06, "rim": 0.0, "haze": 0.0},
    "high_key": {"light": (0.0, 0.0, 1.0), "ambient": 0.75, "diffuse": 0.35, "exposure": 1.2,
                 "background": 0.97, "rim": 0.0, "haze": 0.0},
    "backlit": {"light": (0.0, -0.3, -1.0), "ambient": 0.28, "diffuse": 0.6, "exposure": 0.8,
                "background": 1.3, "rim": 0.55, "haze": 0.0},
    "low_contrast": {"light": (0.3, -0.2, 1.0), "ambient": 0.4, "diffuse": 0.55, "exposure": 1.0,
                     "background": 0.55, "rim": 0.0, "haze": 0.7},
}  # fmt: skip
DEFAULT_HAIR = (110, 70, 40)  # brown
FIXED = {  # parts whose colour does not follow the skin
    "eye_g": (30, 30, 30), "l_eye": (60, 60, 90), "r_eye": (60, 60, 90),
    "l_brow": (70, 50, 40), "r_brow": (70, 50, 40), "mouth": (90, 20, 30),
    "hat": (40, 60, 150), "ear_r": (230, 200, 60), "neck_l": (240, 240, 230),
    "cloth": (60, 120, 80),
}  # fmt: skip
SKIN_SHADE = {"skin": 1.0, "nose": 0.93, "l_ear": 0.95, "r_ear": 0.95, "neck": 0.88}
LIP = {"u_lip": 0.75, "l_lip": 0.82}  # lips: skin mixed with a red


def part_colours(tone, hair):
    skin = np.array(SKIN_TONES[tone], np.float64)
    colours = {part: skin * shade for part, shade in SKIN_SHADE.items()}
    red = np.array((170, 60, 70), np.float64)
    colours.update({part: skin * f + red * (1 - f) for part, f in LIP.items()})
    colours.update({part: np.array(c, np.float64) for part, c in FIXED.items()})
    colours["hair"] = np.array(hair or DEFAULT_HAIR, np.float64)
    # brows and eyes stay darker than the skin on any tone
    for part in ("l_brow", "r_brow", "l_eye", "r_eye"):
        colours[part] = np.minimum(colours[part], skin * 0.45)
    return colours


def head_normals(size, centre=(0.5, 0.46), axes=(0.25, 0.32)):
    """Unit normals (H, W, 3) of an ellipsoid head facing the viewer; 0 outside it."""
    ys, xs = np.mgrid[0:size, 0:size] / size
    u, v = (xs - centre[0]) / axes[0], (ys - centre[1]) / axes[1]
    r2 = u * u + v * v
    inside = r2 < 1
    nz = np.sqrt(np.clip(1 - r2, 0, 1))
    normals = np.stack([u, v, nz], axis=-1) * inside[..., None]
    return normals, inside


def render(masks, size, tone, lighting, rng, hair=None):
    """RGB uint8 face of `size` from {part: mask (size x size)} painted in label order;
    `hair` an RGB colour."""
    setup = LIGHTING[lighting]
    colours = part_colours(tone, hair)
    albedo = np.empty((size, size, 3), np.float64)
    albedo[:] = 255 * setup["background"] * rng.uniform(0.92, 1.0, size=3)
    person = np.zeros((size, size), bool)
    for part, mask in masks.items():
        albedo[mask > 0] = colours[part]
        person |= mask > 0
    normals, head = head_normals(size)
    light = np.asarray(setup["light"], np.float64)
    light /= np.linalg.norm(light)
    lambert = np.clip(normals @ light, 0, None)
    shade = setup["ambient"] + setup["diffuse"] * np.where(head, lambert, 0.55)
    if setup["rim"]:
        edge = cv2.GaussianBlur(person.astype(np.float64), (0, 0), size / 64)
        rim = np.clip(1 - np.abs(edge - 0.5) * 4, 0, 1) * person
        shade = shade + setup["rim"] * rim
    image = albedo * np.where(person, shade, 1.0)[..., None] * setup["exposure"]
    if setup["haze"]:
        image = image * (1 - setup["haze"]) + 255 * setup["background"] * setup["haze"]
    image = cv2.GaussianBlur(image, (0, 0), size / 256)
    image += rng.normal(0, 3, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def test_set(masks_at, size, seed=0):
    """[(tone, lighting, RGB face)] for every skin tone under every lighting setup;
    `masks_at(size)` gives the part masks to paint."""
    rng = np.random.default_rng(seed)
    masks = masks_at(size)
    return [
        (tone, lighting, render(masks, size, tone, lighting, rng))
        for lighting in LIGHTING
        for tone in SKIN_TONES
    ]
