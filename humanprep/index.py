"""List each dataset's items in its unpacked trees: one entry per item, files by role.

An entry is `{"id": ..., "files": {role: path}}`; dataset-level files (keypoint lists,
metadata, split files) are returned separately. Listings are sorted, so shards are stable.
"""

import re
from collections import defaultdict
from pathlib import Path, PurePosixPath

from humanprep import listing
from humanprep.errors import HumanprepError


def _entries(items):
    return [{"id": k, "files": dict(sorted(items[k].items()))} for k in sorted(items)]


def _one(paths, what, where):
    if len(paths) != 1:
        raise HumanprepError(where, f"expected exactly one {what}, found {len(paths)}")
    return paths[0]


def index_shhq(roots, side_files):
    items, side = defaultdict(dict), {}
    for root in map(Path, roots):
        base = _one(sorted(root.glob("*/no_segment")), "no_segment folder", root).parent
        for image in sorted((base / "no_segment").glob("*.jpg")):
            files = items[image.stem]
            files["image"] = str(image)
            for role in ("segments", "parsing"):
                for cand in sorted((base / role).glob(f"{image.stem}.*")):
                    files[role] = str(cand)
        side["keypoints"] = str(_one(sorted(base.glob("*ldmk*.txt")), "keypoint list", base))
    return _entries(items), side


def iter_fdh(roots):
    """FDH entries streamed: a WebDataset tar keeps a key's members together, so an entry
    is complete when the key changes (a key found again later yields a second, partial
    entry: the shard plan merges them)."""
    for root in map(Path, roots):
        key, files = None, {}
        for name, ref in listing.files(root):
            this, _, suffix = PurePosixPath(name).name.partition(".")
            if this != key:
                if key is not None:
                    yield {"id": key, "files": dict(sorted(files.items()))}
                key, files = this, {"tar": root.name}
            files[suffix.lower()] = ref
        if key is not None:
            yield {"id": key, "files": dict(sorted(files.items()))}


def index_fdh(roots, side_files):
    items = defaultdict(dict)
    for entry in iter_fdh(roots):
        items[entry["id"]].update(entry["files"])
    side = {Path(f).name: str(f) for f in side_files}
    return _entries(items), side


def index_deepfashion2(roots, side_files):
    items = {}
    for root in map(Path, roots):
        for image in sorted(root.glob("*/image/*.jpg")):
            split = image.parent.parent.name
            files = {"image": str(image)}
            anno = image.parent.parent / "annos" / f"{image.stem}.json"
            if anno.exists():
                files["annotation"] = str(anno)
            items[f"{split}/{image.stem}"] = files
    return _entries(items), {}


def index_huge100k(roots, side_files):
    items = {}
    for root in map(Path, roots):
        refs = dict(listing.files(root))
        for name in sorted(refs):
            video = PurePosixPath(name)
            if video.suffix != ".mp4" or video.parent.name != "videos":
                continue
            group = video.parent.parent
            files = {"video": refs[name]}
            for role, path in (
                ("reference", video.with_suffix(".jpg")),
                ("params", group / "param" / f"{video.stem}.npy"),
            ):
                if str(path) in refs:
                    files[role] = refs[str(path)]
            items[f"{group.parent.name}/{group.name}/{video.stem}"] = files
    return _entries(items), {}


CELEBA_MASK = re.compile(r"^(\d{5})_([a-z_]+)\.png$")


CELEBA_SIDE = (
    "CelebA-HQ-to-CelebA-mapping.txt",
    "CelebAMask-HQ-attribute-anno.txt",
    "CelebAMask-HQ-pose-anno.txt",
)


def index_celeba(roots, side_files):
    items, side = defaultdict(dict), {}
    for root in map(Path, roots):
        for name, ref in sorted(listing.files(root)):
            path = PurePosixPath(name)
            folder = path.parent.name
            if folder == "CelebA-HQ-img" and path.suffix == ".jpg":
                items[f"{int(path.stem):05d}"]["image"] = ref
            elif path.parent.parent.name == "CelebAMask-HQ-mask-anno" and path.suffix == ".png":
                match = CELEBA_MASK.match(path.name)
                if match:
                    items[match.group(1)][f"mask_{match.group(2)}"] = ref
            elif folder == "celeba-caption" and path.suffix == ".txt":
                items[f"{int(path.stem):05d}"]["captions"] = ref
            elif path.name in CELEBA_SIDE:
                side[path.name] = ref
            elif path.name == "filenames.pickle":
                side[f"{folder}/filenames.pickle"] = ref
    return _entries(items), side


INDEXERS = {
    "shhq": index_shhq,
    "fdh": index_fdh,
    "deepfashion2": index_deepfashion2,
    "huge100k": index_huge100k,
    "celeba": index_celeba,
}


def index_dataset(dataset, roots, side_files=()):
    """(entries, side) for a dataset's unpacked roots and its un-archived side files."""
    return INDEXERS[dataset](sorted(roots), sorted(side_files))


def iter_dataset(dataset, roots, side_files=()):
    """Like index_dataset, but FDH's entries (1.87M) come as a stream, unsorted."""
    if dataset == "fdh":
        return iter_fdh(sorted(roots)), {Path(f).name: str(f) for f in sorted(side_files)}
    return index_dataset(dataset, roots, side_files)
