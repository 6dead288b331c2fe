"""Memory of humanprep.load on a split of FDH's published size: generated records (1.87M by
default, FDH-like: ~1 KB each, keypoints, masks and vertices references) in shards of
10,000, all naming the files of one real container, so the disk holds the records only.

    .venv/bin/python bench/loader.py [--items 1870000] [--reads 20000] [--folder DIR]

Each step runs in a fresh process and prints its peak RSS (ru_maxrss) and wall time:
building the index (the first open), opening it again (cached), and reading `--reads`
random items (record and decoded image). Target (issue 25): under 300 MB to open and
randomly index a 1.87M-record split.

Measured here (2 shared cores, niced), 1.87M records, 1.61 GB of JSON Lines: the first
open builds a 29.9 MB index in 117 s at a peak RSS of 66 MB; opening again takes 1.8 s and
20,000 random items (record + decoded 160x288 PNG, sha256 checked) 22 s, peak RSS 67 MB.
"""

import argparse
import hashlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

PER_SHARD = 10_000


def image_png():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (160, 288), (90, 120, 150)).save(buf, "PNG")
    return buf.getvalue()


def generate(folder, items):
    """records shard-NNNNN.jsonl (train), every record naming one container's files."""
    from humanprep import store
    from humanprep.io import dumps

    folder = Path(folder, "fdh")
    (folder / "shard-00000").mkdir(parents=True)
    data = image_png()
    with store.ShardWriter(folder / "shard-00000", "shard-00000") as writer:
        files = writer.item("0000000")
        refs = {n: files.write(n, data) for n in ("image.png", "mask.png", "vertices.npy")}
        base = writer.commit(files, {"id": "0000000", "split": "train", "refs": refs})["refs"]
    sha = hashlib.sha256(data).hexdigest()
    for shard in range(-(-items // PER_SHARD)):
        lines = []
        for n in range(shard * PER_SHARD, min(items, (shard + 1) * PER_SHARD)):
            record = {
                "dataset": "fdh",
                "id": f"{n:07d}",
                "split": "train",
                "license": {
                    "id": "CC-BY-2.0",
                    "url": "https://creativecommons.org/licenses/by/2.0/",
                },
                "attribution": {"author": f"user {n}", "title": "t", "source_url": f"u/{n}"},
                "image": {"path": base["image.png"], "sha256": sha, "width": 160, "height": 288},
                "fdh": {
                    "mask": base["mask.png"],
                    "vertices": base["vertices.npy"],
                    "keypoints": [[float(n % 160), float(k * 16), 2] for k in range(17)],
                },
            }
            lines.append(dumps(record))
        with open(folder / f"shard-{shard:05d}.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(lines)


STEP = """
import random, resource, sys, time
sys.path.insert(0, {repo!r})
import humanprep
start = time.perf_counter()
ds = humanprep.load({root!r}, "fdh", "train")
opened = time.perf_counter() - start
rng = random.Random(0)
start = time.perf_counter()
for _ in range({reads}):
    image, record = ds[rng.randrange(len(ds))]
read = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(len(ds), round(opened, 2), round(read, 2), round(peak, 1))
"""


def step(root, reads):
    code = STEP.format(repo=str(HERE.parent), root=str(root), reads=reads)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    items, opened, read, peak = out.stdout.split()
    return int(items), float(opened), float(read), float(peak)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_870_000)
    parser.add_argument("--reads", type=int, default=20_000)
    parser.add_argument("--folder", help="where to generate (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        os.environ["HUMANPREP_CACHE"] = str(Path(tmp, "cache"))
        start = time.perf_counter()
        generate(tmp, args.items)
        size = sum(p.stat().st_size for p in Path(tmp, "fdh").glob("*.jsonl"))
        print(f"generated {args.items} records ({size / 1e9:.2f} GB of JSON Lines) "
              f"in {time.perf_counter() - start:.0f} s")  # fmt: skip
        first = step(tmp, 0)
        print(f"first open (builds the index): {first[1]:.1f} s, peak RSS {first[3]:.0f} MB")
        again = step(tmp, args.reads)
        index = sum(p.stat().st_size for p in Path(tmp, "cache").rglob("*.npy"))
        print(f"open again (cached index, {index / 1e6:.1f} MB on disk): {again[1]:.2f} s; "
              f"{args.reads} random items (record + decoded image) in {again[2]:.1f} s; "
              f"peak RSS {again[3]:.0f} MB (target < 300 MB)")  # fmt: skip
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this driver (generating): {own:.0f} MB")


if __name__ == "__main__":
    main()
