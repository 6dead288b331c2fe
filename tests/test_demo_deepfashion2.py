"""The DeepFashion2 demo: three ZipCrypto zips in the real layout and annotation format
(docs/formats.md), read back with zipfile, Info-ZIP and 7-Zip, the planned full-body decisions
re-derived from the annotations, normalised, and rebuilt byte for byte."""

import io
import json
import shutil
import subprocess
import zipfile

import numpy as np
import pytest
from PIL import Image

from humanprep.datasets import DEMO_PASSWORDS, DESCRIPTORS
from humanprep.datasets.deepfashion2 import demo as df2
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES
from humanprep.normalise.shard import normalise_shard

PASSWORD = DEMO_PASSWORDS["deepfashion2"]
ITEM_KEYS = {"category_name", "category_id", "style", "bounding_box", "landmarks",
             "segmentation", "scale", "occlusion", "zoom_in", "viewpoint"}  # fmt: skip
COUNTS = {"train": 10, "validation": 5, "test": 3}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("df2")
    paths = df2.build(out, seed=0)
    root = tmp_path_factory.mktemp("df2-unpacked")
    files = {}
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            zf.setpassword(PASSWORD.encode())
            files.update({i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()})
            zf.extractall(root)
    return out, paths, files, root


def _docs(files):
    """{"train/000001": (annotation text, image (W, H))} for every annotated image."""
    docs = {}
    for name, data in files.items():
        if "/annos/" in name:
            split, _, stem = name.removesuffix(".json").split("/")
            image = Image.open(io.BytesIO(files[f"{split}/image/{stem}.jpg"]))
            docs[f"{split}/{stem}"] = (data.decode(), image.size)
    return docs


def _items(doc):
    numbers = sorted(int(k[4:]) for k in doc if k.startswith("item"))
    return [doc[f"item{n}"] for n in numbers]


def test_archives_layout_and_numbering(demo):
    _, paths, files, _ = demo
    assert [p.name for p in paths] == ["test.zip", "train.zip", "validation.zip"]
    for split, count in COUNTS.items():
        stems = [f"{i:06d}" for i in range(1, count + 1)]
        images = sorted(n for n in files if n.startswith(f"{split}/image/"))
        assert images == [f"{split}/image/{s}.jpg" for s in stems]
        annos = sorted(n for n in files if n.startswith(f"{split}/annos/"))
        assert annos == ([] if split == "test" else [f"{split}/annos/{s}.json" for s in stems])
    assert set(files) == {n for n in files if n.split("/")[0] in COUNTS}


def test_every_file_zipcrypto_and_independent_readers(demo):
    _, paths, _, _ = demo
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                assert bool(info.flag_bits & 1) == (not info.is_dir()), info.filename
                assert info.compress_type in (0, 8)
            some = next(i for i in zf.infolist() if not i.is_dir())
            with pytest.raises(RuntimeError, match="Bad password"):
                zf.read(some, pwd=b"wrong")
        if shutil.which("unzip"):
            ok = subprocess.run(["unzip", "-t", "-P", PASSWORD, str(path)], capture_output=True)
            assert ok.returncode == 0, ok.stdout
        if shutil.which("7zz"):
            ok = subprocess.run(["7zz", "t", f"-p{PASSWORD}", str(path)], capture_output=True)
            assert ok.returncode == 0 and b"Everything is Ok" in ok.stdout, ok.stdout
            bad = subprocess.run(["7zz", "t", "-pwrong", str(path)], capture_output=True)
            assert bad.returncode != 0


def test_images_decode_at_their_planned_sizes(demo):
    _, _, files, _ = demo
    for key, scene in df2.SCENES.items():
        split, stem = key.split("/")
        image = Image.open(io.BytesIO(files[f"{split}/image/{stem}.jpg"]))
        image.load()
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", scene[2]), key
    for i, size in enumerate(df2.TEST_SIZES, 1):
        assert Image.open(io.BytesIO(files[f"test/image/{i:06d}.jpg"])).size == size


