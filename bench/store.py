"""The shard store's container, measured: WebDataset tar against Parquet, and reading one
item file by its offset against reading a loose file.

    python bench/store.py [--items 2000] [--reads 2000] [--no-write]

Items are SHHQ-like (a 1024x512 JPEG, a 0/255 segment mask PNG, a parsing PNG) and
HuGe100K items normalised by the workflow's own normaliser (a demo item, and the same subject
re-encoded at the real 640x896). Each figure is the best of 3 runs, page cache warm (the
store is read right after it is written, as a stage reads the shard it waits for).
Prints a table and writes it to the "Store" section of bench/RESULTS.md.
"""

import argparse
import io
import os
import random
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from rehearse import write_results  # noqa: E402

from humanprep import store  # noqa: E402
from humanprep.datasets.huge100k import demo as huge100k  # noqa: E402
from humanprep.datasets.huge100k.normalise import normalise as normalise_huge100k  # noqa: E402
from humanprep.items import png_bytes  # noqa: E402

MARK = "<!-- bench/store.py -->"


def shhq_like(n):
    """n items' files: varied JPEGs (smooth colour fields with noise) and their masks."""
    rng = np.random.default_rng(0)
    items = []
    for i in range(n):
        pixels = rng.integers(0, 255, (64, 32, 3), dtype=np.uint8)
        pixels = np.asarray(Image.fromarray(pixels).resize((512, 1024), Image.Resampling.BICUBIC))
        noisy = np.clip(pixels.astype(np.int16) + rng.integers(-8, 8, pixels.shape), 0, 255)
        jpeg = io.BytesIO()
        Image.fromarray(noisy.astype(np.uint8)).save(jpeg, "JPEG", quality=90)
        mask = (pixels[..., 0] > 128).astype(np.uint8) * 255
        items.append(
            (
                f"image_{i:06d}",
                {
                    "image.jpg": jpeg.getvalue(),
                    "segment.png": png_bytes(mask, 1),
                    "parsing.png": png_bytes(mask // 255 * 7, 1),
                },
            )
        )
    return items


def write_tar(folder, items):
    refs = []
    with store.ShardWriter(folder, "shard-00000") as writer:
        for item_id, files in items:
            held = writer.item(item_id)
            record = {"id": item_id, "split": "train"}
            record["files"] = {name: held.write(name, data) for name, data in files.items()}
            refs.append(writer.commit(held, record)["files"])
    return refs


def write_parquet(path, items, rows_per_group=100):
    names = sorted(items[0][1])
    table = pa.table(
        {"id": [i for i, _ in items], **{n: [f[n] for _, f in items] for n in names}},
        schema=pa.schema([("id", pa.string())] + [(n, pa.binary()) for n in names]),
    )
    pq.write_table(table, path, row_group_size=rows_per_group, compression="none")


def write_loose(folder, items):
    for item_id, files in items:
        d = Path(folder, item_id)
        d.mkdir(parents=True)
        for name, data in files.items():
            (d / name).write_bytes(data)


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    Path(path).mkdir(parents=True)
    return path


def file_count(path):
    return sum(len(files) for _, _, files in os.walk(path))


def bytes_in(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def measure_containers(work, items, reads):
    payload = sum(len(d) for _, f in items for d in f.values())
    order = random.Random(0).sample(range(len(items)), min(reads, len(items)))
    rows = []
    tar_dir, loose_dir = work / "tar" / "shard-00000", work / "loose"
    parquet = work / "shard-00000.parquet"
    t_tar = best(lambda: write_tar(fresh(tar_dir), items))
    refs = write_tar(fresh(tar_dir), items)
    t_pq = best(lambda: write_parquet(parquet, items))
    t_loose = best(lambda: write_loose(fresh(loose_dir), items))
    base = tar_dir.parent

    def read_tar():
        for i in order:
            store.read(base, refs[i]["image.jpg"])

    pf = pq.ParquetFile(parquet)
    group = pf.metadata.row_group(0).num_rows

    def read_parquet():
        for i in order:
            pf.read_row_group(i // group, columns=["image.jpg"]).column(0)[i % group].as_py()

    def read_loose():
        for i in order:
            Path(loose_dir, items[i][0], "image.jpg").read_bytes()

    for name, t_write, folder, read in (
        ("WebDataset tar (humanprep.store)", t_tar, tar_dir, read_tar),
        ("Parquet, binary columns, 100 rows a group", t_pq, parquet, read_parquet),
        ("loose files, a folder per item", t_loose, loose_dir, read_loose),
    ):
        n_files = 1 if Path(folder).is_file() else file_count(folder)
        size = Path(folder).stat().st_size if Path(folder).is_file() else bytes_in(folder)
        t_read = best(read)
        rows.append((name, n_files, size / payload, t_write, t_read / len(order) * 1e6))
    return payload, rows


def encode_real_size(path, size=(640, 896)):
    """The first demo subject's 24 views rendered and encoded at the real size."""
    import cv2

    pose, _, colours = huge100k.subject_look(0, 0)
    front = huge100k.FRONT_VIEW[huge100k.SUBJECTS[0][2]]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*huge100k.FOURCC), 24, size)
    for i in range(huge100k.N_VIEWS):
        frame = huge100k.render_view(i, front, pose, size, colours)
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def huge100k_item_ratio(work):
    """Store bytes of one HuGe100K item (normalised by the workflow's own normaliser) against
    its shipped bytes: a demo item, and the same subject at the real size (640x896, 24
    frames; mp4v, as OpenCV here has no H.264 encoder)."""
    demo = fresh(work / "huge")
    huge100k.build(demo)
    with tarfile.open(demo / huge100k.ARCHIVE) as tar:
        tar.extractall(demo, filter="data")
    video = next(sorted(demo.rglob("*.mp4")).__iter__())
    stem = video.with_suffix("")
    files = {
        "reference": str(stem.with_suffix(".jpg")),
        "video": str(video),
        "params": str(Path(str(stem).replace("/videos/", "/param/") + ".npy")),
    }
    item_id = "/".join(video.relative_to(demo / "HuGe100K").with_suffix("").parts[:2])
    item_id += "/" + stem.name
    real_video = work / "real.mp4"
    encode_real_size(real_video)
    out = []
    for label, mp4 in (("demo item", video), ("real-size item", real_video)):
        entry = {"id": item_id, "files": {**files, "video": str(mp4)}}
        shipped = sum(Path(p).stat().st_size for p in entry["files"].values())
        folder = fresh(work / "h" / "shard-00000")
        with store.ShardWriter(folder, "shard-00000") as writer:
            held = writer.item(item_id)
            writer.commit(held, normalise_huge100k(entry, {}, held))
        stored = bytes_in(folder) - 1024  # less the tar's end-of-archive blocks
        out.append((label, shipped, stored))
    return out


def section(payload, rows, huge, items, reads):
    lines = [
        MARK,
        "",
        f"## Store (bench/store.py --items {items})",
        "",
        f"{items} SHHQ-like items (JPEG 1024x512 + two PNG masks), {payload / 1e6:.1f} MB of",
        f"files; best of 3, page cache warm. Read = one random item's image, {reads} draws.",
        "",
        "| container | files | bytes / payload | write s | read us/file |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, n_files, ratio, t_write, t_read in rows:
        lines.append(f"| {name} | {n_files} | {ratio:.3f} | {t_write:.2f} | {t_read:.0f} |")
    loose = rows[2][4]
    lines += [
        "",
        f"Reading one item file by offset: {rows[0][4]:.0f} us against {loose:.0f} us for a "
        f"loose file (ratio {rows[0][4] / loose:.2f}; reference: the loose file, target "
        "<= 1.5).",
        "",
        "| HuGe100K item | shipped bytes | store bytes | ratio | target |",
        "|---|---:|---:|---:|---|",
    ]
    for label, shipped, stored in huge:
        verdict = "PASS" if stored <= 1.1 * shipped else "MISS"
        lines.append(
            f"| {label} | {shipped:,} | {stored:,} | {stored / shipped:.3f} | <= 1.1 {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--reads", type=int, default=2000)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="store-bench-"))
    try:
        items = shhq_like(args.items)
        payload, rows = measure_containers(work, items, args.reads)
        huge = huge100k_item_ratio(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = section(payload, rows, huge, args.items, min(args.reads, args.items))
    print(text)
    if not args.no_write:
        write_results(text, MARK)


if __name__ == "__main__":
    main()
