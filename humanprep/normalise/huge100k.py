"""HuGe100K: reference image, name attributes, SMPL-X parameters, 24 cameras and views.

The `.npy` parameters are torch pickles; they are read without torch and without running
pickle code (humanprep.formats.torchnpy). Frame i of the video is view i.
"""

import cv2
import numpy as np

from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError
from humanprep.formats.torchnpy import load_huge100k_npy, split_smpl_params
from humanprep.items import LABEL_PNG_LEVEL, BadItem, png_bytes
from humanprep.members import local_file
from humanprep.normalise.common import take_image

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


def open_video(path):
    """FFmpeg's decoder threads follow OpenCV's thread count, which the runner sets to the
    job's threads: its default (one per machine core) oversubscribed one-core jobs, and
    two views jobs on two cores ran 1.55x one, not 2x."""
    threads = max(1, cv2.getNumThreads())
    return cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, threads])


def iter_views(path):
    """Yield every frame of the video as RGB, decoded and converted in two reused buffers
    (each yielded array is overwritten by the next frame: copy it to keep it)."""
    capture = open_video(path)
    bgr = rgb = None
    try:
        while True:
            ok, bgr = capture.read(bgr)
            if not ok:
                return
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB, dst=rgb)
            yield rgb
    finally:
        capture.release()


def check_view_count(count):
    if count != N_VIEWS:
        raise BadItem(f"video has {count} frames, expected {N_VIEWS}")


def read_views(path):
    """Every frame as RGB (copies); the count must be 24 (one per camera)."""
    frames = [frame.copy() for frame in iter_views(path)]
    check_view_count(len(frames))
    return frames


def view_pngs(path):
    """Each view encoded as PNG as soon as it is decoded (no 24-frame array held): fresh
    per-frame allocations made decoding 2.5x slower than a bare decode loop."""
    with local_file(path) as local:  # OpenCV reads videos from files only
        pngs = [png_bytes(frame, LABEL_PNG_LEVEL) for frame in iter_views(local)]
    check_view_count(len(pngs))
    return pngs


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
    image = take_image(files["reference"], writer)
    views = [
        writer.write(f"view_{i:02d}.png", data) for i, data in enumerate(view_pngs(files["video"]))
    ]
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
            "views": views,
        },
    }