def test_annotation_format(demo):
    _, _, files, _ = demo
    orders, categories, multi = set(), set(), 0
    zero, degenerate, outside = set(), [], set()
    for key, (text, (width, height)) in _docs(files).items():
        doc = json.loads(text)
        orders.add(tuple(k for k in doc if not k.startswith("item")))
        assert doc["source"] in ("shop", "user") and isinstance(doc["pair_id"], int)
        items = _items(doc)
        assert set(doc) == {"source", "pair_id"} | {f"item{n}" for n in range(1, len(items) + 1)}
        for n, item in enumerate(items, 1):
            orders.add(tuple(item))
            assert set(item) == ITEM_KEYS, key
            cid = item["category_id"]
            assert item["category_name"] == CATEGORIES[cid]
            categories.add(cid)
            start, stop = LANDMARK_SLICES[cid]
            marks = item["landmarks"]
            assert len(marks) == 3 * (stop - start), (key, n)
            assert set(marks[2::3]) <= {0, 1, 2}
            if not any(marks):
                zero.add((key, n))
            assert all(1 <= item[a] <= 3 for a in ("scale", "occlusion", "zoom_in", "viewpoint"))
            x1, y1, x2, y2 = item["bounding_box"]
            assert x1 < x2 and y1 < y2
            multi += len(item["segmentation"]) > 1
            for poly in item["segmentation"]:
                assert len(poly) % 2 == 0
                if len(poly) < 6:
                    degenerate.append((key, n))
            xs = [*marks[0::3], x1, x2, *(c for p in item["segmentation"] for c in p[0::2])]
            ys = [*marks[1::3], y1, y2, *(c for p in item["segmentation"] for c in p[1::2])]
            if min(xs) < 0 or min(ys) < 0 or max(xs) > width or max(ys) > height:
                outside.add(key)
    assert categories == set(CATEGORIES)
    assert zero == df2.ZERO_LANDMARKS
    assert degenerate == [df2.DEGENERATE_POLYGON]
    assert outside == {df2.OUTSIDE_IMAGE}
    assert multi >= 10
    assert len(orders) > 10  # key order varies between files and items


def test_shop_and_user_photos_pair_by_pair_id_and_style(demo):
    _, _, files, _ = demo
    styles = {}
    for text, _ in _docs(files).values():
        doc = json.loads(text)
        for item in _items(doc):
            if item["style"]:
                entry = styles.setdefault((doc["pair_id"], item["style"]), set())
                entry.add((doc["source"], item["category_id"]))
    shared = [v for v in styles.values() if {s for s, _ in v} == {"shop", "user"}]
    assert len(shared) >= 6
    assert all(len({c for _, c in v}) == 1 for v in styles.values())


def _rules(doc, height):
    """The reasons a plain full-body rule rejects an image (empty: accepted)."""
    items = _items(doc)
    reasons = set()
    if any(i["viewpoint"] == 1 for i in items):
        reasons.add("not_worn")
    if any(i["zoom_in"] == 3 for i in items):
        reasons.add("zoomed_in")
    if any(i["occlusion"] == 3 for i in items):
        reasons.add("occluded")
    cats = {i["category_id"] for i in items}
    if not (cats & {10, 11, 12, 13} or (cats & {1, 2, 3, 4, 5, 6} and cats & {7, 8, 9})):
        reasons.add("no_lower_garment")
    top = min(i["bounding_box"][1] for i in items)
    bottom = max(i["bounding_box"][3] for i in items)
    if (bottom - top) / height < 0.4:
        reasons.add("too_short")
    return reasons, top / height, bottom / height, (bottom - top) / height


def test_intended_decisions_follow_from_the_annotations(demo):
    _, _, files, _ = demo
    docs = _docs(files)
    assert set(df2.INTENDED) == set(docs)
    assert set(df2.INTENDED.values()) == set(df2.DECISIONS)
    assert list(df2.INTENDED.values()).count("accept") >= 2
    for key, (text, (_, height)) in docs.items():
        reasons, top, bottom, span = _rules(json.loads(text), height)
        intended = df2.INTENDED[key]
        assert reasons == (set() if intended == "accept" else {intended}), (key, reasons)
        if intended == "accept":
            assert span >= 0.55 and top >= 0.1 and bottom <= 0.9, (key, top, bottom)
        if intended == "too_short":
            assert span <= 0.35


