"""The Multi-Modal-CelebA-HQ demo: layout of both zips (docs/formats.md) read back with zipfile,
Info-ZIP, 7-Zip, Pillow and OpenCV, and rebuilt byte for byte."""

import io
import pickle
import re
import subprocess
import zipfile

import cv2
import numpy as np
import pytest
from PIL import Image

from humanprep.datasets.celeba import demo as celeba

IDS = [0, 1, 2, 3, 2000, 2001, 24000, 24001, 29998, 29999]
PARTS = (  # docs/formats.md, label order 1-18
    "skin", "nose", "eye_g", "l_eye", "r_eye", "l_brow", "r_brow", "l_ear", "r_ear", "mouth",
    "u_lip", "l_lip", "hair", "hat", "ear_r", "neck_l", "neck", "cloth",
)  # fmt: skip
MASK = re.compile(r"^CelebAMask-HQ/CelebAMask-HQ-mask-anno/(\d+)/(\d{5})_([a-z_]+)\.png$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("celeba")
    paths = celeba.build(out, seed=0)
    with zipfile.ZipFile(out / "CelebAMask-HQ.zip") as zf:
        images = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(out / "multimodal-celeba-hq.zip") as zf:
        text = {n: zf.read(n) for n in zf.namelist()}
    return out, paths, images, text


def masks_by_id(images):
    found = {k: {} for k in IDS}
    for name, data in images.items():
        if match := MASK.match(name):
            folder, k, part = int(match.group(1)), int(match.group(2)), match.group(3)
            assert folder == k // 2000, name
            found[k][part] = np.asarray(Image.open(io.BytesIO(data)))
    return found


def lines_of(images, name):
    return images[f"CelebAMask-HQ/{name}"].decode().splitlines()


def test_zip_layout_seen_by_unzip_and_7zz(demo):
    out, paths, images, text = demo
    assert [p.name for p in paths] == ["CelebAMask-HQ.zip", "multimodal-celeba-hq.zip"]
    listing = subprocess.run(
        ["unzip", "-Z1", str(out / "CelebAMask-HQ.zip")], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listing == sorted(images)
    expected_dirs = {"CelebAMask-HQ/", "CelebAMask-HQ/CelebA-HQ-img/"}
    expected_dirs |= {f"CelebAMask-HQ/CelebAMask-HQ-mask-anno/{d}/" for d in (0, 1, 12, 14)}
    assert expected_dirs <= {n for n in listing if n.endswith("/")}
    for k in IDS:
        assert f"CelebAMask-HQ/CelebA-HQ-img/{k}.jpg" in images
        assert f"text/celeba-caption/{k}.txt" in text
    for name in ("mapping", "attribute-anno", "pose-anno"):
        prefix = "CelebA-HQ-to-CelebA-" if name == "mapping" else "CelebAMask-HQ-"
        assert f"CelebAMask-HQ/{prefix}{name}.txt" in images
    assert {"train/filenames.pickle", "test/filenames.pickle"} <= set(text)
    for archive in paths:
        res = subprocess.run(["7zz", "t", str(archive)], capture_output=True, text=True)
        assert res.returncode == 0 and "Everything is Ok" in res.stdout, res.stdout
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                assert not info.flag_bits & 1, f"{info.filename} is encrypted"
                assert info.date_time == (2020, 1, 1, 0, 0, 0) and info.create_system == 3
                if not info.is_dir():
                    assert info.compress_type == zipfile.ZIP_DEFLATED


def test_images_are_256_jpegs(demo):
    _, _, images, _ = demo
    for k in IDS:
        data = images[f"CelebAMask-HQ/CelebA-HQ-img/{k}.jpg"]
        assert data[:3] == b"\xff\xd8\xff"
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        assert decoded.shape == (256, 256, 3)


def test_mask_files_only_for_present_parts_binary_128(demo):
    _, _, images, _ = demo
    found = masks_by_id(images)
    assert tuple(PARTS) == celeba.PARTS
    for k, masks in found.items():
        assert set(masks) == set(PARTS) - set(celeba.ABSENT[k]), k
        for part, mask in masks.items():
            # 3-channel like the real masks, white inside the part
            assert mask.shape == (128, 128, 3) and mask.dtype == np.uint8, (k, part)
            assert set(np.unique(mask)) == {0, 255}, (k, part)
            assert (mask == mask[..., :1]).all(), (k, part)
    # hand-picked cases: a bald face, a hat, glasses
    assert "hair" not in found[29998] and "hat" in found[2001] and "eye_g" in found[1]


def test_masks_pass_the_face_parsing_test_of_the_real_ones(demo):
    """The face-parsing scripts select a part's pixels with convert('P') == 225 (white in
    Pillow's web palette): that works on the demo's masks as on the real ones."""
    _, _, images, _ = demo
    name = "CelebAMask-HQ/CelebAMask-HQ-mask-anno/0/00000_skin.png"
    with Image.open(io.BytesIO(images[name])) as im:
        assert im.mode == "RGB"
        palette = np.asarray(im.convert("P"))
        rgb = np.asarray(im)
    assert set(np.unique(palette)) == {0, 225}
    assert np.array_equal(palette == 225, rgb[..., 0] == 255)


def test_parts_overlap_so_merge_order_matters(demo):
    _, _, images, _ = demo
    for k, masks in masks_by_id(images).items():
        stack = np.stack([m[..., 0] > 0 for m in masks.values()])
        assert (stack.sum(axis=0) >= 2).any(), k
        # the nose lies on the skin: merged in label order the nose (2) wins there
        assert (masks["skin"][masks["nose"][..., 0] > 0] == 255).all()


def test_captions_ten_lines_agree_with_attributes(demo):
    _, _, images, text = demo
    attributes = lines_of(images, "CelebAMask-HQ-attribute-anno.txt")
    names = attributes[1].split()
    for line in attributes[2:]:
        k = int(line.split()[0].removesuffix(".jpg"))
        values = dict(zip(names, map(int, line.split()[1:]), strict=True))
        captions = text[f"text/celeba-caption/{k}.txt"].decode().splitlines()
        assert len(captions) == 10 and all(c.strip() for c in captions)
        joined = " ".join(captions)
        assert ("eyeglasses" in joined) == (values["Eyeglasses"] == 1), k
        assert (" man " in f" {joined} ") == (values["Male"] == 1), k
        assert (values["Bald"] == 1) == (k == 29998)


def test_split_pickles_are_swapped_lists_of_strings(demo):
    _, _, _, text = demo
    train = pickle.load(io.BytesIO(text["train/filenames.pickle"]))
    test = pickle.load(io.BytesIO(text["test/filenames.pickle"]))
    assert all(isinstance(x, str) for x in train + test)
    assert celeba.SPLITS_SWAPPED
    # upstream quirk: the file named train lists ids 24000 and up
    assert sorted(train, key=int) == ["24000", "24001", "29998", "29999"]
    assert sorted(test, key=int) == ["0", "1", "2", "3", "2000", "2001"]
    assert text["train/filenames.pickle"][:2] == b"\x80\x02"  # pickle protocol 2


def test_mapping_one_based_file_names_straddle_splits(demo):
    _, _, images, _ = demo
    lines = lines_of(images, "CelebA-HQ-to-CelebA-mapping.txt")
    assert lines[0].split() == ["idx", "orig_idx", "orig_file"]
    rows = [line.split() for line in lines[1:]]
    assert [int(r[0]) for r in rows] == IDS
    for _, orig_idx, orig_file in rows:
        assert orig_file == f"{int(orig_idx) + 1:06d}.jpg"
    assert rows[2] == ["2", "162769", "162770.jpg"]
    assert {162769, 162770, 182636, 182637} <= {int(r[1]) for r in rows}


def test_attribute_and_pose_files(demo):
    _, _, images, _ = demo
    attributes = lines_of(images, "CelebAMask-HQ-attribute-anno.txt")
    assert attributes[0] == "10" and len(attributes) == 12
    names = attributes[1].split()
    assert len(names) == 40 and names[0] == "5_o_Clock_Shadow" and names[-1] == "Young"
    for k, line in zip(IDS, attributes[2:], strict=True):
        fields = line.split()
        assert fields[0] == f"{k}.jpg" and len(fields) == 41
        assert set(fields[1:]) <= {"1", "-1"}
    pose = lines_of(images, "CelebAMask-HQ-pose-anno.txt")
    assert pose[:2] == ["10", "Yaw Pitch Raw"] and len(pose) == 12
    for k, line in zip(IDS, pose[2:], strict=True):
        name, *angles = line.split()
        assert name == f"{k}.jpg" and len([float(a) for a in angles]) == 3


def test_rebuild_is_byte_identical(demo, tmp_path):
    _, paths, _, _ = demo
    again = celeba.build(tmp_path, seed=0)
    for a, b in zip(paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
