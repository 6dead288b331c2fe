"""Read a release in plain Python: a map-style dataset of (decoded image, record).

`len()` and integer indexing are all a torch `DataLoader` needs from a map-style dataset,
so it works there as it is (torch is never imported here).

Opening a split reads no records: an index of the split's rows (for each, its record
file, byte offset and length) is built once, in one streamed pass over the record files,
into a cache folder, and memory-mapped from then on; `ds[i]` reads one line and one file
(humanprep.store.read). Memory is bounded by the index on disk, not by the records.

Needs only NumPy and Pillow (`pip install humanprep` without extras); OpenCV only for
HuGe100K views (`ds.view(i, n)`: frame n of the item's video).
"""

import hashlib
import json
import os
import re
from pathlib import Path

from humanprep import store

# derived subset -> (folder its image references are relative to (None: the subset's
# own), the keys of the row's picture); fullbody rows are whole records
SUBSETS = {
    "fullbody": ("{dataset}", ("image", "path")),
    "sketch": (None, ("xdog",)),
    "composite": (None, ("composite",)),
    "views": ("{dataset}", None),  # the front view: frame `front_view` of the video
}
DECODES = ("pil", "numpy")
ROW = [("shard", "<u4"), ("offset", "<u8"), ("length", "<u4")]
CACHE_VERSION = "2"  # 2: unsplit data indexed as `train`
FLUSH_ROWS = 65_536  # index rows held per split before they are written


def cache_root():
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "humanprep"
    return Path(os.environ.get("HUMANPREP_CACHE") or default)


def shard_files(folder):
    return sorted(Path(folder).glob("shard-*[0-9].jsonl"))


