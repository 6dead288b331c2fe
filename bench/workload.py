"""The synthetic, scaled workload the benchmark measures (written once per run).

Every data set is demo-like (drawn by the demo builders in humanprep.demo) but scaled: a
few distinct items are drawn and their bytes repeated under new ids, so generating
thousands of items costs little while decoders still see real JPEG/PNG/H.264-like data.
"""

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from coco_records import write_records  # noqa: E402  (bench/coco_records.py)
from unpack_speed import PASSWORD, make_files, zip_with_pyzipper  # noqa: E402

from humanprep.acquire.unpack import native_tool  # noqa: E402
from humanprep.datasets.celeba import demo as celeba  # noqa: E402
from humanprep.datasets.fdh import demo as fdh  # noqa: E402
from humanprep.datasets.huge100k import demo as huge100k  # noqa: E402
from humanprep.datasets.shhq import demo as shhq  # noqa: E402
from humanprep.demo import figure  # noqa: E402
from humanprep.io import write_json, write_jsonl  # noqa: E402
from humanprep.items import png_bytes  # noqa: E402

# Items per data set at each size. "full" is thousands of images per image stage.
SIZES = {
    "quick": {
        "data_mb": 8,
        "fdh": 32,
        "shhq": 12,
        "faces": 8,
        "videos": 4,
        "coco": 500,
        "two_core_shard": 12,
    },
    "small": {
        "data_mb": 48,
        "fdh": 150,
        "shhq": 60,
        "faces": 40,
        "videos": 16,
        "coco": 2000,
        "two_core_shard": 200,
    },
    "full": {
        "data_mb": 1024,
        "fdh": 5000,
        "shhq": 2000,
        "faces": 2000,
        "videos": 400,
        "coco": 191_961,
        "two_core_shard": 1000,
    },
}
DISTINCT = 8  # distinct drawings per data set; the rest repeat their bytes
SHHQ_SCALE = 4  # the demo's 128x256 people drawn at the real 512x1024
FACE_SIZE = 1024  # CelebA-HQ faces at their real size


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


ZIP_LEVEL = 1  # deflate level of the built zips: fastest to build; inflate speed barely varies


def zip_zipcrypto(tool, archive, files):
    """7-Zip builds the ZipCrypto zip; the password goes on stdin (asked twice)."""
    subprocess.run(
        [tool, "a", "-tzip", "-mem=ZipCrypto", f"-mx={ZIP_LEVEL}", "-p", "-bso0", "-bsp0"]
        + [str(archive), *map(str, files)],
        input=f"{PASSWORD}\n{PASSWORD}\n".encode(),
        check=True,
    )


def archives(root, data_mb):
    """Files of random and text bytes (data_mb in all) and the three zips of them."""
    files = make_files(root / "files", data_mb)
    zips = {"plain": root / "plain.zip", "aes": root / "aes.zip"}
    zip_with_pyzipper(zips["plain"], files, aes=False, level=ZIP_LEVEL)
    zip_with_pyzipper(zips["aes"], files, aes=True, level=ZIP_LEVEL)
    tool = native_tool()
    if tool:
        zips["zipcrypto"] = root / "zipcrypto.zip"
        zip_zipcrypto(tool, zips["zipcrypto"], files)
    return {
        "files": [str(f) for f in files],
        "zips": {k: str(v) for k, v in zips.items()},
        "password": PASSWORD,
    }


def fdh_items(root, n, seed=0):
    """An FDH shard of n items (288x160 PNGs, masks, CSE vertices) and metadata.json."""
    rng = np.random.default_rng(seed)
    licences = list(fdh.LICENCE_TARS)
    drawn = [sample_blobs(fdh.sample_members(i + 1, licences[i % 4], rng)) for i in range(DISTINCT)]
    entries, metadata = [], {}
    for number in range(1, n + 1):
        licence = licences[number % 4]
        key = fdh.key_of(number)
        files = {"tar": fdh.LICENCE_TARS[licence]}
        for role, data in drawn[number % DISTINCT].items():
            files[role.lower()] = _write(root / "unpacked" / licence / f"{key}.{role}", data)
        entries.append({"id": key, "files": dict(sorted(files.items()))})
        split = "val" if number % 10 == 0 else "train"
        metadata[str(number)] = fdh.metadata_entry(number, licence, split, "23456789@N01")
    write_json(root / "metadata.json", metadata)
    write_jsonl(root / "shard-00000.jsonl", entries)
    return {
        "manifest": str(root / "shard-00000.jsonl"),
        "side": {"metadata.json": str(root / "metadata.json")},
        "items": n,
        "bytes": _entry_bytes(entries),
    }


def sample_blobs(members):
    return {name.partition(".")[2]: data for name, data in members}


def _entry_bytes(entries):
    return sum(Path(p).stat().st_size for e in entries for k, p in e["files"].items() if k != "tar")


_SHHQ_DRAWN = {}


def shhq_drawings(seed):
    """DISTINCT SHHQ-like people at 512x1024: (jpeg, segments png, parsing png, joints)."""
    if seed not in _SHHQ_DRAWN:
        _SHHQ_DRAWN[seed] = _draw_shhq(np.random.default_rng(seed))
    return _SHHQ_DRAWN[seed]


