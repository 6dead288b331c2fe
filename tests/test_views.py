"""HuGe100K camera geometry on hand-built rings."""

import math

import numpy as np

from humanprep.datasets.huge100k.views import camera_centre, front_view, orbit_check


def look_at(azimuth_deg, radius=2.0, height=0.0):
    """OpenCV w2c of a camera at (r sin a, h, r cos a) looking at the origin, y down."""
    a = math.radians(azimuth_deg)
    centre = np.array([radius * math.sin(a), height, radius * math.cos(a)])
    forward = -centre / np.linalg.norm(centre)
    right = np.cross([0.0, -1.0, 0.0], forward)
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])
    w2c = np.eye(4)
    w2c[:3, :3], w2c[:3, 3] = rotation, -rotation @ centre
    return w2c


RING = [look_at(15 * i) for i in range(24)]


def test_camera_centre_recovered():
    assert np.allclose(camera_centre(look_at(90, 3.0, 0.5)), [3.0, 0.5, 0.0])


def test_clean_ring_has_no_outliers():
    result = orbit_check(RING)
    assert result["outliers"] == [] and math.isclose(result["radius"], 2.0, rel_tol=1e-6)
    assert np.allclose(result["centre"], [0, 0, 0], atol=1e-6)


def test_moved_cameras_are_reported():
    ring = list(RING)
    ring[7] = look_at(105, radius=2.5)  # 25% too far
    ring[12] = look_at(180, height=0.3)  # 15% of the radius above the plane
    result = orbit_check(ring)
    assert [o["view"] for o in result["outliers"]] == [7, 12]
    assert math.isclose(result["outliers"][0]["radial"], 0.25, abs_tol=0.02)
    assert math.isclose(result["outliers"][1]["off_plane"], 0.15, abs_tol=0.02)


def test_front_view_follows_global_orient():
    # no rotation: the body faces +z, seen from the camera at azimuth 0 (view 0)
    assert front_view([0, 0, 0], RING)[0] == 0
    # turned 90 degrees about y: faces +x, the camera at azimuth 90 (view 6)
    view, score = front_view([0, math.pi / 2, 0], RING)
    assert view == 6 and math.isclose(score, 1.0, abs_tol=1e-6)
    # -60 degrees (as SMPL fits wrap angles to [-pi, pi]): azimuth 300, view 20
    assert front_view([0, math.radians(-60), 0], RING)[0] == 20
