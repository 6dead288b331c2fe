"""SHHQ images on a white background, cut out with their segment masks (as StyleGAN-Human
users train on them)."""

import io
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep.io import atomic_dir, read_jsonl, write_bytes
from humanprep.items import safe_name
from humanprep.progress import Progress


def on_white(rgb, mask):
    """Blend: mask 255 keeps the pixel, 0 gives white; values between blend linearly."""
    alpha = (mask.astype(np.uint16) if mask.ndim == 2 else mask[..., 0].astype(np.uint16))[
        ..., None
    ]
    out = (rgb.astype(np.uint16) * alpha + 255 * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)


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
