"""HuGe100K contact sheet: each subject's views around a circle, the front view in red."""

import math

from PIL import Image

from humanprep import store, video
from humanprep.report import draw
from humanprep.report.sample import representative
from humanprep.report.sheets import sheet


def camera_direction(w2c):
    """Top-down (x, z) of the camera centre C = -R^T t of a 4x4 world-to-camera matrix."""
    r = [row[:3] for row in w2c[:3]]
    t = [row[3] for row in w2c[:3]]
    centre = [-sum(r[i][j] * t[i] for i in range(3)) for j in range(3)]
    return centre[0], centre[2]


def huge100k_ring(view_record, root, thumb_height=64):
    """HuGe100K: the subject's views around a circle at their camera azimuths (decoded
    from the subject's video in the store: view i = frame i)."""
    views = sorted(view_record["views"], key=lambda v: v["view"])
    frames = video.frames(store.read(root, view_record["video"], view_record["id"]))
    images = [Image.fromarray(frames[v["view"]]) for v in views]
    directions = [camera_direction(v["w2c"]) if v.get("w2c") else None for v in views]
    if any(d is None or d == (0, 0) or not all(map(math.isfinite, d)) for d in directions):
        directions = None
    outliers = {o["view"] for o in view_record.get("orbit", {}).get("outliers", [])}
    ring = draw.view_ring(images, view_record["front_view"], directions, outliers, thumb_height)
    return draw.caption(
        ring, [view_record["id"], f"{len(views)} views, front view {view_record['front_view']}"]
    )


def contact_sheet(records, root, derived, n=4):
    view_records, _ = derived["views"]
    rings = [huge100k_ring(v, root) for v in representative(view_records, n)]
    return sheet(rings, "HuGe100K: views around the subject, front view in red", columns=2)
