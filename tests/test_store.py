"""The shard store: one tar per shard and split, records naming files by offset."""

import hashlib
import tarfile

import pytest

from humanprep import store
from humanprep.errors import HumanprepError


def _write(folder, items):
    """items: (id, split, {name: bytes}); returns the committed records."""
    out = []
    with store.ShardWriter(folder, "shard-00003") as writer:
        for item_id, split, files in items:
            held = writer.item(item_id)
            refs = {name: held.write(name, data) for name, data in files.items()}
            out.append(writer.commit(held, {"id": item_id, "split": split, "files": refs}))
    return out


def test_members_offsets_and_splits_agree_with_tarfile(tmp_path):
    shard = tmp_path / "shard-00003"
    shard.mkdir()
    records = _write(
        shard,
        [
            ("train/000001", "train", {"image.jpg": b"\xff\xd8jpeg", "mask.png": b"png" * 300}),
            ("val/000002", "val", {"image.jpg": b"x" * 513}),
            ("a" * 120, "train", {"image.jpg": b"long name"}),  # a pax header
        ],
    )
    assert sorted(p.name for p in shard.iterdir()) == ["train.tar", "val.tar"]
    with tarfile.open(shard / "train.tar") as tar:
        names = tar.getnames()
        data = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
        offsets = {m.name: m.offset_data for m in tar.getmembers()}
    key = store.item_key("train/000001")
    assert key == "train_000001-" + hashlib.sha256(b"train/000001").hexdigest()[:8]
    assert names[:3] == [f"{key}.image.jpg", f"{key}.mask.png", f"{key}.json"]
    ref = records[0]["files"]["mask.png"]
    assert ref == f"shard-00003/train.tar::{offsets[f'{key}.mask.png']}::900::{key}.mask.png"
    assert store.read(tmp_path, ref) == b"png" * 300
    long_ref = records[2]["files"]["image.jpg"]
    assert store.read(tmp_path, long_ref) == b"long name"
    # the record member holds the record with its references
    assert data[f"{key}.json"].decode().count("shard-00003/train.tar::") == 2
    assert store.read(tmp_path, records[1]["files"]["image.jpg"]) == b"x" * 513


def test_same_items_same_bytes(tmp_path):
    items = [("b", "train", {"image.png": b"1"}), ("a", "train", {"image.png": b"2"})]
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        _write(tmp_path / name, items)
    assert (tmp_path / "one/train.tar").read_bytes() == (tmp_path / "two/train.tar").read_bytes()


def test_a_cut_or_edited_container_is_named_and_removed(tmp_path):
    shard = tmp_path / "shard-00003"
    shard.mkdir()
    (rec,) = _write(shard, [("k1", "train", {"image.jpg": b"A" * 2000})])
    ref = rec["files"]["image.jpg"]
    tar = shard / "train.tar"
    blob = tar.read_bytes()
    tar.write_bytes(blob[:1500])
    with pytest.raises(HumanprepError, match=r"ends inside member k1.image.jpg.*item k1"):
        store.read(tmp_path, ref, "k1")
    assert not shard.exists()  # so that the next run rebuilds the shard
    shard.mkdir()
    tar.write_bytes(blob.replace(b"k1.image.jpg", b"k2.image.jpg", 1))
    with pytest.raises(HumanprepError, match=r"no valid tar header before it \(bad checksum\)"):
        store.read(tmp_path, ref)
    shard.mkdir()  # another shard's tar in its place: a valid header, another member
    _write(shard, [("k2", "train", {"image.jpg": b"B" * 2000})])
    with pytest.raises(HumanprepError, match="the header there names 'k2.image.jpg' of 2000"):
        store.read(tmp_path, ref)


def test_sha256_checked_for_the_image(tmp_path):
    shard = tmp_path / "shard-00003"
    shard.mkdir()
    (rec,) = _write(shard, [("k", "all", {"image.jpg": b"pixels"})])
    good = {"id": "k", "image": {"path": rec["files"]["image.jpg"]}}
    good["image"]["sha256"] = hashlib.sha256(b"pixels").hexdigest()
    assert store.image_bytes(tmp_path, good) == b"pixels"
    bad = {"id": "k", "image": {**good["image"], "sha256": "0" * 64}}
    with pytest.raises(HumanprepError, match="k.image.jpg does not match its sha256"):
        store.image_bytes(tmp_path, bad)


def test_a_quarantined_item_writes_nothing(tmp_path):
    with store.ShardWriter(tmp_path, "shard-00000") as writer:
        held = writer.item("bad")
        held.write("image.jpg", b"x")  # then the item is quarantined: never committed
    assert list(tmp_path.iterdir()) == []
