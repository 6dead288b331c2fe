"""Miniature Multi-Modal-CelebA-HQ: CelebAMask-HQ.zip and multimodal-celeba-hq.zip.

Faces are drawn from overlapping part shapes (skin under nose, eyes and lips; hair over the
forehead; neck under the chin), so the official merge order decides the label map. They
span skin tones and lighting setups (demo.faces; the first six ids cover every tone and
every setup). Part masks are 3-channel PNGs, white inside the part, like the real ones.
"""

import io
import pickle
import zipfile
from pathlib import Path

import cv2
import numpy as np

from humanprep.datasets.celeba import faces
from humanprep.datasets.celeba.formats import PARTS  # label order 1-18, re-exported for the tests
from humanprep.demo import figure
from humanprep.io import write_bytes
from humanprep.items import png_bytes

IMAGES_ARCHIVE = "CelebAMask-HQ.zip"
TEXT_ARCHIVE = "multimodal-celeba-hq.zip"
ROOT = "CelebAMask-HQ"
IDS = [0, 1, 2, 3, 2000, 2001, 24000, 24001, 29998, 29999]
IMAGE_SIZE = 256  # the real 1024, scaled
MASK_SIZE = 128  # the real 512, scaled
MASK_VALUES = (0, 255)  # part masks: RGB PNG, (255, 255, 255) inside the part
LOOKS = {  # id -> (skin tone, lighting setup)
    0: ("very_light", "even"),
    1: ("very_dark", "low_key"),
    2: ("medium", "backlit"),
    3: ("dark", "high_key"),
    2000: ("light", "low_contrast"),
    2001: ("medium_light", "even"),
    24000: ("very_dark", "even"),
    24001: ("medium", "low_key"),
    29998: ("dark", "backlit"),
    29999: ("very_light", "low_contrast"),
}
_ACCESSORIES = ["eye_g", "hat", "ear_r", "neck_l"]
ABSENT = {
    0: ["eye_g", "hat", "neck_l"],
    1: ["hat", "ear_r", "neck_l"],
    2: _ACCESSORIES,
    3: ["eye_g", "hat", "ear_r", "neck_l", "l_ear"],  # face turned: one ear hidden
    2000: ["eye_g", "hat", "ear_r"],
    2001: ["eye_g", "ear_r", "neck_l", "l_ear", "r_ear"],  # the hat covers the ears
    24000: ["hat", "ear_r", "neck_l"],
    24001: _ACCESSORIES,
    29998: ["eye_g", "hat", "ear_r", "neck_l", "hair"],  # bald
    29999: ["eye_g", "hat", "neck_l"],
}
# 0-based CelebA indices straddling list_eval_partition's boundaries (train < 162770,
# val < 182637): files 162770.jpg / 162771.jpg and 182637.jpg / 182638.jpg.
ORIG_IDX = {
    0: 119613,
    1: 99094,
    2: 162769,
    3: 162770,
    2000: 182636,
    2001: 182637,
    24000: 5,
    24001: 200000,
    29998: 170000,
    29999: 202598,
}
SPLIT_AT = 24000  # intended split: train ids 0-23999, test the rest
SPLITS_SWAPPED = True  # upstream quirk: train/filenames.pickle lists the test ids and back
ATTRIBUTES = (  # the 40 CelebA attributes in the annotation files' column order
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs",
    "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows",
    "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair", "Heavy_Makeup",
    "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes", "No_Beard",
    "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks", "Sideburns",
    "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat",
    "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
)  # fmt: skip
HAIR = {  # hair colour word -> (CelebA attribute, RGB)
    "black": ("Black_Hair", (25, 20, 20)),
    "blond": ("Blond_Hair", (220, 190, 110)),
    "brown": ("Brown_Hair", (110, 70, 40)),
    "gray": ("Gray_Hair", (160, 160, 160)),
}
DATE_TIME = (2020, 1, 1, 0, 0, 0)
FILE_ATTR = (0o100644 << 16) & 0xFFFFFFFF
DIR_ATTR = ((0o040755 << 16) | 0x10) & 0xFFFFFFFF  # unix mode + MS-DOS directory bit