def fingerprint(files):
    """What the index was built from: names, sizes and modification times."""
    h = hashlib.sha256(CACHE_VERSION.encode())
    for path in files:
        st = path.stat()
        h.update(f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


# the top-level `"split": "<name>"` of a record line (dumps: `, ` and `: ` separators); a
# JSON string cannot hold an unescaped quote, so one match is the record's own key
SPLIT = re.compile(rb'[{,] "split": "([A-Za-z0-9_-]*)"')


def split_of(line):
    """A record line's split: found as text when it is there once, else parsed."""
    found = SPLIT.findall(line)
    return found[0].decode() if len(found) == 1 else json.loads(line)["split"]


def build_index(files, out):
    """One pass over the record files: `<split>.npy` (rows of ROW, in file and line order)
    per split and `splits.json`, written into the folder `out` (renamed into place)."""
    import numpy as np

    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    handles, pending = {}, {}

    def flush(split):
        handles[split].write(np.array(pending[split], dtype=ROW).tobytes())
        pending[split] = []

    try:
        for number, path in enumerate(files):
            with open(path, "rb") as fh:
                offset = 0
                for line in fh:
                    if line.strip():
                        split = hf_split(split_of(line))
                        if split not in handles:
                            handles[split] = open(tmp / f"{split}.bin", "wb")  # noqa: SIM115
                            pending[split] = []
                        pending[split].append((number, offset, len(line)))
                        if len(pending[split]) >= FLUSH_ROWS:
                            flush(split)
                    offset += len(line)
        counts = {}
        for split, fh in handles.items():
            flush(split)
            fh.close()
            rows = np.memmap(tmp / f"{split}.bin", dtype=ROW, mode="r")
            counts[split] = len(rows)
            np.save(tmp / f"{split}.npy", rows)
            del rows
            (tmp / f"{split}.bin").unlink()
        (tmp / "splits.json").write_text(json.dumps({"splits": counts}))
        try:
            os.replace(tmp, out)
        except OSError:
            if not (out / "splits.json").exists():
                raise  # not another process's index (DataLoader workers build it too)
    finally:
        for fh in handles.values():
            fh.close()
        if tmp.exists():
            for path in tmp.iterdir():
                path.unlink()
            tmp.rmdir()
    return out


def index_of(folder):
    """The cache folder holding the index of a folder's record files (built if needed)."""
    files = shard_files(folder)
    out = cache_root() / "index" / fingerprint(files)
    if not (out / "splits.json").exists():
        build_index(files, out)
    return out, files


class ReleaseDataset:
    """Items of one dataset (or derived subset) and split of a release folder."""

    def __init__(self, folder, split, base, keys, decode="pil", empty_ok=False):
        import numpy as np

        if decode not in DECODES:
            raise ValueError(f"decode must be one of {DECODES}, not {decode!r}")
        self.folder, self.base, self.keys, self.decode = Path(folder), Path(base), keys, decode
        index, files = index_of(folder)
        splits = json.loads((index / "splits.json").read_text())["splits"]
        self.files = [str(p) for p in files]
        if split in splits:
            self.rows = np.load(index / f"{split}.npy", mmap_mode="r")
        elif empty_ok:  # a derived subset with nothing in this split
            self.rows = np.zeros(0, dtype=ROW)
        else:
            hint = "; data without splits is `train`, as in the Hugging Face view"
            raise ValueError(
                f"{folder}: no split {split!r} (has {sorted(splits)})" + hint * (split == "all")
            )

    def __getstate__(self):
        """Pickled for a DataLoader worker: the index is mapped again there, not copied."""
        state = dict(self.__dict__)
        if getattr(self.rows, "filename", None):  # not an empty subset's
            state["rows"] = (self.rows.filename, self.rows.offset, self.rows.shape)
        return state

    def __setstate__(self, state):
        import numpy as np

        rows = state.pop("rows")
        self.__dict__.update(state)
        if isinstance(rows, tuple):
            filename, offset, shape = rows
            rows = np.memmap(filename, dtype=ROW, mode="r", offset=offset, shape=shape)
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def record(self, index):
        """The record (or derived row) of item `index`, as in the release."""
        shard, offset, length = self.rows[index].tolist()
        with open(self.files[shard], "rb") as fh:
            fh.seek(offset)
            return json.loads(fh.read(length))

    def _decoded(self, image):
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        if self.decode == "numpy":
            import numpy as np

            return np.asarray(image)
        return image

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range ({len(self)} items)")
        row = self.record(index)
        if self.keys is None:  # a views row: its front view
            return self.view(index, row["front_view"], row), row
        ref = row
        for key in self.keys:
            ref = ref[key]
        if self.keys == ("image", "path"):
            image = store.record_image(self.base, row)
        else:
            image = store.open_image(self.base, ref, row["id"])
        return self._decoded(image), row

    def view(self, index, view, row=None):
        """View `view` of an item with a video of views (or of a views row): frame `view` of
        its video, decoded with OpenCV."""
        from PIL import Image

        from humanprep.video import view as frame

        row = row or self.record(index)
        # a views row names its video; a record, in its dataset's part (the folder's name)
        video = row["video"] if "video" in row else row[self.folder.name]["video"]
        data = store.read(self.base, video, row["id"])
        try:
            return self._decoded(Image.fromarray(frame(data, view)))
        except ModuleNotFoundError as err:
            if err.name != "cv2":
                raise
            raise ModuleNotFoundError(
                "views decode the video with OpenCV: pip install 'humanprep[video]'",
                name="cv2",
            ) from None

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def hf_split(split):
    """The split name of a record's split: data without splits (records' `all`) is `train`,
    as in the Hugging Face view (`datasets` reserves `all` for the union of splits)."""
    return "train" if split == "all" else split


def _release_root(release_dir, dataset):
    root = Path(release_dir)
    if not root.is_dir() or not ((root / "manifest.json").is_file() or (root / dataset).is_dir()):
        what = "is not a release (no manifest.json)" if root.exists() else "does not exist"
        raise ValueError(f"{root}: {what}; give a release folder, releases/<name>-<version>")
    if not (root / dataset).is_dir():
        present = sorted(p.parent.name for p in root.glob("*/shard-*[0-9].jsonl"))
        present = sorted(set(present))
        raise ValueError(
            f"{root}: no items of dataset {dataset!r} in this release (empty or not selected;"
            f" see its README.md); datasets with items: {', '.join(present) or 'none'}"
        )
    return root


def load(release_dir, dataset, split, subset=None, decode="pil"):
    """The (image, record) items of `dataset` (or its derived `subset`) in `split`.

    `split` is `train`, `val` or `test`; data without splits (whose records say split
    `all`) is `train`, as in the Hugging Face view. Derived rows carry their item's split;
    a derived subset with no rows in the split is an empty dataset. Images decode to Pillow
    images, or to numpy arrays with decode="numpy": H x W x 3 uint8 for RGB pictures, H x W
    for grayscale ones (the sketch subset's maps); records are as in the release.
    """
    root = _release_root(release_dir, dataset)
    if subset is None:
        folder, base, keys = root / dataset, root / dataset, ("image", "path")
    else:
        if subset not in SUBSETS:
            raise ValueError(f"unknown subset {subset!r}: one of {sorted(SUBSETS)}")
        relative, keys = SUBSETS[subset]
        folder = root / "derived" / f"{dataset}-{subset}"
        base = root / relative.format(dataset=dataset) if relative else folder
    if subset is None and not shard_files(folder):
        raise ValueError(f"{folder}: no records of {dataset!r} in this release")
    return ReleaseDataset(folder, split, base, keys, decode, empty_ok=subset is not None)
