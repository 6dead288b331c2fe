"""Stable integer ids for COCO images and annotations, derived from the record id only.

Nothing depends on the order records are read in, on shards or on what else is exported,
so an image keeps its id across splits, subsets (the full-body file reuses the ids of the
full export), re-runs and dataset versions.

Image ids: the descriptor's `coco_image_id` (in the dataset's folder), by default the item
id's decimal number ("0001234" -> 1234).

Annotation ids: image_id * 100 + index, the index chosen by the dataset's exporter (an item
number, a part or class label, 1 for the one person of an image). Indices are 1-99, so
annotation ids are never 0 (pycocotools treats a matched ground-truth id 0 as "no match").
"""

import functools
import re

from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError

_DIGITS = re.compile(r"^\d+$")
ANNOTATION_FACTOR = 100


def numeric_image_id(item_id):
    """The default scheme: the id's decimal number itself."""
    if not _DIGITS.match(item_id):
        raise HumanprepError(item_id, "id is not a decimal number")
    return int(item_id)


@functools.cache
def _image_id_function(dataset):
    return DESCRIPTORS[dataset].coco_image_id or numeric_image_id


def image_id(dataset, item_id):
    """The COCO image id of an item: its dataset's scheme (descriptor `coco_image_id`)."""
    return _image_id_function(dataset)(item_id)


def annotation_id(image_id_, index):
    if not 1 <= index < ANNOTATION_FACTOR:
        raise HumanprepError(image_id_, f"annotation index {index} outside 1-99")
    return image_id_ * ANNOTATION_FACTOR + index
