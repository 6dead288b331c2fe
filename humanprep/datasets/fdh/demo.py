"""Miniature FDH (Flickr Diverse Humans): metadata.json, four licence tars, md5sums.txt.

Each tar holds WebDataset-style samples of a drawn stick person (docs/formats.md, FDH). The
layout decisions for facts docs/formats.md marks unconfirmed are named in the constants below.
"""

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from humanprep.demo import duplicates
from humanprep.io import write_json, write_text
from humanprep.items import png_bytes
from humanprep.tarutil import write_tar

LICENCE_TARS = {
    "cc-by-nc-sa-2": "cc-by-nc-sa-2.tar",
    "cc-by-2": "cc-by-2.tar",
    "cc-by-sa-2": "cc-by-sa-2.tar",
    "cc-by-nc-2": "cc-by-nc-2.tar",
}
LICENCES = {  # licence -> (metadata `license`, `license_url`), as Flickr/YFCC100M name them
    "cc-by-nc-sa-2": (
        "Attribution-NonCommercial-ShareAlike License",
        "http://creativecommons.org/licenses/by-nc-sa/2.0/",
    ),
    "cc-by-2": ("Attribution License", "http://creativecommons.org/licenses/by/2.0/"),
    "cc-by-sa-2": (
        "Attribution-ShareAlike License",
        "http://creativecommons.org/licenses/by-sa/2.0/",
    ),
    "cc-by-nc-2": (
        "Attribution-NonCommercial License",
        "http://creativecommons.org/licenses/by-nc/2.0/",
    ),
}
METADATA = "metadata.json"
MD5_LIST = "md5sums.txt"
HEIGHT, WIDTH = 288, 160
KEY_WIDTH = 7  # tar keys are ids zero-padded to 7 digits; metadata.json keys are unpadded
ROLES = (
    "image.png",
    "mask.png",
    "maskrcnn_mask.png",
    "keypoints.npy",
    "vertices.npy",
    "E_mask.png",
)
MASK_VALUES = (0, 255)  # mask, maskrcnn_mask and E_mask: L-mode PNG, background 0, person 255
KEYPOINT_VISIBLE = 1.0  # keypoints.npy column 2: 1.0 labelled, 0.0 (with x = y = 0) not
N_VERTICES = 27554  # DensePose CSE "smpl_27554" mesh
# vertices.npy: uint16 H x W vertex index, meaningful where E_mask is 255, 0 elsewhere
VERTICES_DTYPE = np.uint16
KEYPOINT_UNITS = {
    "cc-by-nc-sa-2": "normalised",
    "cc-by-2": "normalised",
    "cc-by-sa-2": "pixels",
    "cc-by-nc-2": "normalised",
}
OPTED_OUT_NSIDS = ["12345678@N00"]
CORRUPT = []  # every demo FDH sample is well formed
# (id, licence, split, owner NSID): fixed so tests know where the opt-out and val items are.
SAMPLES = [
    (42, "cc-by-nc-sa-2", "train", "23456789@N01"),
    (1307, "cc-by-nc-sa-2", "train", "34567890@N02"),
    (58112, "cc-by-nc-sa-2", "val", "45678901@N03"),
    (812004, "cc-by-nc-sa-2", "train", "23456789@N01"),
    (1201, "cc-by-2", "train", OPTED_OUT_NSIDS[0]),
    (77310, "cc-by-2", "train", "56789012@N04"),
    (402555, "cc-by-2", "val", "67890123@N05"),
    (1500123, "cc-by-2", "train", "78901234@N06"),
    (9, "cc-by-sa-2", "train", "89012345@N07"),
    (230450, "cc-by-sa-2", "val", "90123456@N08"),
    (1777001, "cc-by-sa-2", "train", "34567890@N02"),
    (3300, "cc-by-nc-2", "train", "11223344@N09"),
    (650001, "cc-by-nc-2", "train", OPTED_OUT_NSIDS[0]),
    (1802345, "cc-by-nc-2", "val", "22334455@N10"),
]
# COCO-17 joints of an upright person facing the camera (its left is the image's right),
# as (dx from the body's centre line, dy from the top of the head) in pixels at scale 1.
SKELETON = np.array(
    [
        (0, 24), (5, 17), (-5, 17), (11, 21), (-11, 21),  # nose, eyes, ears
        (24, 54), (-24, 54), (32, 96), (-32, 96), (36, 136), (-36, 136),  # arms
        (15, 140), (-15, 140), (17, 190), (-17, 190), (18, 240), (-18, 240),  # legs
    ],
    dtype=np.float64,
)  # fmt: skip
LIMBS = [(5, 7), (7, 9), (6, 8), (8, 10), (11, 13), (13, 15), (12, 14), (14, 16)]


