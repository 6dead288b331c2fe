"""HuGe100K cameras: do the 24 views form one orbit, and which one sees the body's front.

Cameras are OpenCV world-to-camera matrices (x right, y down, z forward); a camera's centre
is -R^T t and it looks along R^T e_z. The SMPL-X body faces +z in its own frame, so its
facing in the world is Rodrigues(global_orient) e_z.
"""

from pathlib import Path

import cv2
import numpy as np

from humanprep import store
from humanprep.io import atomic_dir, read_jsonl

E_Z = np.array([0.0, 0.0, 1.0])


def camera_centre(w2c):
    m = np.asarray(w2c, float)
    return -m[:3, :3].T @ m[:3, 3]


def viewing_direction(w2c):
    return np.asarray(w2c, float)[:3, :3].T @ E_Z


def _circle(points):
    """Least-squares circle through 3-D points: its plane (SVD) and, in that plane, the
    algebraic (Kasa) fit x^2 + y^2 = 2ax + 2by + c, unbiased by gaps in the ring."""
    mean = points.mean(axis=0)
    basis = np.linalg.svd(points - mean)[2]
    uv = (points - mean) @ basis[:2].T
    lhs = np.column_stack([2 * uv, np.ones(len(uv))])
    (a, b, c), *_ = np.linalg.lstsq(lhs, (uv**2).sum(axis=1), rcond=None)
    return mean + a * basis[0] + b * basis[1], basis[2], float(np.sqrt(c + a * a + b * b))


def _deviations(centres, inliers):
    """The inliers' circle; every camera's radial and off-plane deviation from it,
    relative to the radius."""
    centre, normal, radius = _circle(centres[inliers])
    offsets = centres - centre
    height = offsets @ normal
    distance = np.linalg.norm(offsets - np.outer(height, normal), axis=1)
    return centre, radius, np.abs(distance - radius) / radius, np.abs(height) / radius


def no_orbit(problem):
    """The orbit check of cameras that form no circle at all (every camera in one place,
    or a centre beyond float range): no outliers can be named, the problem is stated."""
    return {"centre": None, "radius": None, "outliers": [], "problem": problem}


def orbit_check(w2cs, tolerance=0.05):
    """Fit one circle to the camera centres, dropping the worst camera and refitting while
    any is off it by more than `tolerance` of the radius (at most a quarter of them)."""
    with np.errstate(all="ignore"):  # degenerate cameras give inf/nan, checked below
        centres = np.array([camera_centre(m) for m in w2cs])
        if not np.isfinite(centres).all():
            return no_orbit("a camera centre is not a finite point")
        inliers = np.ones(len(centres), bool)
        for _ in range(len(centres) // 4 + 1):
            try:
                centroid, median, radial, vertical = _deviations(centres, inliers)
            except np.linalg.LinAlgError as err:
                return no_orbit(f"no circle fits the camera centres ({err})")
            if not (np.isfinite(median) and median > 0 and np.isfinite(centroid).all()):
                return no_orbit("the camera centres do not span a circle")
            worst = np.maximum(radial, vertical)
            worst[~inliers] = -1
            if worst.max() <= tolerance:
                break
            inliers[int(np.argmax(worst))] = False
    outliers = [
        {
            "view": int(i),
            "radial": round(float(radial[i]), 4),
            "off_plane": round(float(vertical[i]), 4),
        }
        for i in np.flatnonzero(~inliers)
    ]
    return {
        "centre": np.round(centroid, 4).tolist(),
        "radius": round(median, 4),
        "outliers": outliers,
    }


def body_facing(global_orient):
    rotation, _ = cv2.Rodrigues(np.asarray(global_orient, float).reshape(3, 1))
    return rotation @ E_Z


def front_view(global_orient, w2cs):
    """Index of the camera looking most directly at the body's front (against its facing)."""
    facing = body_facing(global_orient)
    with np.errstate(all="ignore"):
        scores = [float(-viewing_direction(m) @ facing) for m in w2cs]
    scores = [s if np.isfinite(s) else -np.inf for s in scores]  # overflowing matrices
    best = int(np.argmax(scores))
    return best, round(scores[best], 4) if np.isfinite(scores[best]) else None


def describe(record, tolerance):
    """A subject's views: each with its camera (view i = frame i of the record's video),
    the front view and the orbit check."""
    h = record["huge100k"]
    w2cs = [c["w2c"] for c in h["cameras"]]
    front, score = front_view(h["smpl"]["global_orient"], w2cs)
    return {
        "id": record["id"],
        "split": record["split"],
        "video": h["video"],
        "views": [{"view": i, **camera} for i, camera in enumerate(h["cameras"])],
        "front_view": front,
        "front_score": score,
        "orbit": orbit_check(w2cs, tolerance),
    }


def views_shard(records_path, normalised_dir, out_dir, tolerance, materialise=False):
    """One view entry per subject of a normalised shard. With `materialise`, each view is
    also written as a PNG (`view_NN.png`, in out_dir/<split>.tar) and listed as `image`;
    the videos stay the store's either way."""
    from humanprep.items import VIEW_PNG_LEVEL, png_bytes
    from humanprep.video import frames

    shard = Path(out_dir).name
    entries = []
    with atomic_dir(out_dir) as tmp, store.ShardWriter(tmp, shard) as writer:
        for record in read_jsonl(records_path):
            entry = describe(record, tolerance)
            if materialise:
                files = writer.item(record["id"])
                video = store.read(normalised_dir, entry["video"], record["id"])
                for view, frame in zip(entry["views"], frames(video), strict=True):
                    view["image"] = files.write(
                        f"view_{view['view']:02d}.png", png_bytes(frame, VIEW_PNG_LEVEL)
                    )
                entry = writer.commit(files, entry)
            entries.append(entry)
    return entries
