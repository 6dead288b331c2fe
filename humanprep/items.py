"""What every stage may need about one item: its safe file name, its output writer, the
errors that quarantine or remove it, and PNG bytes of its pixels.

Kept small and free of stage imports, so normalisers, derived stages, the release and the
report all import it without importing each other.
"""

import hashlib
import io
import re
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep.io import write_new

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
# Label maps and masks: level 1 measured fastest here, and they compress well anyway.
LABEL_PNG_LEVEL = 1


class BadItem(Exception):
    """This item's data is unusable; the message is the quarantine reason."""


class Removed(Exception):
    """This item must not be written at all (e.g. its author opted out); says why."""


def safe_name(item_id):
    """A file-system-safe, collision-free name for an item id."""
    name = _UNSAFE.sub("_", item_id)
    if name != item_id:
        name += "-" + hashlib.sha256(item_id.encode()).hexdigest()[:8]
    return name


class ItemWriter:
    """Writes one item's output files under <shard dir>/<safe id>/ and returns the paths
    relative to the dataset's normalised folder (what records store)."""

    def __init__(self, shard_dir, shard, item_id):
        self.root = Path(shard_dir, safe_name(item_id))
        self.prefix = Path(shard, safe_name(item_id))
        self.made = False

    def write(self, name, data):
        # the shard folder is an atomic_dir being filled: files go straight in (a
        # temporary file and a rename each cost 0.9 ms per file here, a third of an item)
        if not self.made:
            self.root.mkdir(parents=True, exist_ok=True)
            self.made = True
        write_new(self.root / name, data)
        return str(self.prefix / name)


def png_bytes(pixels, compress_level=6):
    """PNG bytes of a PIL image or a uint8 array. PIL writes no time or software chunks,
    so the bytes are stable; level 6 is PIL's default, label maps use 1 (fastest here)."""
    if not isinstance(pixels, Image.Image):
        pixels = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8))
    buf = io.BytesIO()
    pixels.save(buf, "PNG", compress_level=compress_level)
    return buf.getvalue()
