"""Time the DeepFashion2 COCO export on a synthetic full-size annotation set.

    .venv/bin/python bench/coco_records.py [--images 191961] [--shard-size 5000]

Writes synthetic normalised records (DeepFashion2 train: 191,961 images, 1-3 garments
each with a 4-8-point polygon, full landmark slices) as shard files into a temporary
folder, then times `humanprep.coco.export("deepfashion2", ...)` and prints the figure
(no image is opened: sizes come from the records). Peak RSS is printed too.
"""

import argparse
import math
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from humanprep.coco import export  # noqa: E402
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES  # noqa: E402
from humanprep.io import dumps  # noqa: E402
from humanprep.store import make_ref  # noqa: E402


def garment(rng, item, width, height):
    cat = rng.randint(1, 13)
    x1, y1 = rng.uniform(0, width / 2), rng.uniform(0, height / 2)
    x2, y2 = rng.uniform(x1 + 20, width), rng.uniform(y1 + 20, height)
    n = rng.randint(4, 8)
    poly = []
    for i in range(n):  # a convex-ish ring inside the box
        a = 6.283185 * i / n
        poly += [
            round((x1 + x2) / 2 + (x2 - x1) / 2 * 0.9 * math.cos(a), 1),
            round((y1 + y2) / 2 + (y2 - y1) / 2 * 0.9 * math.sin(a), 1),
        ]
    start, stop = LANDMARK_SLICES[cat]
    landmarks = [
        [round(rng.uniform(x1, x2), 1), round(rng.uniform(y1, y2), 1), rng.choice((1, 2))]
        if rng.random() < 0.8
        else [0, 0, 0]
        for _ in range(stop - start)
    ]
    return {
        "item": item,
        "category_id": cat,
        "category_name": CATEGORIES[cat],
        "style": rng.randint(0, 3),
        "bbox": [round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1)],
        "landmarks": landmarks,
        "segmentation": [poly],
        "scale": rng.randint(1, 3),
        "occlusion": rng.randint(1, 3),
        "zoom_in": rng.randint(1, 3),
        "viewpoint": rng.randint(1, 3),
        "fixes": [],
    }


def write_records(folder, n_images, shard_size, seed=0):
    rng = random.Random(seed)
    Path(folder).mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, n_images, shard_size):
        lines = []
        for number in range(start + 1, min(start + shard_size, n_images) + 1):
            width, height = rng.choice(((750, 1000), (468, 624), (800, 800)))
            garments = [garment(rng, i, width, height) for i in range(1, rng.randint(1, 3) + 1)]
            lines.append(
                dumps(
                    {
                        "dataset": "deepfashion2",
                        "id": f"train/{number:06d}",
                        "split": "train",
                        "image": {
                            # a reference into a shard's container (never read here)
                            "path": make_ref(
                                "shard/train.tar", 512, 0, f"train_{number:06d}.image.jpg"
                            ),
                            "width": width,
                            "height": height,
                            "sha256": "0" * 64,
                            "format": "jpeg",
                            "reencoded": None,
                        },
                        "license": {"id": "deepfashion2-research-only", "url": None},
                        "attribution": None,
                        "deepfashion2": {"source": "shop", "pair_id": number, "garments": garments},
                    }
                )
            )
        path = Path(folder, f"shard-{len(paths):05d}.jsonl")
        path.write_text("".join(lines))
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=191_961)
    parser.add_argument("--shard-size", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-coco-") as tmp:
        t0 = time.perf_counter()
        paths = write_records(Path(tmp, "records"), args.images, args.shard_size)
        t1 = time.perf_counter()
        summary = export("deepfashion2", paths, Path(tmp, "records"), Path(tmp, "coco"))
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in Path(tmp, "coco").glob("*.json"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = summary["counts"]
    print(f"synthetic records: {args.images} images in {t1 - t0:.1f} s")
    print(
        f"DeepFashion2 COCO export: {counts['images']} images, {counts['annotations']} "
        f"annotations, {len(summary['files'])} files, {size / 1e6:.0f} MB in {t2 - t1:.1f} s "
        f"(peak RSS {rss:.0f} MB)"
    )


if __name__ == "__main__":
    main()
