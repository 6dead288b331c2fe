"""FDH in DeepPrivacy2's WebDataset layout, read back the way its FDH loader reads it
(hukkelas/deep_privacy2 dp2/data/datasets/fdh.py, dp2/data/utils.py): webdataset's shard
list and tar grouping, then its decode steps re-implemented in NumPy (the originals build
torch tensors): png_decoder, mask_decoder, kp_decoder, vertices_decoder, and its key renames."""

import hashlib
import io
import json
import tarfile

import numpy as np
import pytest
import webdataset as wds
from PIL import Image

from humanprep import store
from humanprep.datasets.fdh import deepprivacy2
from humanprep.io import write_jsonl

WIDTH, HEIGHT = 160, 288  # FDH's 288 x 160 (H x W)


def png_decoder(data):  # RGB, channels first
    with Image.open(io.BytesIO(data)) as im:
        return np.rollaxis(np.array(im.convert("RGB")), 2)


def mask_decoder(data):  # squeeze, [None], > 0
    return np.array(Image.open(io.BytesIO(data))).squeeze()[None] > 0


def kp_decoder(data):  # [0, 1] coordinates; v = labelled and inside
    keypoints = np.load(io.BytesIO(data)).astype(np.float32)
    outside = (keypoints[:, 0] < 0) | (keypoints[:, 0] > 1)
    outside |= (keypoints[:, 1] < 0) | (keypoints[:, 1] > 1)
    keypoints[:, 2] = (keypoints[:, 2] > 0) & ~outside
    return keypoints


def vertices_decoder(data):
    return np.load(io.BytesIO(data)).astype(np.int32).squeeze()[None]


DECODERS = {  # the loader's handle_extension table, with load_embedding=True
    "image.png": png_decoder,
    "mask.png": mask_decoder,
    "maskrcnn_mask.png": mask_decoder,
    "keypoints.npy": kp_decoder,
    "vertices.npy": vertices_decoder,
    "e_mask.png": mask_decoder,  # handle_extension("E_mask.png") compares lower-case
}
RENAME = {"img": "image.png", "mask": "mask.png", "keypoints": "keypoints.npy",
          "maskrcnn_mask": "maskrcnn_mask.png", "vertices": "vertices.npy",
          "E_mask": "e_mask.png", "__key__": "__key__"}  # fmt: skip


def dp2_samples(pattern):
    pipeline = wds.DataPipeline(wds.SimpleShardList(str(pattern)), wds.tarfile_to_samples())
    for raw in pipeline:
        decoded = {k: DECODERS[k](v) if k in DECODERS else v for k, v in raw.items()}
        yield {new: decoded[old] for new, old in RENAME.items()}


def png(array):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def fdh_release(root, n_train, n_val):
    """A release folder with FDH records and files as the release holds them: one shard,
    its files in a container per split (humanprep.store); each record's `files` (not in a
    real record) keeps the bytes written, to compare with."""
    rng = np.random.default_rng(0)
    records = []
    (root / "fdh" / "shard-00000").mkdir(parents=True)
    with store.ShardWriter(root / "fdh" / "shard-00000", "shard-00000") as writer:
        for i in range(n_train + n_val):
            key = f"{1000 + i:07d}"
            files = writer.item(key)
            image = png(rng.integers(0, 255, (HEIGHT, WIDTH, 3), np.uint8))
            mask = np.zeros((HEIGHT, WIDTH), np.uint8)
            mask[40 + i : 200, 30:130] = 255
            buf = io.BytesIO()
            np.save(buf, rng.integers(0, 27554, (1, HEIGHT, WIDTH)).astype(np.uint16))
            points = [[16.0 * (j % 9) + 8, 16.0 * j + 4, 2] for j in range(17)]
            points[3] = [0, 0, 0]
            record = {
                "dataset": "fdh",
                "id": key,
                "split": "train" if i < n_train else "val",
                "image": {
                    "path": files.write("image.png", image),
                    "width": WIDTH,
                    "height": HEIGHT,
                    "sha256": hashlib.sha256(image).hexdigest(),
                },
                "fdh": {
                    name: files.write(f"{name}.png", png(mask))
                    for name in ("mask", "maskrcnn_mask", "e_mask")
                },
            }
            record["fdh"]["vertices"] = files.write("vertices.npy", buf.getvalue())
            record["fdh"]["keypoints"] = points
            sent = dict(files.files)
            records.append({**writer.commit(files, record), "files": sent})
    write_jsonl(root / "fdh" / "shard-00000.jsonl", [without_files(r) for r in records])
    return records


def without_files(record):
    return {k: v for k, v in record.items() if k != "files"}


