"""What every stage may need about one item: the errors that quarantine or remove it, and
PNG bytes of its pixels (its files are written through humanprep.store).

Kept small and free of stage imports, so normalisers, derived stages, the release and the
report all import it without importing each other.
"""

import io

import numpy as np
from PIL import Image

# Label maps and masks: level 6 writes half the bytes of level 1 for about 1 ms more per
# 1024x512 map (3.1 against 6.5 KB, 3.9 against 3.1 ms); the store keeps them for good.
LABEL_PNG_LEVEL = 6
# Materialised HuGe100K views (opt-in, 24 RGB frames an item): the fastest level.
VIEW_PNG_LEVEL = 1


class BadItem(Exception):
    """This item's data is unusable; the message is the quarantine reason."""


class Removed(Exception):
    """This item must not be written at all (e.g. its author opted out); says why."""


def png_bytes(pixels, compress_level=6):
    """PNG bytes of a PIL image or a uint8 array. PIL writes no time or software chunks,
    so the bytes are stable; level 6 is PIL's default, label maps use 1 (fastest here)."""
    if not isinstance(pixels, Image.Image):
        pixels = Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8))
    buf = io.BytesIO()
    pixels.save(buf, "PNG", compress_level=compress_level)
    return buf.getvalue()
