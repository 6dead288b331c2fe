"""Stable integer ids for COCO images and annotations, derived from the record id only.

Nothing depends on the order records are read in, on shards or on what else is exported,
so an image keeps its id across splits, subsets (the full-body file reuses the ids of the
full export), re-runs and dataset versions.

Image ids:
- DeepFashion2 `<folder>/<NNNNNN>` (file numbers restart in every split):
  split code * 1,000,000 + number, with train 1, validation 2, test 3
  ("train/000123" -> 1000123, "validation/000123" -> 2000123).
- FDH: the numeric FDH key ("0001234" -> 1234).
- CelebA (Multi-Modal-CelebA-HQ): the CelebA-HQ index ("00042" -> 42; 0-29999).
- SHHQ: the number in `image_NNNNNN` ("image_000017" -> 17).

Annotation ids: image_id * 100 + index, the index being the DeepFashion2 item number
(item1 -> 1), the CelebA part label (1-18), the SHHQ parsing class (1-16), or 1 for the
one person of an FDH / SHHQ image. Indices are 1-99, so annotation ids are never 0
(pycocotools treats a matched ground-truth id 0 as "no match").
"""

import functools
import re

from humanprep.datasets import DESCRIPTORS, load
from humanprep.errors import HumanprepError

DF2_SPLIT_CODES = {"train": 1, "validation": 2, "val": 2, "test": 3}
DF2_NUMBER_LIMIT = 1_000_000
ANNOTATION_FACTOR = 100
_DF2 = re.compile(r"^(train|validation|val|test)/(\d+)$")
_SHHQ = re.compile(r"^image_(\d+)$")
_DIGITS = re.compile(r"^\d+$")


def deepfashion2_image_id(item_id):
    match = _DF2.match(item_id)
    if not match:
        raise HumanprepError(item_id, "DeepFashion2 id is not <split>/<number>")
    number = int(match.group(2))
    if number >= DF2_NUMBER_LIMIT:
        raise HumanprepError(item_id, f"image number {number} does not fit below 10^6")
    return DF2_SPLIT_CODES[match.group(1)] * DF2_NUMBER_LIMIT + number


def numeric_image_id(item_id):
    """FDH keys and CelebA-HQ indices: the decimal number itself."""
    if not _DIGITS.match(item_id):
        raise HumanprepError(item_id, "id is not a decimal number")
    return int(item_id)


def shhq_image_id(item_id):
    match = _SHHQ.match(item_id)
    if not match:
        raise HumanprepError(item_id, "SHHQ id is not image_<number>")
    return int(match.group(1))


@functools.cache
def _image_id_function(dataset):
    return load(DESCRIPTORS[dataset].coco_image_id)


def image_id(dataset, item_id):
    """The COCO image id of an item: its dataset's scheme (descriptor `coco_image_id`)."""
    return _image_id_function(dataset)(item_id)


def annotation_id(image_id_, index):
    if not 1 <= index < ANNOTATION_FACTOR:
        raise HumanprepError(image_id_, f"annotation index {index} outside 1-99")
    return image_id_ * ANNOTATION_FACTOR + index
