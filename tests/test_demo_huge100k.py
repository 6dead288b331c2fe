"""The miniature HuGe100K: real layout and formats, views that match cameras, planted cases."""

import subprocess
import tarfile

import cv2
import numpy as np
import pytest
from PIL import Image

from humanprep.datasets.huge100k import demo as demo
from humanprep.datasets.huge100k.torchnpy import load_huge100k_npy, split_smpl_params
from humanprep.demo.duplicates import CROSS


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("huge100k")
    (path,) = demo.build(out, seed=0)
    root = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(path) as tar:
        tar.extractall(root, filter="data")
    return path, root


def _frames(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return frames, fps


def _sample_entry(mp4):
    """The codec of the first track: the type of the stsd box's first sample entry."""
    at = mp4.index(b"stsd")
    return mp4[at + 16 : at + 20].decode()


def test_tar_layout_and_metadata(built):
    path, _ = built
    assert path.name == "HuGe100K.tar"
    assert path.read_bytes()[257:262] == b"ustar"  # plain, uncompressed tar
    expected = set()
    for batch, group, name in demo.SUBJECTS:
        base = f"HuGe100K/{batch}/{group}"
        expected |= {f"{base}/videos/{name}.jpg", f"{base}/videos/{name}.mp4"}
        expected.add(f"{base}/param/{name}.npy")
    with tarfile.open(path) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(expected)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode) for m in members} == {
        (0, 0, 0, "", "", 0o644)
    }
    listing = subprocess.run(
        ["7zz", "l", "-slt", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert sorted(line[7:] for line in listing.splitlines() if line.startswith("Path = H")) == (
        sorted(expected)
    )


def test_names_have_spaces_and_tilde_and_parse_from_the_right():
    assert len(demo.SUBJECTS) == 4
    assert [b for b, _, _ in demo.SUBJECTS].count("flux_batch8") == 1
    for name in demo.NAMES:
        rest, age, subject_id = name.rsplit("_", 2)
        assert "~" in age and age.endswith("years old") and subject_id.isdigit()
        assert len(rest.split("_")) >= 4
    assert any(" " in name.split("_")[0] for name in demo.NAMES)  # "New Zealand"


def test_videos_frame_count_fps_size_and_view_markers(built):
    _, root = built
    for batch, group, name in demo.SUBJECTS:
        video = root / demo.member_paths(batch, group, name)[1]
        frames, fps = _frames(video)
        assert len(frames) == (23 if name == demo.SHORT_VIDEO else 24)
        assert fps == 15 and _sample_entry(video.read_bytes()) == "mp4v"  # MPEG-4 Part 2
        assert frames[0].shape == (224, 160, 3)
        assert [demo.decode_view_marker(f) for f in frames] == list(range(len(frames)))


def test_visible_side_follows_the_camera(built):
    _, root = built
    batch, group, name = demo.SUBJECTS[3]
    frames, _ = _frames(root / demo.member_paths(batch, group, name)[1])
    front = demo.FRONT_VIEW[name]
    chest = (round(224 * 0.45 - 224 / 2.2 * 0.3), 80)  # torso centre (row, column)
    red, _, blue = frames[front][chest].astype(int)
    assert red > blue + 60  # shirt front
    red, _, blue = frames[(front + 12) % 24][chest].astype(int)
    assert blue > red + 60  # shirt back, from the opposite camera


def test_reference_jpg_is_the_front_view(built):
    """But where humanprep.demo.duplicates planted another dataset's image instead."""
    _, root = built
    planted = {key for _, _, dataset, key, _ in CROSS if dataset == "huge100k"}
    for index, (batch, group, name) in enumerate(demo.SUBJECTS):
        image = Image.open(root / demo.member_paths(batch, group, name)[0])
        assert image.format == "JPEG" and image.size == (192, 268)
        marker = demo.decode_view_marker(np.asarray(image))
        assert (marker == demo.FRONT_VIEW[name]) is (index not in planted)


def _centre(w2c):
    return -w2c[:3, :3].T @ w2c[:3, 3]


def test_cameras_orbit_in_15_degree_steps(built):
    _, root = built
    for batch, group, name in demo.SUBJECTS:
        poses = load_huge100k_npy(root / demo.member_paths(batch, group, name)[2])["poses"]
        assert len(poses) == 24
        outlier = demo.CAMERA_OUTLIER.get(name)
        centres = []
        for i, (w2c, k) in enumerate(poses):
            np.testing.assert_array_equal(k, [280, 280, 80, 112])
            rotation = w2c[:3, :3].astype(float)
            np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-6)
            assert np.linalg.det(rotation) == pytest.approx(1, abs=1e-6)
            np.testing.assert_array_equal(w2c[3], [0, 0, 0, 1])
            # The origin (subject centre) projects to the principal point (80, 112).
            x, y, z = w2c[:3, 3]
            assert z > 0 and (280 * x / z + 80, 280 * y / z + 112) == pytest.approx((80, 112))
            centres.append(_centre(w2c))
            if i != outlier:
                assert np.linalg.norm(centres[-1]) == pytest.approx(2.6, abs=1e-5)
                assert centres[-1][1] == pytest.approx(0, abs=1e-6)
        steps = [
            np.degrees(np.arccos(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b)))
            for a, b in zip(centres, centres[1:] + centres[:1], strict=True)
        ]
        off = {i for i, s in enumerate(steps) if abs(s - 15) > 1e-3}
        assert off == ({outlier - 1, outlier} if outlier is not None else set())
        if outlier is not None:
            assert np.linalg.norm(centres[outlier]) > 3.0


def test_body_faces_its_front_camera(built):
    _, root = built
    for batch, group, name in demo.SUBJECTS:
        params = load_huge100k_npy(root / demo.member_paths(batch, group, name)[2])
        parts = split_smpl_params(params["smpl_params"])
        assert parts["scale"][0] == 1
        rotation, _ = cv2.Rodrigues(parts["global_orient"].astype(np.float64))
        facing = rotation @ [0, 0, 1]  # the body's front before global_orient is +z
        centre = _centre(params["poses"][demo.FRONT_VIEW[name]][0])
        np.testing.assert_allclose(facing, centre / np.linalg.norm(centre), atol=1e-6)


def _names(path):
    with tarfile.open(path) as tar:
        return tar.getnames()


def test_rebuild_is_byte_identical_and_seed_matters(built, tmp_path):
    path, _ = built
    (again,) = demo.build(tmp_path / "again", seed=0)
    assert again.read_bytes() == path.read_bytes()
    (other,) = demo.build(tmp_path / "other", seed=1)
    assert _names(other) == _names(path)
    assert other.read_bytes() != path.read_bytes()