def key_of(fdh_id):
    return f"{fdh_id:0{KEY_WIDTH}d}"


def _joints(rng):
    """Pixel joint positions: scaled, shifted skeleton with jittered elbows, hands, legs."""
    scale = rng.uniform(0.85, 1.0)
    offset = np.array([WIDTH / 2 + rng.uniform(-12, 12), rng.uniform(14, 26)])
    jitter = np.zeros_like(SKELETON)
    jitter[7:] = rng.uniform(-6, 6, size=(10, 2))
    return (SKELETON + jitter) * scale + offset, scale


def _draw(rng, pose=None, background=None):
    """(RGB image, person mask, pixel joints, look) of one drawn person on a shaded
    background; `pose` ((joints, scale)) and `background` (base colour) of a look, when
    given, replace the drawn ones (the random stream is the same either way)."""
    drawn_pose = _joints(rng)
    joints, scale = pose or drawn_pose
    pt = [tuple(int(round(c)) for c in p) for p in joints]
    rows = np.arange(HEIGHT)[:, None, None]
    drawn_base = rng.uniform(60, 200, size=3)
    base = drawn_base if background is None else background
    image = (base + 0.2 * rows + rng.normal(0, 6, (HEIGHT, WIDTH, 3))).clip(0, 255)
    image = image.astype(np.uint8)
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    skin, shirt, trousers = (tuple(int(c) for c in rng.integers(30, 230, 3)) for _ in range(3))
    thick = max(6, int(12 * scale))
    torso = np.array([pt[5], pt[6], pt[12], pt[11]], np.int32)
    head_r = int(20 * scale)
    for canvas, colours in ((image, (skin, shirt, trousers)), (mask, (255, 255, 255))):
        cv2.fillConvexPoly(canvas, torso, colours[1])
        for a, b in LIMBS:
            cv2.line(canvas, pt[a], pt[b], colours[1] if a < 11 else colours[2], thick)
        cv2.line(canvas, pt[0], ((pt[5][0] + pt[6][0]) // 2, pt[5][1]), colours[0], thick)
        cv2.circle(canvas, (pt[0][0], pt[0][1] - 2), head_r, colours[0], -1)
    for eye in (1, 2):
        cv2.circle(image, pt[eye], 2, (20, 20, 20), -1)
    return image, mask, joints, {"pose": (joints, scale), "background": base}


def _sample_drawing(fdh_id, rng, drawn):
    """(image, mask, joints) of a sample; planted copies and look-alikes
    (humanprep.demo.duplicates) reuse what `drawn` holds of samples drawn before."""
    like = {}
    if fdh_id in duplicates.FDH_LOOKALIKES:
        other, shared = duplicates.FDH_LOOKALIKES[fdh_id]
        aspect = {"same_pose": "pose", "same_background": "background"}[shared]
        like[aspect] = drawn[other][aspect]
    image, mask, joints, look = _draw(rng, **like)
    if fdh_id in duplicates.FDH_COPIES:
        original, edit = duplicates.FDH_COPIES[fdh_id]
        image, mask, joints = drawn[original]["pixels"]
        image = duplicates.fdh_copy_image(image, edit, fdh_id)
    drawn[fdh_id] = {**look, "pixels": (image, mask, joints)}
    return image, mask, joints


def _keypoints(joints, units, hidden):
    points = np.zeros((17, 3), np.float32)
    scale = np.array([WIDTH, HEIGHT]) if units == "normalised" else np.ones(2)
    for j, (x, y) in enumerate(joints):
        if j not in hidden:
            points[j] = (x / scale[0], y / scale[1], KEYPOINT_VISIBLE)
    return points


def _vertices(e_mask, joints):
    """Vertex index rising down the body, so each body height maps to its own mesh band."""
    top, bottom = joints[:, 1].min() - 25, joints[:, 1].max()
    rows = np.clip((np.arange(HEIGHT) - top) / (bottom - top), 0, 1)
    cols = np.arange(WIDTH) % 97  # spread across the band, as neighbouring vertices do
    index = (rows[:, None] * (N_VERTICES - 100)).astype(np.int64) + cols[None, :]
    return np.where(e_mask > 0, index, 0).astype(VERTICES_DTYPE)


def _npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def sample_members(fdh_id, licence, rng, drawn=None):
    """The six (name, bytes) tar members of one sample (`drawn`: the samples drawn before)."""
    image, mask, joints = _sample_drawing(fdh_id, rng, {} if drawn is None else drawn)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    # Mask R-CNN's mask is coarser than the refined one; CSE covers the body interior.
    maskrcnn = cv2.dilate(mask, kernel)
    e_mask = cv2.erode(mask, kernel)
    hidden = {3} if fdh_id % 2 else {3, 4}  # an ear or both turned away
    blobs = {
        "image.png": png_bytes(image),
        "mask.png": png_bytes(mask),
        "maskrcnn_mask.png": png_bytes(maskrcnn),
        "keypoints.npy": _npy(_keypoints(joints, KEYPOINT_UNITS[licence], hidden)),
        "vertices.npy": _npy(_vertices(e_mask, joints)),
        "E_mask.png": png_bytes(e_mask),
    }
    return [(f"{key_of(fdh_id)}.{role}", blobs[role]) for role in ROLES]


def metadata_entry(fdh_id, licence, split, nsid):
    """One metadata.json value with exactly the real field set (incl. the `cateogry` typo)."""
    licence_name, licence_url = LICENCES[licence]
    author = f"demo author {nsid.split('@')[0][:4]}"
    photo = 4_000_000_000 + fdh_id
    taken = 1_262_304_000 + fdh_id * 61  # fixed, id-derived times: no clock reads
    return {
        "author": author,
        "cateogry": split,
        "date_crawled": "2021-09-01",
        "unixtime_crawled": 1_630_454_400,
        "date_taken": f"{_utc(taken)}.0",
        "date_uploaded": str(taken + 86_400),
        "license": licence_name,
        "license_url": licence_url,
        "photo_title": f"Demo photo {fdh_id}",
        "photo_url": f"http://www.flickr.com/photos/{nsid}/{photo}/",
        "yfcc100m_line_idx": 10_000_000 + fdh_id * 3,
        "id": fdh_id,
        "user_nsid": nsid,
    }


def _utc(seconds):
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def build(out_dir, *, seed=0):
    """Write metadata.json, the four licence tars and md5sums.txt; return their paths."""
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    metadata, members, drawn = {}, {licence: [] for licence in LICENCE_TARS}, {}
    for fdh_id, licence, split, nsid in SAMPLES:
        metadata[str(fdh_id)] = metadata_entry(fdh_id, licence, split, nsid)
        members[licence] += sample_members(fdh_id, licence, rng, drawn)
    paths = [out_dir / METADATA]
    write_json(paths[0], metadata)
    for licence, name in LICENCE_TARS.items():
        # Fixed-width keys: sorting by name keeps keys sorted and each key's members adjacent.
        paths.append(write_tar(out_dir / name, members[licence]))
    listed = sorted(paths, key=lambda p: p.name)
    write_text(
        out_dir / MD5_LIST,
        "".join(f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.name}\n" for p in listed),
    )
    return sorted([*paths, out_dir / MD5_LIST])
