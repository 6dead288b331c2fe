"""The demo's planted near-duplicates and look-alikes (issue 19): where each is planted.

The real datasets overlap: SHHQ holds DeepFashion images, DeepFashion2 reuses them, HuGe100K
has a DeepFashion subset, FDH can repeat a Flickr photo under two keys. The demo plants a few
of each, and humanprep.demo.known_pairs lists them to score a run's dedup output:
- across datasets, a copy replaces an unannotated image (DeepFashion2 test images) or a
  HuGe100K reference image; it is an SHHQ or HuGe100K image after one edit, resized to the
  slot's size (a non-uniform resize changes no hash: both reduce to a square);
- within FDH, a sample's photo is another's, JPEG re-encoded or colour-jittered, with the
  same mask and keypoints (the geometry is unchanged);
- look-alikes (never pairs): an FDH person drawn again in the same pose, another on the same
  background, and DeepFashion2's shop/consumer photos of the same clothes (`pair_id`).
The edits are humanprep.demo.edits', each with its own fixed random stream. The makers
import this module, so it imports none of them: they pass in the originals.
"""

import io

import numpy as np
from PIL import Image

from humanprep.demo import edits, figure

# (original dataset, its record id, copy dataset, the copy's record id, edit)
CROSS = [
    ("shhq", "image_000001", "deepfashion2", "test/000001", "resize"),
    ("shhq", "image_000057", "deepfashion2", "test/000002", "crop"),
    ("huge100k", 0, "deepfashion2", "test/000003", "reencode"),
    ("shhq", "image_001204", "huge100k", 3, "mirror"),
]
# within FDH: copy id -> (original id, edit); look-alike id -> (other id, what it shares)
FDH_COPIES = {1777001: (42, "reencode"), 1802345: (77310, "jitter")}
FDH_LOOKALIKES = {9: (1307, "same_pose"), 1500123: (402555, "same_background")}
# DeepFashion2 shop/consumer photos of the same garments (SCENES pair_id), both kept
DF2_SAME_CLOTHES = [
    ("train/000001", "train/000002"),
    ("train/000008", "train/000009"),
    ("validation/000001", "validation/000002"),
    ("validation/000003", "validation/000004"),
]


def edited(image, edit, seed):
    """A PIL image after one of humanprep.demo.edits' edits (fixed stream per seed)."""
    return edits.EDIT[edit](image.convert("RGB"), np.random.default_rng([19, seed]))


def copy_jpeg(dataset, key, size, originals, seed=0):
    """JPEG bytes of the planted copy that takes the place of (dataset, key) at `size`
    (W, H), or None when nothing is planted there. `originals` maps the original's dataset
    to its maker's (key, seed) -> the original's JPEG bytes. A re-encode is the JPEG written
    at low quality itself; other edits are written as the demo writes its JPEGs."""
    for k, (da, a, db, b, edit) in enumerate(CROSS):
        if (db, b) != (dataset, key):
            continue
        image = edits.decode(originals[da](a, seed)).convert("RGB")
        if edit == "reencode":
            buf = io.BytesIO()
            quality = int(np.random.default_rng([19, k]).integers(10, 31))
            image.resize(size, Image.Resampling.BICUBIC).save(buf, "JPEG", quality=quality)
            return buf.getvalue()
        image = edited(image, edit, k).resize(size, Image.Resampling.BICUBIC)
        return figure.jpeg_bytes(np.asarray(image))
    return None


def fdh_copy_image(image, edit, fdh_id):
    """The RGB array of an FDH copy: its original's after the edit (a re-encode's JPEG
    losses kept in the PNG), at the same size."""
    return np.asarray(edited(Image.fromarray(image), edit, fdh_id))
