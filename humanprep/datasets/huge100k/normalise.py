"""HuGe100K: reference image, name attributes, SMPL-X parameters, 24 cameras and views.

The `.npy` parameters are torch pickles; they are read without torch and without running
pickle code (humanprep.datasets.huge100k.torchnpy). Frame i of the video is view i.
"""

import numpy as np

from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.huge100k.torchnpy import load_huge100k_npy, split_smpl_params
from humanprep.errors import HumanprepError
from humanprep.items import BadItem
from humanprep.normalise.common import read_file, take_image
from humanprep.video import iter_frames, video_file

N_VIEWS = 24
DIVERSE_BATCHES = ("flux_batch8", "flux_batch9")
LICENSE = DESCRIPTORS["huge100k"].licence
_FIELDS = ("gender", "body_type", "clothing", "age", "subject_id")


def parse_name(name):
    """`Area_Gender_BodyType_Clothing_Age_ID` parsed from the right: fields may hold
    spaces and `~`, and the area (the leftmost) may itself contain underscores."""
    parts = name.split("_")
    if len(parts) < 6:
        raise BadItem(f"name {name!r} has {len(parts)} fields, expected 6")
    right = parts[-5:]
    return {"area": "_".join(parts[:-5]), **dict(zip(_FIELDS, right, strict=True))}


def pose_type(batch):
    return "diverse" if batch in DIVERSE_BATCHES else "a-pose"


def check_view_count(count):
    if count != N_VIEWS:
        raise BadItem(f"video has {count} frames, expected {N_VIEWS}")


def count_frames(data):
    """Decode every frame of the mp4 bytes (a broken or short video is caught here, not by
    its users) and return how many there are; nothing of them is kept."""
    with video_file(data) as path:
        return sum(1 for _ in iter_frames(path))


def load_context(side_files, options):
    return {}


def check_finite(params):
    """NaN or infinity in the SMPL-X parameters or a camera quarantines the item."""
    if not np.isfinite(params["smpl_params"]).all():
        raise BadItem("parameters hold NaN or infinity: in smpl_params")
    for i, (w2c, intrinsics) in enumerate(params["poses"]):
        if not (np.isfinite(w2c).all() and np.isfinite(intrinsics).all()):
            raise BadItem(f"parameters hold NaN or infinity: in camera {i}")


def _cameras(poses):
    if len(poses) != N_VIEWS:
        raise BadItem(f"{len(poses)} cameras, expected {N_VIEWS}")
    return [
        {
            "w2c": np.asarray(w2c, float).round(6).tolist(),
            "intrinsics": np.asarray(k, float).round(4).tolist(),
        }
        for w2c, k in poses
    ]


def normalise(entry, ctx, writer):
    files = entry["files"]
    batch, _group, name = entry["id"].split("/", 2)
    for role in ("reference", "video", "params"):
        if role not in files:
            raise BadItem(f"no {role} file")
    try:
        params = load_huge100k_npy(files["params"])
    except HumanprepError as err:
        raise BadItem(f"parameters: {err.problem}") from None
    check_finite(params)
    smpl = {
        k: np.asarray(v, float).round(6).tolist()
        for k, v in split_smpl_params(params["smpl_params"]).items()
    }
    cameras = _cameras(params["poses"])
    video = read_file(files["video"], "video")
    check_view_count(count_frames(video))
    image = take_image(files["reference"], writer)
    # kept as shipped: frame i is view i (humanprep.video.view decodes one)
    video = writer.write("views.mp4", video)
    return {
        "dataset": "huge100k",
        "id": entry["id"],
        "split": "all",
        "image": image,
        "license": LICENSE,
        "attribution": None,
        "huge100k": {
            "attributes": parse_name(name),
            "pose_type": pose_type(batch),
            "smpl": smpl,
            "cameras": cameras,
            "video": video,
        },
    }
