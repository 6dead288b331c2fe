"""The demo's planted near-duplicates and look-alikes (issue 19), and their known list.

The real datasets overlap: SHHQ holds DeepFashion images, DeepFashion2 reuses them, HuGe100K
has a DeepFashion subset, FDH can repeat a Flickr photo under two keys. The demo plants a few
of each so a run's dedup output can be scored against `PAIRS`:
- across datasets, a copy replaces an unannotated image (DeepFashion2 test images) or a
  HuGe100K reference image; it is an SHHQ or HuGe100K image after one edit, resized to the
  slot's size (a non-uniform resize changes no hash: both reduce to a square);
- within FDH, a sample's photo is another's, JPEG re-encoded or colour-jittered, with the
  same mask and keypoints (the geometry is unchanged);
- look-alikes (never pairs): an FDH person drawn again in the same pose, another on the same
  background, and DeepFashion2's shop/consumer photos of the same clothes (`pair_id`).
The edits are humanprep.dedup.planted's, each with its own fixed random stream.
"""

import io

import numpy as np
from PIL import Image

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
EDITS = ("resize", "reencode", "crop", "mirror", "jitter")


def _huge100k_id(index):
    from humanprep.datasets.huge100k import demo as huge100k

    batch, group, name = huge100k.SUBJECTS[index]
    return f"{batch}/{group}/{name}"


def _fdh_id(fdh_id):
    from humanprep.datasets.fdh import demo as fdh

    return fdh.key_of(fdh_id)


def _record_id(dataset, key):
    return _huge100k_id(key) if dataset == "huge100k" else key


def pairs():
    """Every planted pair as (dataset a, id a, dataset b, id b, kind): kind is an edit for
    a duplicate, else the look-alike's shared aspect."""
    out = [(da, _record_id(da, a), db, _record_id(db, b), kind) for da, a, db, b, kind in CROSS]
    for copy, (original, edit) in FDH_COPIES.items():
        out.append(("fdh", _fdh_id(original), "fdh", _fdh_id(copy), edit))
    for lookalike, (other, kind) in FDH_LOOKALIKES.items():
        out.append(("fdh", _fdh_id(other), "fdh", _fdh_id(lookalike), kind))
    for a, b in DF2_SAME_CLOTHES:
        out.append(("deepfashion2", a, "deepfashion2", b, "same_clothes"))
    return out


def edited(image, edit, seed):
    """A PIL image after one of humanprep.dedup.planted's edits (fixed stream per seed)."""
    from humanprep.dedup import planted

    return planted.EDIT[edit](image.convert("RGB"), np.random.default_rng([19, seed]))


def _decoded(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def original_image(dataset, key, seed=0):
    """The original's image as the demo writes it (decoded from its JPEG)."""
    if dataset == "shhq":
        from humanprep.datasets.shhq import demo as shhq

        rng = np.random.default_rng(seed)
        for image_id in shhq.IDS:  # the same random stream as shhq.members
            labels, _ = shhq.draw(image_id, rng)
            data = shhq.image_bytes(image_id, labels, rng)
            if shhq.name_of(image_id, "jpg").removesuffix(".jpg") == key:
                return _decoded(data)
        raise KeyError(key)
    from humanprep.datasets.huge100k import demo as huge100k

    return _decoded(huge100k.reference_jpg(key, seed))


def copy_jpeg(dataset, key, size, seed=0):
    """JPEG bytes of the planted copy that takes the place of (dataset, key) at `size`
    (W, H), or None when nothing is planted there. A re-encode is the JPEG written at low
    quality itself; other edits are written as the demo writes its JPEGs."""
    from humanprep.demo import figure

    for k, (da, a, db, b, edit) in enumerate(CROSS):
        if (db, b) != (dataset, key):
            continue
        image = original_image(da, a, seed)
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


LOOKALIKE_KINDS = ("same_pose", "same_background", "same_clothes")


def score(found, mirror=False):
    """Scores of a dedup run's pairs against `pairs()`: `found` is a set of frozensets of
    two (dataset, id). Recall over the planted duplicates (the mirrored one counts only
    with dedup.mirror), the share of look-alike pairs not reported (precision on them),
    per-kind results, and how many reported pairs were not planted at all."""
    planted = pairs()
    kinds, expected, hits, lookalikes, false = {}, 0, 0, 0, 0
    for da, a, db, b, kind in planted:
        hit = frozenset({(da, a), (db, b)}) in found
        kinds.setdefault(kind, []).append(hit)
        if kind in LOOKALIKE_KINDS:
            lookalikes += 1
            false += hit
        elif kind != "mirror" or mirror:
            expected += 1
            hits += hit
    known = {frozenset({(da, a), (db, b)}) for da, a, db, b, _ in planted}
    return {
        "recall": hits / expected,
        "lookalike_precision": 1 - false / lookalikes,
        "kinds": {k: sum(v) / len(v) for k, v in kinds.items()},
        "unplanted_pairs": len(found - known),
    }