def _draw_shhq(rng):
    out = []
    for k in range(DISTINCT):
        image_id = [1, 2, 3, 57, 1204, 1205, 9991, 31337][k]
        labels, joints = shhq.draw(image_id, rng)
        labels = cv2.resize(
            labels,
            (shhq.WIDTH * SHHQ_SCALE, shhq.HEIGHT * SHHQ_SCALE),
            interpolation=cv2.INTER_NEAREST,
        )
        rgb = figure.photo(labels, figure.random_colours(rng), rng)
        mask = np.where(labels > 0, 255, 0).astype(np.uint8)
        out.append(
            (
                figure.jpeg_bytes(rgb),
                png_bytes(mask),
                png_bytes(shhq.palette_rgb(labels)),
                np.asarray(joints) * SHHQ_SCALE,
            )
        )
    return out


def shhq_items(root, n, shards=1, seed=0):
    """SHHQ-like shards of n items each: image, segments, parsing, one keypoint list."""
    drawn = shhq_drawings(seed)
    base = root / "unpacked" / "SHHQ-1.0"
    lines, manifests, total = [], [], 0
    for s in range(shards):
        entries = []
        for number in range(s * n + 1, (s + 1) * n + 1):
            jpg, seg, parsing, joints = drawn[number % DISTINCT]
            stem = f"image_{number:06d}"
            files = {
                "image": _write(base / "no_segment" / f"{stem}.jpg", jpg),
                "segments": _write(base / "segments" / f"{stem}.png", seg),
                "parsing": _write(base / "parsing" / f"{stem}.png", parsing),
            }
            entries.append({"id": stem, "files": files})
            coords = " ".join(f"{x:.1f} {y:.1f}" for x, y in joints)
            lines.append(f"{stem}.jpg {coords}")
        total += _entry_bytes(entries)
        manifests.append(str(root / f"shard-{s:05d}.jsonl"))
        write_jsonl(manifests[-1], entries)
    keypoints = base / "merged_25pts_ldmk.txt"
    keypoints.write_text("\n".join(lines) + "\n")
    return {
        "manifests": manifests,
        "side": {"keypoints": str(keypoints)},
        "items": n * shards,
        "bytes": total,
    }


def faces(root, n, seed=0):
    """n CelebA-HQ-like 1024x1024 JPEG faces."""
    rng = np.random.default_rng(seed)
    drawn = []
    for k in celeba.IDS[:DISTINCT]:
        face = cv2.resize(
            celeba.face_image(k, rng), (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_CUBIC
        )
        buf = io.BytesIO()
        Image.fromarray(face).save(buf, "JPEG", quality=95)
        drawn.append(buf.getvalue())
    paths = [_write(root / f"{i:05d}.jpg", drawn[i % DISTINCT]) for i in range(n)]
    return {"paths": paths, "items": n, "bytes": sum(Path(p).stat().st_size for p in paths)}


VIDEO_SIZE = (640, 896)  # HuGe100K's real view size (the demo draws it at 1/4)


def _video_bytes(frames, size):
    """An mp4 written as the demo writes its videos (datasets/huge100k/demo.py), at `size`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp, "video.mp4"))
        fourcc = cv2.VideoWriter_fourcc(*huge100k.FOURCC)
        writer = cv2.VideoWriter(path, fourcc, huge100k.FPS, size)
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
        return Path(path).read_bytes()


def videos(root, n, seed=0):
    """n HuGe100K-like videos: 24 views of the demo's figure at the real 640x896."""
    rng = np.random.default_rng(seed)
    drawn = []
    for k in range(3):
        colours = huge100k.palette(rng)
        pose = "a-pose" if k else "diverse"
        frames = [
            huge100k.render_view(v, 0, pose, VIDEO_SIZE, colours) for v in range(huge100k.N_VIEWS)
        ]
        drawn.append(_video_bytes(frames, VIDEO_SIZE))
    paths = [_write(root / f"{i:05d}.mp4", drawn[i % len(drawn)]) for i in range(n)]
    return {
        "paths": paths,
        "items": n,
        "frames": n * huge100k.N_VIEWS,
        "bytes": sum(Path(p).stat().st_size for p in paths),
    }


def coco(root, n_images, shard_size=5000):
    """DeepFashion2-like normalised records (bench/coco_records.py) and tiny JPEGs of the
    recorded sizes at the records' image paths, for the open-every-image converter."""
    records = write_records(root / "records", n_images, shard_size)
    normalised = root / "normalised"
    jpeg = {}
    for path in records:
        for line in path.read_text().splitlines():
            image = json.loads(line)["image"]
            size = (image["width"], image["height"])
            if size not in jpeg:
                buf = io.BytesIO()
                Image.new("RGB", size, (128, 128, 128)).save(buf, "JPEG", quality=50)
                jpeg[size] = buf.getvalue()
            _write(normalised / image["path"], jpeg[size])
    return {
        "records": [str(p) for p in records],
        "normalised": str(normalised),
        "items": n_images,
        "bytes": sum(p.stat().st_size for p in records),
    }


def build(root, size):
    """Write the whole workload under root; return a JSON-able description of it."""
    counts = SIZES[size]
    root = Path(root)
    return {
        "size": size,
        "archives": archives(root / "archives", counts["data_mb"]),
        "fdh": fdh_items(root / "fdh", counts["fdh"]),
        "shhq": shhq_items(root / "shhq", counts["shhq"]),
        "two_core": shhq_items(root / "two_core", counts["two_core_shard"], shards=2),
        "faces": faces(root / "faces", counts["faces"]),
        "videos": videos(root / "videos", counts["videos"]),
        "coco": coco(root / "coco", counts["coco"]),
    }