def test_loader_reads_every_sample_back(tmp_path):
    records = fdh_release(tmp_path, 5, 2)
    summary = deepprivacy2.export(tmp_path)
    assert summary == {
        "train": {"pattern": "train/out-{000000..000000}.tar", "samples": [5]},
        "val": {"pattern": "val/out-{000000..000000}.tar", "samples": [2]},
    }
    assert json.loads((tmp_path / "deepprivacy2/fdh/shards.json").read_text()) == summary
    root = tmp_path / "deepprivacy2" / "fdh"
    got = {}
    for split in ("train", "val"):
        for s in dp2_samples(root / summary[split]["pattern"]):
            got[s["__key__"]] = (split, s)
    assert sorted(got) == [r["id"] for r in records]
    for record in records:
        split, s = got[record["id"]]
        files = record["files"]
        assert split == record["split"]
        assert s["img"].shape == (3, HEIGHT, WIDTH) and s["img"].dtype == np.uint8
        image = Image.open(io.BytesIO(files["image.png"]))
        assert np.array_equal(s["img"], np.rollaxis(np.array(image), 2))
        for key in ("mask", "maskrcnn_mask", "E_mask"):
            assert s[key].shape == (1, HEIGHT, WIDTH) and s[key].dtype == bool
            assert s[key].sum() == (200 - 40 - int(record["id"]) + 1000) * 100
        assert s["vertices"].shape == (1, HEIGHT, WIDTH) and s["vertices"].dtype == np.int32
        assert np.array_equal(s["vertices"][0], np.load(io.BytesIO(files["vertices.npy"]))[0])
        kp = s["keypoints"]
        assert kp.shape == (17, 3)
        # back in pixels the keypoints are the record's; the unlabelled one stays unlabelled
        for (x, y, v), (px, py, pv) in zip(kp, record["fdh"]["keypoints"], strict=True):
            assert bool(v) == bool(pv)
            if pv:
                assert abs(x * WIDTH - px) < 1e-3 and abs(y * HEIGHT - py) < 1e-3


def test_members_keys_and_encodings(tmp_path):
    fdh_release(tmp_path, 1, 0)
    deepprivacy2.export(tmp_path)
    with tarfile.open(tmp_path / "deepprivacy2/fdh/train/out-000000.tar") as tar:
        names = tar.getnames()
        kp = np.load(io.BytesIO(tar.extractfile("0001000.keypoints.npy").read()))
    assert names == [
        "0001000.image.png",
        "0001000.mask.png",
        "0001000.maskrcnn_mask.png",
        "0001000.E_mask.png",  # FDH's own spelling
        "0001000.keypoints.npy",
        "0001000.vertices.npy",
    ]
    assert kp.dtype == np.float32 and kp.shape == (17, 3)
    assert kp[0].tolist() == pytest.approx([8 / WIDTH, 4 / HEIGHT, 1.0])
    assert kp[3].tolist() == [0, 0, 0]
    assert not (tmp_path / "deepprivacy2/fdh/val").exists()


def shard_writer_counts(tmp_path, samples, max_count, max_bytes):
    """Samples per shard when webdataset.ShardWriter itself writes the same members."""
    out = tmp_path / "wds"
    out.mkdir(exist_ok=True)
    with wds.ShardWriter(str(out / "out-%06d.tar"), maxcount=max_count, maxsize=max_bytes,
                         verbose=0) as writer:  # fmt: skip
        for members in samples:
            key = members[0][0].split(".", 1)[0]
            writer.write({"__key__": key, **{n.split(".", 1)[1]: d for n, d in members}})
    counts = []
    for path in sorted(out.glob("out-*.tar")):
        with tarfile.open(path) as tar:
            counts.append(len({n.split(".", 1)[0] for n in tar.getnames()}))
        path.unlink()
    return counts


@pytest.mark.parametrize("max_count, max_bytes", [(3, 10**9), (100, 150_000), (2, 150_000)])
def test_shards_cut_like_the_shard_writer(tmp_path, max_count, max_bytes):
    """Cut points agree with webdataset.ShardWriter's (a new shard before a sample once the
    current one holds max_count samples or max_bytes of member data)."""
    records = fdh_release(tmp_path, 7, 0)
    samples = [deepprivacy2.sample(without_files(r), tmp_path / "fdh") for r in records]
    expected = shard_writer_counts(tmp_path, samples, max_count, max_bytes)
    assert len(expected) > 1  # the limits do cut
    summary = deepprivacy2.export(tmp_path, max_count=max_count, max_bytes=max_bytes)
    assert summary["train"]["samples"] == expected
    last = f"{len(expected) - 1:06d}"
    assert summary["train"]["pattern"] == f"train/out-{{000000..{last}}}.tar"
    pattern = tmp_path / "deepprivacy2/fdh" / summary["train"]["pattern"]
    assert [s["__key__"] for s in dp2_samples(pattern)] == [r["id"] for r in records]


def test_default_limits_are_the_writers():
    assert deepprivacy2.MAX_COUNT == 3000 and deepprivacy2.MAX_BYTES == 200 * 2**20


def test_export_is_byte_identical(tmp_path):
    fdh_release(tmp_path, 3, 1)
    deepprivacy2.export(tmp_path)
    first = (tmp_path / "deepprivacy2/fdh/train/out-000000.tar").read_bytes()
    deepprivacy2.export(tmp_path)
    assert (tmp_path / "deepprivacy2/fdh/train/out-000000.tar").read_bytes() == first


def test_a_damaged_container_is_named(tmp_path):
    """An image whose bytes differ from the record's sha256: the export names the
    container, the member and the item in one line, never writes a wrong sample."""
    fdh_release(tmp_path, 2, 0)
    tar = tmp_path / "fdh" / "shard-00000" / "train.tar"
    data = bytearray(tar.read_bytes())
    start = data.index(b"\x89PNG")  # the first item's image
    data[start + 100] ^= 0xFF
    tar.write_bytes(bytes(data))
    with pytest.raises(store.StoreError, match="0001000.image.png does not match its sha256"):
        deepprivacy2.export(tmp_path)
