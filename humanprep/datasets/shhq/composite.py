"""SHHQ images on a white background, cut out with their segment masks (as StyleGAN-Human
users train on them)."""

import io
from pathlib import Path

import numpy as np
from PIL import Image

from humanprep import store
from humanprep.io import atomic_dir, read_jsonl
from humanprep.progress import Progress


def on_white(rgb, mask):
    """Blend: mask 255 keeps the pixel, 0 gives white; values between blend linearly."""
    alpha = (mask.astype(np.uint16) if mask.ndim == 2 else mask[..., 0].astype(np.uint16))[
        ..., None
    ]
    out = (rgb.astype(np.uint16) * alpha + 255 * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)


def composite_shard(records_path, normalised_dir, out_dir, quality):
    """Each image with a segment mask on white, into the shard's containers (out_dir/
    <split>.tar); return one row per composite with its reference."""
    shard = Path(out_dir).name
    entries = []
    records = read_jsonl(records_path)
    progress = Progress(f"{shard}: composites", total=len(records))
    with atomic_dir(out_dir) as tmp, store.ShardWriter(tmp, shard) as writer:
        for record in records:
            progress.add()
            mask_ref = record["shhq"]["segment"]
            if mask_ref is None:
                continue
            rgb = store.record_image(normalised_dir, record)
            mask = store.open_image(normalised_dir, mask_ref, record["id"])
            buf = io.BytesIO()
            composite = on_white(np.asarray(rgb.convert("RGB")), np.asarray(mask.convert("L")))
            Image.fromarray(composite).save(buf, "JPEG", quality=quality)
            files = writer.item(record["id"])
            entry = {"id": record["id"], "split": record["split"]}
            entry["composite"] = files.write("composite.jpg", buf.getvalue())
            entries.append(writer.commit(files, entry))
    return entries
