"""Contact sheets: representative items of each dataset with their annotations drawn, each
dataset's by the `sheet.py` of its folder with these helpers.

A sheet function takes normalised records (and the folder their paths are relative to) and
returns a PIL image. Items are chosen by humanprep.report.sample (spread over splits and
categories, annotated first, ties by id), so a sheet only changes with the data.
"""

from humanprep import store
from humanprep.report import draw

TILE_HEIGHT = 256


def load(root, ref):
    """A picture of the store (humanprep.store), `ref` relative to `root`."""
    return store.open_image(root, ref)


def base_image(record, root, height=TILE_HEIGHT):
    """(the record's image scaled to `height`, scale factor)."""
    return draw.fit_height(store.record_image(root, record).convert("RGB"), height)


def sheet(tiles, title, columns):
    return draw.titled(draw.grid(tiles, columns), title)