def _shapes(canvas_size):
    """Part name -> binary mask drawn at canvas_size from unit-square geometry."""
    s = canvas_size

    def px(x, y):
        return int(round(x * s)), int(round(y * s))

    def ax(a, b):
        return max(1, int(round(a * s))), max(1, int(round(b * s)))

    def ellipse(centre, axes, angles=(0, 360)):
        mask = np.zeros((s, s), np.uint8)
        cv2.ellipse(mask, px(*centre), ax(*axes), 0, *angles, 255, -1)
        return mask

    def poly(points):
        mask = np.zeros((s, s), np.uint8)
        cv2.fillPoly(mask, [np.array([px(*p) for p in points], np.int32)], 255)
        return mask

    glasses = np.zeros((s, s), np.uint8)
    for x in (0.41, 0.59):
        cv2.rectangle(glasses, px(x - 0.08, 0.38), px(x + 0.08, 0.47), 255, max(1, s // 64))
    cv2.line(glasses, px(0.49, 0.41), px(0.51, 0.41), 255, max(1, s // 64))
    hair = ellipse((0.5, 0.40), (0.30, 0.34))
    hair[int(0.30 * s) :, int(0.28 * s) : int(0.72 * s)] = 0  # face opening
    hair[int(0.62 * s) :] = 0
    necklace = np.zeros((s, s), np.uint8)
    cv2.ellipse(necklace, px(0.5, 0.78), ax(0.10, 0.06), 0, 0, 180, 255, max(1, s // 48))
    return {
        "skin": ellipse((0.5, 0.46), (0.22, 0.29)),
        "nose": poly([(0.5, 0.44), (0.46, 0.56), (0.54, 0.56)]),
        "eye_g": glasses,
        "l_eye": ellipse((0.59, 0.425), (0.045, 0.02)),
        "r_eye": ellipse((0.41, 0.425), (0.045, 0.02)),
        "l_brow": ellipse((0.59, 0.37), (0.06, 0.012)),
        "r_brow": ellipse((0.41, 0.37), (0.06, 0.012)),
        "l_ear": ellipse((0.72, 0.47), (0.035, 0.07)),
        "r_ear": ellipse((0.28, 0.47), (0.035, 0.07)),
        "mouth": ellipse((0.5, 0.64), (0.07, 0.015)),
        "u_lip": ellipse((0.5, 0.625), (0.07, 0.02), (180, 360)),
        "l_lip": ellipse((0.5, 0.655), (0.07, 0.025), (0, 180)),
        "hair": hair,
        "hat": poly([(0.22, 0.26), (0.30, 0.05), (0.70, 0.05), (0.78, 0.26)]),
        "ear_r": ellipse((0.72, 0.56), (0.015, 0.015)),
        "neck_l": necklace,
        "neck": poly([(0.40, 0.70), (0.60, 0.70), (0.62, 0.90), (0.38, 0.90)]),
        "cloth": poly([(0.05, 1.0), (0.15, 0.86), (0.40, 0.82), (0.60, 0.82), (0.85, 0.86),
                       (0.95, 1.0)]),
    }  # fmt: skip


def present_parts(k):
    return [p for p in PARTS if p not in ABSENT[k]]


def traits(k):
    """Fixed per-id traits the drawing, captions and attributes agree on."""
    return {
        "male": k % 2 == 1,
        "hair": sorted(HAIR)[k % len(HAIR)] if "hair" not in ABSENT[k] else None,
        "smiling": k % 3 == 0,
        "accessories": [p for p in _ACCESSORIES if p not in ABSENT[k]],
    }


def part_masks(k, size):
    shapes = _shapes(size)
    return {part: shapes[part] for part in present_parts(k)}


def face_image(k, rng):
    """RGB face painted part by part in label order, in the id's skin tone and lighting."""
    tone, lighting = LOOKS[k]
    masks = part_masks(k, IMAGE_SIZE)
    hair = traits(k)["hair"]
    return faces.render(masks, IMAGE_SIZE, tone, lighting, rng, HAIR[hair][1] if hair else None)


def captions(k):
    t = traits(k)
    noun, pronoun = ("man", "He") if t["male"] else ("woman", "She")
    hair = f"{t['hair']} hair" if t["hair"] else "no hair"
    wears = {
        "eye_g": "eyeglasses",
        "hat": "a hat",
        "ear_r": "earrings",
        "neck_l": "a necklace",
    }
    items = [wears[a] for a in t["accessories"]] or ["nothing special"]
    worn = " and ".join(items)
    mood = "is smiling" if t["smiling"] else "has a closed mouth"
    lines = [
        f"The {noun} has {hair}.",
        f"This {noun} {mood}.",
        f"{pronoun} wears {worn}.",
        f"The {noun} has {hair} and wears {worn}.",
        f"A {noun} with {hair} who {mood}.",
        f"{pronoun} has {hair} and {mood}.",
        f"The person is a {noun} wearing {worn}.",
        f"This person has {hair}.",
        f"The {noun} in the picture {mood}.",
        f"{pronoun} has {hair}, wears {worn} and {mood}.",
    ]
    return "\n".join(lines) + "\n"


def attribute_values(k, rng):
    t = traits(k)
    values = {name: bool(rng.integers(2)) for name in ATTRIBUTES}
    for word, (name, _) in HAIR.items():
        values[name] = t["hair"] == word
    values.update(
        Bald=t["hair"] is None,
        Male=t["male"],
        Smiling=t["smiling"],
        Eyeglasses="eye_g" in t["accessories"],
        Wearing_Hat="hat" in t["accessories"],
        Wearing_Earrings="ear_r" in t["accessories"],
        Wearing_Necklace="neck_l" in t["accessories"],
    )
    return [1 if values[name] else -1 for name in ATTRIBUTES]


def zip_bytes(files):
    """Deterministic deflate zip of {name: bytes}: sorted, fixed times and unix attributes,
    with an entry for every parent directory."""
    dirs = {name[: i + 1] for name in files for i, c in enumerate(name) if c == "/"}
    entries = {**dict.fromkeys(dirs), **files}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=DATE_TIME)
            info.create_system = 3
            if entries[name] is None:
                info.external_attr = DIR_ATTR
                zf.writestr(info, b"", compress_type=zipfile.ZIP_STORED)
            else:
                info.external_attr = FILE_ATTR
                zf.writestr(info, entries[name], zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()


def images_archive_files(rng):
    files = {}
    for k in IDS:
        files[f"{ROOT}/CelebA-HQ-img/{k}.jpg"] = figure.jpeg_bytes(face_image(k, rng))
        for part, mask in part_masks(k, MASK_SIZE).items():
            mask_name = f"{ROOT}/CelebAMask-HQ-mask-anno/{k // 2000}/{k:05d}_{part}.png"
            files[mask_name] = png_bytes(np.repeat(mask[..., None], 3, axis=2))
    mapping = ["idx orig_idx orig_file"]
    mapping += [f"{k}  {ORIG_IDX[k]}  {ORIG_IDX[k] + 1:06d}.jpg" for k in IDS]
    attributes = [str(len(IDS)), " ".join(ATTRIBUTES)]
    attributes += [f"{k}.jpg " + " ".join(map(str, attribute_values(k, rng))) for k in IDS]
    pose = [str(len(IDS)), "Yaw Pitch Raw"]  # sic: upstream's header says Raw for roll
    for k in IDS:
        yaw, pitch, roll = rng.uniform(-30, 30), rng.uniform(-15, 15), rng.uniform(-10, 10)
        pose.append(f"{k}.jpg {yaw:.4f} {pitch:.4f} {roll:.4f}")
    for name, lines in (
        ("CelebA-HQ-to-CelebA-mapping.txt", mapping),
        ("CelebAMask-HQ-attribute-anno.txt", attributes),
        ("CelebAMask-HQ-pose-anno.txt", pose),
    ):
        files[f"{ROOT}/{name}"] = ("\n".join(lines) + "\n").encode()
    return files


def published_splits():
    """{pickle path: ids as strings}, with the upstream swap reproduced."""
    train = [str(k) for k in IDS if k < SPLIT_AT]
    test = [str(k) for k in IDS if k >= SPLIT_AT]
    if SPLITS_SWAPPED:
        train, test = test, train
    return {"train/filenames.pickle": train, "test/filenames.pickle": test}


def text_archive_files():
    files = {f"text/celeba-caption/{k}.txt": captions(k).encode() for k in IDS}
    for name, ids in published_splits().items():
        files[name] = pickle.dumps(ids, protocol=2)
    return files


def build(out_dir, *, seed=0):
    """Write both archives into out_dir; return their paths."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    paths = [out_dir / IMAGES_ARCHIVE, out_dir / TEXT_ARCHIVE]
    write_bytes(paths[0], zip_bytes(images_archive_files(rng)))
    write_bytes(paths[1], zip_bytes(text_archive_files()))
    return sorted(paths)
