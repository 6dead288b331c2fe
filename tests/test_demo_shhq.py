"""The SHHQ-1.0 demo: an AES-256 zip in the real layout (docs/formats.md), read back with pyzipper
and 7-Zip, its planted cases checked, normalised, and rebuilt byte for byte."""

import io
import shutil
import subprocess
import zipfile

import numpy as np
import pytest
import pyzipper
from PIL import Image, ImageOps

from humanprep import store
from humanprep.datasets import DEMO_PASSWORDS, DESCRIPTORS
from humanprep.datasets.shhq import demo as shhq
from humanprep.datasets.shhq.formats import PALETTE
from humanprep.normalise.shard import normalise_shard

PASSWORD = DEMO_PASSWORDS["shhq"].encode()
STEMS = [f"image_{k:06d}" for k in shhq.IDS]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("shhq")
    paths = shhq.build(out, seed=0)
    root = tmp_path_factory.mktemp("shhq-unpacked")
    with pyzipper.AESZipFile(paths[0]) as zf:
        zf.setpassword(PASSWORD)
        files = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
        zf.extractall(root)
    return out, paths, files, root


def _image(files, stem, role="no_segment", suffix="jpg"):
    return Image.open(io.BytesIO(files[f"SHHQ-1.0/{role}/{stem}.{suffix}"]))


def _keypoint_lines(files):
    return files["SHHQ-1.0/merged_25pts_ldmk.txt"].decode().splitlines()


def test_layout_and_every_file_aes_encrypted(demo):
    _, paths, files, _ = demo
    assert [p.name for p in paths] == ["SHHQ-1.0.zip"]
    expected = {f"SHHQ-1.0/{d}/{s}.{'jpg' if d == 'no_segment' else 'png'}"
                for d in ("no_segment", "segments", "parsing") for s in STEMS}  # fmt: skip
    assert set(files) == expected | {"SHHQ-1.0/merged_25pts_ldmk.txt"}
    with zipfile.ZipFile(paths[0]) as zf:
        infos = zf.infolist()
    assert {i.filename for i in infos if i.is_dir()} == {
        "SHHQ-1.0/", "SHHQ-1.0/no_segment/", "SHHQ-1.0/parsing/", "SHHQ-1.0/segments/",
    }  # fmt: skip
    for info in infos:
        if not info.is_dir():
            assert info.compress_type == 99 and info.flag_bits & 1, info.filename
            assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_wrong_password_fails(demo):
    _, paths, _, _ = demo
    with pyzipper.AESZipFile(paths[0]) as zf:
        zf.setpassword(b"not-the-password")
        with pytest.raises(RuntimeError, match="[Bb]ad password"):
            zf.read("SHHQ-1.0/merged_25pts_ldmk.txt")


