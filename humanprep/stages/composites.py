"""SHHQ images composited on white from their segment masks, for one shard."""

import io
import logging
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep.derive.composite import on_white
from humanprep.io import atomic_dir, read_jsonl, write_bytes, write_jsonl
from humanprep.items import safe_name
from humanprep.progress import Progress

log = logging.getLogger(__name__)


def _array(path, mode):
    with Image.open(path) as image:
        return np.asarray(image.convert(mode))


def composite_shard(records_path, normalised_dir, out_dir, quality):
    shard = Path(out_dir).name
    entries = []
    records = read_jsonl(records_path)
    progress = Progress(f"{shard}: composites", total=len(records))
    with atomic_dir(out_dir) as tmp:
        for record in records:
            progress.add()
            mask_path = record["shhq"]["segment"]
            if mask_path is None:
                continue
            rgb = _array(Path(normalised_dir, record["image"]["path"]), "RGB")
            mask = _array(Path(normalised_dir, mask_path), "L")
            buf = io.BytesIO()
            Image.fromarray(on_white(rgb, mask)).save(buf, "JPEG", quality=quality)
            name = f"{safe_name(record['id'])}.jpg"
            write_bytes(Path(tmp, name), buf.getvalue())
            entries.append({"id": record["id"], "composite": f"{shard}/{name}"})
    return entries


def main(smk):
    entries = composite_shard(
        smk.input.records, smk.params.normalised, smk.output.images, smk.params.quality
    )
    write_jsonl(smk.output.index, entries)
    log.info("%s: %d composites", smk.wildcards.shard, len(entries))
