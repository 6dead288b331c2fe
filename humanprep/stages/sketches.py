"""Canny, XDoG, photocopy and Sobel maps for every image of one normalised CelebA shard."""

import logging
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep.derive.sketch import MAPS, ink_fraction, sketch_maps
from humanprep.io import atomic_dir, read_jsonl, write_bytes, write_jsonl
from humanprep.items import png_bytes, safe_name
from humanprep.progress import Progress

log = logging.getLogger(__name__)


def sketch_shard(records_path, normalised_dir, out_dir, params):
    """Write <out_dir>/<safe id>/{canny,xdog,photocopy,sobel}.png; return one entry per
    image, with each map's ink fraction (share of line pixels)."""
    shard = Path(out_dir).name
    entries = []
    records = read_jsonl(records_path)
    progress = Progress(f"{shard}: sketches", total=len(records))
    with atomic_dir(out_dir) as tmp:
        for record in records:
            progress.add()
            with Image.open(Path(normalised_dir, record["image"]["path"])) as image:
                rgb = np.asarray(image.convert("RGB"))
            entry = {"id": record["id"], "size": params["size"], "ink": {}}
            for name, array in sketch_maps(rgb, params).items():
                entry["ink"][name] = round(ink_fraction(name, array), 4)
                rel = Path(shard, safe_name(record["id"]), f"{name}.png")
                write_bytes(Path(tmp, *rel.parts[1:]), png_bytes(array, compress_level=6))
                entry[name] = str(rel)
            entries.append(entry)
    return entries


def main(smk):
    entries = sketch_shard(
        smk.input.records, smk.params.normalised, smk.output.maps, smk.params.sketch
    )
    write_jsonl(smk.output.index, entries)
    log.info("%s: %d images, %d maps each", smk.wildcards.shard, len(entries), len(MAPS))
