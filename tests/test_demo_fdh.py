"""The FDH demo: true on-disk format (docs/formats.md), read back with md5sum, tarfile, GNU tar and
WebDataset, and rebuilt byte for byte."""

import io
import json
import subprocess
import tarfile
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import webdataset as wds
import yaml
from PIL import Image

from humanprep.datasets.fdh import demo as fdh
from humanprep.datasets.fdh.normalise import keypoints_in_pixels
from humanprep.tarutil import write_tar

REPO = Path(__file__).resolve().parents[1]
TARS = ["cc-by-2.tar", "cc-by-nc-2.tar", "cc-by-nc-sa-2.tar", "cc-by-sa-2.tar"]
# WebDataset lower-cases suffixes: E_mask.png arrives as e_mask.png
SUFFIXES = {"image.png", "mask.png", "maskrcnn_mask.png", "keypoints.npy", "vertices.npy"}
FIELDS = {
    "author", "cateogry", "date_crawled", "unixtime_crawled", "date_taken", "date_uploaded",
    "license", "license_url", "photo_title", "photo_url", "yfcc100m_line_idx", "id", "user_nsid",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("fdh")
    paths = fdh.build(out, seed=0)
    return out, paths


def samples(tar_path):
    """{key: {suffix: bytes}} read with the standard library."""
    grouped = defaultdict(dict)
    with tarfile.open(tar_path) as tar:
        for member in tar.getmembers():
            key, _, suffix = member.name.partition(".")
            grouped[key][suffix] = tar.extractfile(member).read()
    return grouped


def test_files_and_md5sum_check(demo):
    out, paths = demo
    assert sorted(p.name for p in paths) == sorted(TARS + ["metadata.json", "md5sums.txt"])
    lines = (out / "md5sums.txt").read_text().splitlines()
    assert [line.split("  ")[1] for line in lines] == sorted(TARS + ["metadata.json"])
    res = subprocess.run(
        ["md5sum", "-c", "md5sums.txt"], cwd=out, capture_output=True, text=True, check=False
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count(": OK") == 5


def test_tar_headers_are_fixed_and_keys_grouped(demo):
    out, _ = demo
    for name in TARS:
        with tarfile.open(out / name) as tar:
            members = tar.getmembers()
        assert all(m.isfile() and m.mtime == 0 and m.mode == 0o644 for m in members)
        assert all(m.uid == 0 and m.gid == 0 and m.uname == "" and m.gname == "" for m in members)
        keys = [m.name.split(".")[0] for m in members]
        runs = [k for i, k in enumerate(keys) if i == 0 or keys[i - 1] != k]
        assert runs == sorted(set(keys)), f"{name}: a key's members are not adjacent"
        assert all(len(k) == 7 and k.isdigit() for k in keys)
        assert 3 <= len(runs) <= 4
        listing = subprocess.run(
            ["tar", "-tvf", str(out / name), "--numeric-owner"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert len(listing) == len(members)
        assert all(line.startswith("-rw-r--r-- 0/0") and "1970-01-01" in line for line in listing)


def test_webdataset_reads_every_sample_with_six_members(demo):
    out, _ = demo
    seen = 0
    for name in TARS:
        dataset = wds.WebDataset(str(out / name), shardshuffle=False, empty_check=False)
        # the default decoders load .npy and leave images as bytes, opened here with Pillow
        for sample in dataset.decode():
            seen += 1
            assert SUFFIXES | {"e_mask.png"} <= set(sample), sorted(sample)
            image = Image.open(io.BytesIO(sample["image.png"]))
            assert (image.format, image.mode, image.size) == ("PNG", "RGB", (160, 288))
            for role in ("mask.png", "maskrcnn_mask.png", "e_mask.png"):
                mask = Image.open(io.BytesIO(sample[role]))
                assert (mask.mode, mask.size) == ("L", (160, 288))
                assert set(np.unique(mask)) == {0, 255}
            keypoints = sample["keypoints.npy"]
            assert keypoints.shape == (17, 3) and keypoints.dtype == np.float32
            vertices = sample["vertices.npy"]
            e_mask = np.asarray(Image.open(io.BytesIO(sample["e_mask.png"])))
            assert vertices.shape == (288, 160) and vertices.dtype == np.uint16
            assert not vertices[e_mask == 0].any() and vertices.max() < 27554
    assert seen == 14


def test_masks_nest_and_keypoints_lie_on_the_person(demo):
    out, _ = demo
    for name in TARS:
        licence = name.removesuffix(".tar")
        for key, members in samples(out / name).items():
            assert set(members) == SUFFIXES | {"E_mask.png"}, key
            mask, rcnn, e_mask = (
                np.asarray(Image.open(io.BytesIO(members[r])))
                for r in ("mask.png", "maskrcnn_mask.png", "E_mask.png")
            )
            # the CSE area lies inside the person mask, which lies inside Mask R-CNN's
            assert not (e_mask & ~mask).any() and not (mask & ~rcnn).any()
            points = np.load(io.BytesIO(members["keypoints.npy"]))
            labelled = points[:, 2] > 0
            assert not points[~labelled].any() and 14 <= labelled.sum() <= 16
            xy = points[labelled, :2]
            if fdh.KEYPOINT_UNITS[licence] == "normalised":
                assert xy.min() >= 0 and xy.max() <= 1
                xy = xy * [160, 288]
            else:
                assert xy.max() > 1
            cols, rows = np.round(xy).astype(int).T
            assert (mask[rows, cols] == 255).all(), f"{key}: a keypoint is off the person"


def test_units_are_mixed_and_detected_as_declared(demo):
    out, _ = demo
    assert set(fdh.KEYPOINT_UNITS.values()) == {"normalised", "pixels"}
    for name in TARS:
        for members in samples(out / name).values():
            points = np.load(io.BytesIO(members["keypoints.npy"])).astype(np.float64)
            _, units = keypoints_in_pixels(points, 160, 288)
            assert units == fdh.KEYPOINT_UNITS[name.removesuffix(".tar")]


def test_metadata_fields_splits_and_licences(demo):
    out, _ = demo
    metadata = json.loads((out / "metadata.json").read_text())
    keys = {}
    for name in TARS:
        for key in samples(out / name):
            keys[str(int(key))] = name
    assert set(metadata) == set(keys)
    for ident, entry in metadata.items():
        assert set(entry) == FIELDS  # the real field set, `cateogry` typo included
        assert entry["id"] == int(ident)
        assert entry["cateogry"] in {"train", "val"}
        # cc-by-nc-sa-2.tar holds http://creativecommons.org/licenses/by-nc-sa/2.0/ images
        kind, version = keys[ident].removeprefix("cc-").removesuffix(".tar").rsplit("-", 1)
        assert entry["license_url"] == f"http://creativecommons.org/licenses/{kind}/{version}.0/"
        assert entry["user_nsid"] in entry["photo_url"]
    assert {e["cateogry"] for e in metadata.values()} == {"train", "val"}
    assert metadata["1201"]["license"] == "Attribution License"


def test_opted_out_user_owns_two_images_in_two_tars(demo):
    out, _ = demo
    piece = yaml.safe_load((REPO / "humanprep" / "datasets" / "fdh" / "demo.yaml").read_text())
    assert piece["normalise"]["fdh"]["opt_out_nsids"] == fdh.OPTED_OUT_NSIDS
    metadata = json.loads((out / "metadata.json").read_text())
    owned = {i for i, e in metadata.items() if e["user_nsid"] == "12345678@N00"}
    assert len(owned) == 2
    tars = {name for name in TARS for key in samples(out / name) if str(int(key)) in owned}
    assert len(tars) == 2


def test_rebuild_is_byte_identical(demo, tmp_path):
    out, paths = demo
    again = fdh.build(tmp_path / "again", seed=0)
    assert [p.name for p in again] == [p.name for p in paths]
    for a, b in zip(paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    fdh.build(tmp_path / "other", seed=1)
    assert (tmp_path / "other" / "cc-by-2.tar").read_bytes() != (out / "cc-by-2.tar").read_bytes()


def test_write_tar_order_duplicates_and_atomicity(tmp_path):
    path = tmp_path / "t.tar"
    for sort, order in ((False, ["b.txt", "a.txt"]), (True, ["a.txt", "b.txt"])):
        write_tar(path, [("b.txt", b"2"), ("a.txt", b"1")], sort=sort)
        with tarfile.open(path) as tar:
            assert tar.getnames() == order
    with pytest.raises(ValueError, match="duplicate"):
        write_tar(tmp_path / "d.tar", [("a", b""), ("a", b"x")])
    assert not (tmp_path / "d.tar").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.tar"]  # no temp file left