def test_existing_normaliser_keeps_every_image(demo, tmp_path):
    _, _, _, root = demo
    entries, side = DESCRIPTORS["deepfashion2"].entries([root])
    assert len(entries) == 18 and side == {}
    assert entries[0]["id"] == "test/000001" and "annotation" not in entries[0]["files"]
    records, quarantine = normalise_shard("deepfashion2", "000", entries, side, {}, tmp_path / "o")
    assert quarantine == [] and len(records) == 18
    by_id = {r["id"]: r for r in records}
    assert {r["split"] for r in records} == {"train", "val", "test"}
    assert by_id["validation/000001"]["split"] == "val"
    fixed = {k for k, r in by_id.items() for g in r["deepfashion2"]["garments"] if g["fixes"]}
    assert fixed == {df2.OUTSIDE_IMAGE, df2.DEGENERATE_POLYGON[0]}
    key, item = df2.DEGENERATE_POLYGON  # its 2-point polygon (the last one) is dropped
    (planted,) = [g for g in by_id[key]["deepfashion2"]["garments"] if g["item"] == item]
    assert planted["fixes"] == [
        "polygon with fewer than 3 points dropped: "
        f"item{item} segmentation polygon {len(planted['segmentation'])} has 2"
    ]
    assert all(len(p) >= 6 for p in planted["segmentation"])
    garments = by_id["train/000002"]["deepfashion2"]["garments"]
    assert [g["category_id"] for g in garments] == [8, 2, 4]
    assert all(v == 0 for g in garments[2:] for _, _, v in g["landmarks"])


def test_rebuild_is_byte_identical(demo, tmp_path):
    _, paths, _, _ = demo
    again = df2.build(tmp_path / "again", seed=0)
    assert [p.name for p in again] == [p.name for p in paths]
    for a, b in zip(paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = df2.build(tmp_path / "other", seed=1)
    assert all(a.read_bytes() != b.read_bytes() for a, b in zip(paths, other, strict=True))


def test_garment_colours_repeat_across_a_pair(demo):
    """The same garment (pair, style) is painted alike in the shop and the user photo."""
    _, _, files, _ = demo
    docs = _docs(files)
    mean = {}
    for key, (text, _) in docs.items():
        if df2.INTENDED[key] in ("not_worn", "occluded", "zoomed_in"):
            continue
        split, stem = key.split("/")
        rgb = np.asarray(Image.open(io.BytesIO(files[f"{split}/image/{stem}.jpg"])), float)
        doc = json.loads(text)
        item = _items(doc)[0]
        # the centre of its last polygon (a lower leg, a thigh, a skirt, a dress): not covered
        poly = [p for p in item["segmentation"] if len(p) >= 6][-1]
        cx, cy = int(round(np.mean(poly[0::2]))), int(round(np.mean(poly[1::2])))
        mean.setdefault((doc["pair_id"], item["style"]), []).append(rgb[cy, cx])
    repeated = [v for v in mean.values() if len(v) > 1]
    assert repeated
    for values in repeated:
        assert np.abs(values[0] - values[1]).max() < 40


def test_fullbody_filter_reaches_the_planned_decisions(demo, tmp_path):
    from humanprep.datasets.deepfashion2.fullbody import filter_records

    _, _, _, root = demo
    entries, side = DESCRIPTORS["deepfashion2"].entries([root])
    records, _ = normalise_shard("deepfashion2", "000", entries, side, {}, tmp_path / "o")
    _, decisions = filter_records(records)
    got = {d["id"]: d["reason"] for d in decisions}
    for image_id, intended in df2.INTENDED.items():
        assert got[image_id] == ("accepted" if intended == "accept" else intended), image_id
    assert {got[i] for i in got if i.startswith("test/")} == {"no_annotation"}
