"""The timed work, each run in a fresh process so its peak memory is its own.

    python bench/jobs.py <job> <args.json>

Imports happen before the clock starts; the job prints one JSON line: the seconds its
work took (wall), and the process CPU seconds spent in it. The parent reads the peak RSS
of the whole process from wait4(). Each humanprep job has a bare counterpart (`ref_*`)
that does the same work on the same data in the most direct way.
"""

import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from humanprep.acquire.registry import digests  # noqa: E402
from humanprep.acquire.unpack import extract  # noqa: E402
from humanprep.coco import export  # noqa: E402
from humanprep.datasets.celeba.sketch import face_rgb, sketch_maps  # noqa: E402
from humanprep.io import read_jsonl, sha256_file  # noqa: E402
from humanprep.normalise.shard import normalise_shard, write_shard_outputs  # noqa: E402
from humanprep.settings import defaults  # noqa: E402
from humanprep.video import iter_frames as iter_views  # noqa: E402

cv2.setNumThreads(1)  # one core per job, as the workflow's jobs run


def hash_sha256_file(args):
    for path in args["files"]:
        sha256_file(path)


def hash_digests(args):
    for path in args["files"]:
        digests(path)


def unzip_extract(args):
    extract(args["zip"], args["out"], password=args.get("password"))


def normalise(args):
    for manifest in args["manifests"]:
        out = Path(args["out"], Path(manifest).stem)
        records, quarantine = normalise_shard(
            args["dataset"], out.name, read_jsonl(manifest), args["side"], {}, out
        )
        if quarantine:
            raise SystemExit(f"unexpected quarantine: {quarantine[:3]}")
        write_shard_outputs(records, quarantine, f"{out}.jsonl", f"{out}.quarantine.jsonl")


def ref_normalise(args):
    """Decode every image with Pillow; keep the main image's bytes (a copy) and re-encode
    the masks/label maps as PNG (level 1); copy the other files."""
    out = Path(args["out"])
    for manifest in args["manifests"]:
        with open(manifest, encoding="utf-8") as fh:
            entries = [json.loads(line) for line in fh]
        for entry in entries:
            folder = out / entry["id"]
            folder.mkdir(parents=True)
            for role, path in entry["files"].items():
                if role == "tar":
                    continue
                data = Path(path).read_bytes()
                target = folder / Path(path).name
                if role.endswith(".npy"):
                    target.write_bytes(data)
                    continue
                with Image.open(io.BytesIO(data)) as image:
                    image.load()
                    if role in ("image", "image.png"):
                        target.write_bytes(data)
                        continue
                    array = np.asarray(image)
                if array.ndim == 3:
                    array = array[..., 0]
                buf = io.BytesIO()
                Image.fromarray(array).save(buf, "PNG", compress_level=1)
                target.write_bytes(buf.getvalue())


def _rgb(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def sketch(args):
    """What the stage does per face: decode for the maps' size, then the four maps."""
    params = defaults("sketch")
    for path in args["paths"]:
        sketch_maps(face_rgb(Path(path).read_bytes(), params["size"]), params)


def ref_canny(args):
    for path in args["paths"]:
        gray = cv2.cvtColor(_rgb(path), cv2.COLOR_RGB2GRAY)
        cv2.Canny(gray, 100, 200, L2gradient=True)


def views(args):
    """What the stage does before encoding each view: decode, convert to RGB, count."""
    for path in args["paths"]:
        sum(1 for _ in iter_views(path))


def ref_videocapture(args):
    for path in args["paths"]:
        # one decoder thread, as the workflow's one-core jobs decode
        capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, 1])
        while capture.read()[0]:
            pass
        capture.release()


def coco_export(args):
    export("deepfashion2", args["records"], args["normalised"], args["out"])


def _coco_documents(args):
    """The COCO documents humanprep wrote (loaded before the clock starts)."""
    return {p.name: json.loads(p.read_text()) for p in sorted(Path(args["exported"]).iterdir())}


def _read_records(args, open_images):
    for path in args["records"]:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                if open_images:
                    with Image.open(Path(args["normalised"], record["image"]["path"])) as image:
                        image.size  # noqa: B018  (the published converter's one use of it)


def _dump(documents, out):
    Path(out).mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        with open(Path(out, name), "w", encoding="utf-8") as fh:
            json.dump(document, fh, sort_keys=True)


def ref_coco_stdlib(args, documents):
    _read_records(args, open_images=False)
    _dump(documents, args["out"])


def ref_coco_published(args, documents):
    _read_records(args, open_images=True)
    _dump(documents, args["out"])


PRELOAD = {"ref_coco_stdlib": _coco_documents, "ref_coco_published": _coco_documents}


def main():
    name, args_path = sys.argv[1], sys.argv[2]
    args = json.loads(Path(args_path).read_text())
    job = globals()[name]
    extra = [PRELOAD[name](args)] if name in PRELOAD else []
    with tempfile.TemporaryDirectory(prefix="bench-job-", dir=args.get("scratch")) as tmp:
        args.setdefault("out", str(Path(tmp, "out")))
        if "start_at" in args:  # several processes started together (two-core runs)
            time.sleep(max(0.0, args["start_at"] - time.time()))
        started, cpu0, start = time.time(), time.process_time(), time.perf_counter()
        job(args, *extra)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu0
        ended = time.time()
        shutil.rmtree(args["out"], ignore_errors=True)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "started": started, "ended": ended}))


if __name__ == "__main__":
    main()
