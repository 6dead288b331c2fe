"""Read a release in plain Python: a map-style dataset of (decoded image, record).

`len()` and integer indexing are all a torch `DataLoader` needs from a map-style dataset,
so it works there as it is (torch is never imported here).
"""

from pathlib import Path

from humanprep.io import read_jsonl

# derived subset -> (folder of its rows, folder its image paths are relative to (None: the
# subset's own), the field naming the row's picture); fullbody rows are whole records
SUBSETS = {
    "fullbody": ("derived/{dataset}-fullbody", "{dataset}", ("image", "path")),
    "sketch": ("derived/{dataset}-sketch", None, ("xdog",)),
    "composite": ("derived/{dataset}-composite", None, ("composite",)),
    "views": ("derived/{dataset}-views", "{dataset}", ("front_image",)),
}
DECODES = ("pil", "numpy")


def _field(row, keys):
    for key in keys:
        row = row[key]
    return row


def _rows(folder):
    return [r for p in sorted(Path(folder).glob("shard-*[0-9].jsonl")) for r in read_jsonl(p)]


class ReleaseDataset:
    """Items of one dataset (or derived subset) and split of a release folder."""

    def __init__(self, items, decode="pil"):
        if decode not in DECODES:
            raise ValueError(f"decode must be one of {DECODES}, not {decode!r}")
        self.items = items  # [(image path, record)]
        self.decode = decode

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        from PIL import Image

        path, record = self.items[index]
        with Image.open(path) as im:
            image = im.convert("RGB") if im.mode not in ("RGB", "L") else im.copy()
        if self.decode == "numpy":
            import numpy as np

            image = np.asarray(image)
        return image, record

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def hf_split(split):
    """The split name of a record's split: data without splits (records' `all`) is `train`,
    as in the Hugging Face view (`datasets` reserves `all` for the union of splits)."""
    return "train" if split == "all" else split


def _release_root(release_dir, dataset):
    root = Path(release_dir)
    if not (root / "manifest.json").is_file():
        what = "does not exist" if not root.exists() else "is not a release (no manifest.json)"
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
    `all`) is `train`, as in the Hugging Face view. Derived rows take their item's split; a
    derived subset with no rows in the split is an empty dataset. Images decode to Pillow
    images, or to numpy arrays with decode="numpy": H x W x 3 uint8 for RGB pictures, H x W
    for grayscale ones (the sketch subset's maps); records are as in the release.
    """
    root = _release_root(release_dir, dataset)
    records = _rows(root / dataset)
    splits = {r["id"]: hf_split(r["split"]) for r in records}
    if subset is None:
        rows, base, keys = records, root / dataset, ("image", "path")
    else:
        if subset not in SUBSETS:
            raise ValueError(f"unknown subset {subset!r}: one of {sorted(SUBSETS)}")
        folder, base, keys = (
            x.format(dataset=dataset) if isinstance(x, str) else x for x in SUBSETS[subset]
        )
        rows = _rows(root / folder)
        base = root / (base or folder)
    items = [(base / _field(r, keys), r) for r in rows if splits.get(r["id"]) == split]
    if not items and split not in set(splits.values()):
        hint = "; data without splits is `train`, as in the Hugging Face view" * (split == "all")
        raise ValueError(
            f"{dataset}: no split {split!r} (has {sorted(set(splits.values()))}){hint}"
        )
    return ReleaseDataset(items, decode)
