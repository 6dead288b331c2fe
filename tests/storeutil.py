"""Test helper: put hand-made files into a store container, as normalisation would, and get
the reference a record names them by (humanprep.store)."""

import io
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep import store
from humanprep.tarutil import TAR_FORMAT, tar_info


def put(root, shard, item_id, name, data, split="train"):
    """Append `data` as member `<key>.<name>` of `<root>/<shard>/<split>.tar` (created when
    absent); return its reference, relative to root."""
    container = store.container_name(shard, split)
    path = Path(root, container)
    path.parent.mkdir(parents=True, exist_ok=True)
    member = f"{store.item_key(item_id)}.{name}"
    with tarfile.open(path, "a" if path.exists() else "w", format=TAR_FORMAT) as tar:
        tar.addfile(tar_info(member, len(data)), io.BytesIO(data))
        offset = tar.offset - -(-len(data) // store.BLOCK) * store.BLOCK
    return store.make_ref(container, offset, len(data), member)


def put_png(root, shard, item_id, name, array, split="train"):
    buf = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buf, "PNG")
    return put(root, shard, item_id, name, buf.getvalue(), split)


def nowhere(shard, item_id, name, split="train"):
    """A reference to a file that no test reads (its COCO file_name is all that matters)."""
    member = f"{store.item_key(item_id)}.{name}"
    return store.make_ref(store.container_name(shard, split), 512, 0, member)
