"""Multi-Modal-CelebA-HQ: face image, merged 0-18 label map, 10 captions, CelebA split."""

import io
import logging
import pickle

import numpy as np

from humanprep import settings
from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.celeba.formats import N_CAPTIONS, PARTS, SPLIT_POLICIES, celeba_split
from humanprep.errors import HumanprepError
from humanprep.items import LABEL_PNG_LEVEL, BadItem, png_bytes
from humanprep.normalise.common import binary_mask, read_array, read_file, take_image

log = logging.getLogger(__name__)
LICENSE = DESCRIPTORS["celeba"].licence


def parse_mapping(lines, where):
    """`idx orig_idx orig_file` lines -> {idx: orig_idx}; orig_file must be orig_idx + 1."""
    mapping = {}
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0] == "idx":
            continue
        try:
            idx, orig_idx, orig_file = int(fields[0]), int(fields[1]), fields[2]
            orig_number = int(orig_file.split(".")[0])
        except (ValueError, IndexError):
            raise HumanprepError(where, f"line {number}: not `idx orig_idx orig_file`") from None
        if orig_number != orig_idx + 1:
            raise HumanprepError(
                where, f"line {number}: {orig_file} is not orig_idx {orig_idx} + 1"
            )
        mapping[idx] = orig_idx
    return mapping


class _ListOnly(pickle.Unpickler):
    """The split pickles hold plain lists of strings: refuse any global."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refused global {module}.{name}")


def load_split_pickle(path):
    with io.BytesIO(read_file(path, "split list")) as fh:  # a file, or a zip member
        try:
            names = _ListOnly(fh, encoding="latin1").load()
        except (pickle.UnpicklingError, EOFError) as err:
            raise HumanprepError(path, f"not a plain list of names: {err}") from None
    return {f"{int(str(n).split('.')[0]):05d}" for n in names}


def load_context(side_files, options):
    path = side_files["CelebA-HQ-to-CelebA-mapping.txt"]
    with io.StringIO(read_file(path, "mapping").decode("utf-8")) as fh:  # file or member
        mapping = parse_mapping(fh, path)
    published = {}
    for split in ("train", "test"):
        key = f"{split}/filenames.pickle"
        if key in side_files:
            published.update(dict.fromkeys(load_split_pickle(side_files[key]), split))
    policy = settings.options("normalise", "celeba", options)["split"]
    return {"mapping": mapping, "published": published, "split_policy": policy}


def merge_parts(masks, size):
    """Official merge: parts written in label order 1-18, later ones overwrite earlier."""
    label = np.zeros(size, dtype=np.uint8)
    for number, part in enumerate(PARTS, 1):
        if part in masks:
            label[masks[part] > 0] = number
    return label


def read_captions(path):
    try:
        content = read_file(path, "captions").decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadItem(f"captions are not UTF-8 text: {err}") from None
    lines = [s.strip() for s in content.splitlines()]
    lines = [s for s in lines if s]
    if len(lines) != N_CAPTIONS:
        raise BadItem(f"{len(lines)} captions, expected {N_CAPTIONS}")
    return lines


def normalise(entry, ctx, writer):
    files, key = entry["files"], entry["id"]
    idx = int(key)
    if idx not in ctx["mapping"]:
        raise BadItem("not in CelebA-HQ-to-CelebA-mapping.txt")
    if "captions" not in files:
        raise BadItem("no captions file")
    image = take_image(files["image"], writer)
    masks = {
        p: binary_mask(read_array(files[f"mask_{p}"], p)) for p in PARTS if f"mask_{p}" in files
    }
    if not masks:
        raise BadItem("no part masks")
    shapes = {m.shape for m in masks.values()}
    if len(shapes) != 1:
        raise BadItem(f"part masks differ in size: {sorted(shapes)}")
    label = merge_parts(masks, shapes.pop())
    orig_idx = ctx["mapping"][idx]
    policy = ctx["split_policy"]
    split = SPLIT_POLICIES[policy](orig_idx)
    return {
        "dataset": "celeba",
        "id": key,
        "split": split,
        "image": image,
        "license": LICENSE,
        "attribution": None,
        "celeba": {
            "label_map": writer.write("label_map.png", png_bytes(label, LABEL_PNG_LEVEL)),
            "parts": [p for p in PARTS if p in masks],
            "captions": read_captions(files["captions"]),
            "orig_idx": orig_idx,
            "celeba_split": celeba_split(orig_idx),
            "split_policy": policy,
            "published_split": ctx["published"].get(key),
        },
    }


class SplitCounts:
    """Items per split under each split rule, and the rule the records follow (summary)."""

    def __init__(self):
        self.policies = set()
        self.counts = {name: {} for name in SPLIT_POLICIES}

    def add(self, record):
        sub = record["celeba"]
        self.policies.add(sub.get("split_policy", "celeba"))
        for name, rule in SPLIT_POLICIES.items():
            split = rule(sub["orig_idx"])
            self.counts[name][split] = self.counts[name].get(split, 0) + 1

    def summary(self):
        return {
            "split_policy": ",".join(sorted(self.policies)) or None,
            "splits_by_policy": {k: dict(sorted(v.items())) for k, v in self.counts.items()},
        }