@pytest.mark.skipif(shutil.which("7zz") is None, reason="7zz not installed")
def test_7zz_verifies_with_the_demo_password(demo):
    _, paths, _, _ = demo
    password = DEMO_PASSWORDS["shhq"]
    ok = subprocess.run(
        ["7zz", "t", f"-p{password}", str(paths[0])], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "Everything is Ok" in ok.stdout, ok.stdout
    bad = subprocess.run(["7zz", "t", "-pwrong", str(paths[0])], capture_output=True, text=True)
    assert bad.returncode != 0


def test_images_are_twice_as_high_as_wide(demo):
    _, _, files, _ = demo
    for image_id, stem in zip(shhq.IDS, STEMS, strict=True):
        image = _image(files, stem)
        assert image.format == "JPEG"
        if image_id == shhq.TRUNCATED:
            with pytest.raises(OSError, match="truncated"):
                image.load()
            continue
        image.load()
        upright = ImageOps.exif_transpose(image)
        assert upright.size == (128, 256) and upright.mode == "RGB", stem


def test_exif_image_has_gps_and_orientation_and_is_stored_rotated(demo):
    _, _, files, _ = demo
    image = _image(files, f"image_{shhq.WITH_EXIF:06d}")
    exif = image.getexif()
    assert exif[0x0112] == 6 and exif[0x010F] == "DemoCam"
    assert exif.get_ifd(0x8825)[1] == "N" and len(exif.get_ifd(0x8825)) == 4
    assert image.size == (256, 128)
    others = [s for s in STEMS if s != f"image_{shhq.WITH_EXIF:06d}"]
    assert all(0x8825 not in _image(files, s).getexif() for s in others)


def test_parsing_palette_only_and_segments_agree(demo):
    _, _, files, _ = demo
    colours = {tuple(c) for c in PALETTE.values()}
    seen = set()
    for stem in STEMS:
        parsing = _image(files, stem, "parsing", "png")
        assert parsing.mode == "RGB" and parsing.size == (128, 256)
        rgb = np.asarray(parsing)
        present = {tuple(int(v) for v in c) for c in np.unique(rgb.reshape(-1, 3), axis=0)}
        assert present <= colours, f"{stem}: {present - colours}"
        seen |= present
        segment = np.asarray(_image(files, stem, "segments", "png"))
        assert segment.ndim == 2 and set(np.unique(segment)) == set(shhq.SEGMENT_VALUES)
        assert ((segment == 255) == rgb.any(axis=2)).all(), stem
    # skin, face, hair, tops, dress, coat, pants, skirt, shoes and the accessories all occur
    assert len(seen) >= 15


def test_keypoint_lines(demo):
    _, _, files, _ = demo
    lines = _keypoint_lines(files)
    assert [line.split()[0] for line in lines] == [f"{s}.jpg" for s in STEMS]
    missing_total = 0
    for image_id, stem, line in zip(shhq.IDS, STEMS, lines, strict=True):
        fields = line.split()
        assert len(fields) == 51
        pairs = list(zip(fields[1::2], fields[2::2], strict=True))
        missing = [p for p in pairs if p == ("-1", "-1")]
        missing_total += len(missing)
        assert len(missing) == len(shhq.MISSING_POINTS.get(image_id, ()))
        present = np.array([[float(x), float(y)] for x, y in pairs if (x, y) != ("-1", "-1")])
        beyond = (present[:, 0] > 128).any()
        assert beyond == (image_id == shhq.OUT_OF_WIDTH), stem
        if image_id == shhq.OUT_OF_WIDTH:
            present[:, 0] /= 2  # measured on a twice-as-wide reference
        assert present.min() >= 0 and (present[:, 1] < 256).all()
        # every labelled point lies on (or touches) the person
        mask = np.asarray(_image(files, stem, "segments", "png")) > 0
        padded = np.pad(mask, 2)
        for x, y in np.round(present).astype(int):
            assert padded[y : y + 5, x : x + 5].any(), (stem, x, y)
    assert missing_total >= 5


def test_existing_normaliser_keeps_all_but_the_truncated_image(demo, tmp_path):
    _, _, _, root = demo
    entries, side = DESCRIPTORS["shhq"].entries([root])
    assert [e["id"] for e in entries] == STEMS
    assert all(set(e["files"]) == {"image", "segments", "parsing"} for e in entries)
    records, quarantine = normalise_shard(
        "shhq", "000", entries, side, {"out_of_width": "drop"}, tmp_path / "o"
    )
    truncated = f"image_{shhq.TRUNCATED:06d}"
    assert [q["id"] for q in quarantine] == [truncated]
    assert "does not decode" in quarantine[0]["reason"]
    by_id = {r["id"]: r for r in records}
    assert sorted(by_id) == [s for s in STEMS if s != truncated]
    for stem, record in by_id.items():
        assert (record["image"]["width"], record["image"]["height"]) == (128, 256)
        status = record["shhq"]["keypoints_status"]
        out_of_width = stem == f"image_{shhq.OUT_OF_WIDTH:06d}"
        assert status == ("dropped_out_of_width" if out_of_width else "ok"), stem
    exif_id = f"image_{shhq.WITH_EXIF:06d}"
    exif = by_id[exif_id]["image"]
    assert exif["reencoded"] == "EXIF orientation 6 applied"
    cleaned = Image.open(io.BytesIO(store.image_bytes(tmp_path, by_id[exif_id])))
    assert not cleaned.getexif()
    bag = by_id[f"image_{2:06d}"]["shhq"]["parsing"]
    assert bag.startswith("o/all.tar::")  # the shard's container, named by its folder
    assert 15 in np.unique(np.asarray(store.open_image(tmp_path, bag)))


def test_rebuild_is_byte_identical(demo, tmp_path):
    out, paths, _, _ = demo
    again = shhq.build(tmp_path / "again", seed=0)
    assert again[0].read_bytes() == paths[0].read_bytes()
    other = shhq.build(tmp_path / "other", seed=1)
    assert other[0].read_bytes() != paths[0].read_bytes()
