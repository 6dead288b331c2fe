"""FDH in DeepPrivacy2's WebDataset layout (`release.deepprivacy2: true`), the layout its FDH
loader reads (hukkelas/deep_privacy2: dp2/data/datasets/fdh.py, configs/datasets/fdh.py):

    deepprivacy2/fdh/train/out-000000.tar, out-000001.tar, ...
    deepprivacy2/fdh/val/out-000000.tar, ...

Point DeepPrivacy2 at it with BASE_DATASET_DIR=<release>/deepprivacy2 and set the shard
ranges in its config to the shards written: `deepprivacy2/fdh/shards.json` gives each
split's pattern (`train/out-{000000..NNNNNN}.tar`) and samples per shard. Its embedding map
`embed_map.torch` comes with the FDH download, not here.

Shards are cut as its writer (webdataset.ShardWriter, maxcount 3000, maxsize 200 MiB) cuts
them: a new shard starts before a sample when the current one already holds `max_count`
samples or `max_bytes` of member data. Each sample, keyed by the FDH id, holds:
- `image.png`: the RGB image (the normalised PNG bytes; anything else re-encoded as PNG);
- `mask.png`, `maskrcnn_mask.png`, `E_mask.png`: the 0/255 masks (the loader keeps > 0;
  E_mask in FDH's own spelling, which WebDataset reads back lower-case as `e_mask.png`);
- `keypoints.npy`: float32 (17, 3), x and y divided by the image width and height (its
  decoder wants [0, 1]), v 1 for a labelled point and 0 otherwise;
- `vertices.npy`: the CSE vertices as shipped.
Members are written in that order with fixed tar headers, so the shards are reproducible.
"""

import io
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep import store
from humanprep.io import read_jsonl, tmp_beside, write_json
from humanprep.tarutil import TAR_FORMAT, tar_info

MAX_COUNT = 3000
MAX_BYTES = 200 * 1024 * 1024
SPLITS = ("train", "val")
MASKS = (("mask", "mask.png"), ("maskrcnn_mask", "maskrcnn_mask.png"), ("e_mask", "E_mask.png"))


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def keypoints_unit(record):
    """The record's pixel keypoints as DeepPrivacy2's float32 (17, 3) in [0, 1]."""
    width, height = record["image"]["width"], record["image"]["height"]
    out = np.zeros((len(record["fdh"]["keypoints"]), 3), np.float32)
    for i, (x, y, v) in enumerate(record["fdh"]["keypoints"]):
        if v:
            out[i] = (x / width, y / height, 1.0)
    return out


def png_image(data):
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return data
    with Image.open(io.BytesIO(data)) as image:
        buf = io.BytesIO()
        image.convert("RGB").save(buf, "PNG")
        return buf.getvalue()


def sample(record, dataset_dir):
    """[(member suffix, bytes)] of one FDH record, in writing order, its files read from
    the release's shard containers (the image's sha256 checked)."""
    key = record["id"]
    if "." in key or "/" in key:
        raise ValueError(f"FDH id {key!r} cannot be a WebDataset key")
    fdh = record["fdh"]
    members = [("image.png", png_image(store.image_bytes(dataset_dir, record)))]
    for field, suffix in MASKS:
        if fdh.get(field):
            members.append((suffix, store.read(dataset_dir, fdh[field], key)))
    members.append(("keypoints.npy", npy_bytes(keypoints_unit(record))))
    members.append(("vertices.npy", store.read(dataset_dir, fdh["vertices"], key)))
    return [(f"{key}.{suffix}", data) for suffix, data in members]


class ShardWriter:
    """out-%06d.tar shards in `folder`, cut like webdataset.ShardWriter."""

    def __init__(self, folder, max_count=MAX_COUNT, max_bytes=MAX_BYTES):
        self.folder = Path(folder)
        self.max_count, self.max_bytes = max_count, max_bytes
        self.shards, self._tar, self._tmp = [], None, None
        self.count = self.size = 0

    def _next(self):
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"out-{len(self.shards):06d}.tar"
        self._tmp = tmp_beside(path)
        self._tar = tarfile.open(self._tmp, "w", format=TAR_FORMAT)  # noqa: SIM115 (close())
        self.shards.append({"path": path, "samples": 0})
        self.count = self.size = 0

    def write(self, members):
        if self._tar is None or self.count >= self.max_count or self.size >= self.max_bytes:
            self._next()
        for name, data in members:
            self._tar.addfile(tar_info(name, len(data)), io.BytesIO(data))
            self.size += len(data)
        self.count += 1
        self.shards[-1]["samples"] += 1

    def close(self):
        if self._tar is not None:
            self._tar.close()
            self._tmp.replace(self.shards[-1]["path"])
            self._tar = None


def export(release_dir, max_count=MAX_COUNT, max_bytes=MAX_BYTES):
    """Write deepprivacy2/fdh/{train,val}/out-NNNNNN.tar from the release's FDH records (shard
    files in order, records in file order) and shards.json; returns what shards.json holds:
    {split: {"pattern", "samples": per shard}}."""
    release_dir = Path(release_dir)
    dataset_dir = release_dir / "fdh"
    out = release_dir / "deepprivacy2" / "fdh"
    writers = {split: ShardWriter(out / split, max_count, max_bytes) for split in SPLITS}
    for records in sorted(dataset_dir.glob("shard-*[0-9].jsonl")):
        for record in read_jsonl(records):
            if record["split"] not in writers:
                raise ValueError(f"FDH {record['id']}: split {record['split']!r}")
            writers[record["split"]].write(sample(record, dataset_dir))
    summary = {}
    for split, writer in writers.items():
        writer.close()
        if writer.shards:
            last = len(writer.shards) - 1
            summary[split] = {
                "pattern": f"{split}/out-{{000000..{last:06d}}}.tar",
                "samples": [s["samples"] for s in writer.shards],
            }
    write_json(out / "shards.json", summary)
    return summary
