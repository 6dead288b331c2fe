"""HuGe100K cameras: do the 24 views form one orbit, and which one sees the body's front.

Cameras are OpenCV world-to-camera matrices (x right, y down, z forward); a camera's centre
is -R^T t and it looks along R^T e_z. The SMPL-X body faces +z in its own frame, so its
facing in the world is Rodrigues(global_orient) e_z.
"""

import cv2
import numpy as np

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


def orbit_check(w2cs, tolerance=0.05):
    """Fit one circle to the camera centres, dropping the worst camera and refitting while
    any is off it by more than `tolerance` of the radius (at most a quarter of them)."""
    centres = np.array([camera_centre(m) for m in w2cs])
    inliers = np.ones(len(centres), bool)
    for _ in range(len(centres) // 4 + 1):
        centroid, median, radial, vertical = _deviations(centres, inliers)
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
    scores = [float(-viewing_direction(m) @ facing) for m in w2cs]
    return int(np.argmax(scores)), round(max(scores), 4)
