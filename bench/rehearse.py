"""A full-size rehearsal: all five datasets at S times their published item counts, in their
real layouts and file kinds, through the whole workflow.

    .venv/bin/python bench/rehearse.py --scale S [--dir DIR] [--cores 2] [--keep]

The raw archives are made by replicating the embedded demo's items under new ids, each main
picture blended with a colour pattern of its own so that copies are not near-duplicates of
each other (the demo's images are a quarter of the real sizes; the per-item cost at real
sizes comes from bench/item_cost.py, which measures it on items at the real sizes). Side files
that grow with the dataset are made at full size whatever S is: FDH's metadata.json (1.86M
entries), SHHQ's keypoint list, CelebA's mapping and annotation lists. Encrypted archives
stay encrypted (AES for SHHQ, ZipCrypto for DeepFashion2, with the demo's passwords).

The workflow runs twice, at S/10 and at S (`snakemake --cores N`, fresh copies), so that
every job's peak memory can be extrapolated to full size from its measured growth (linear in
the items, the method a shard job with a fixed number of items shows as flat). Writes, at
the end of bench/RESULTS.md, one row per stage: jobs, items, items/s/core, peak MB (measured
and extrapolated), disk bytes after the stage as a multiple of the raw bytes, and the wall
time extrapolated to full size on 2, 32 and 128 cores; then the targets: every job under 2 GB
at full size, a full-size dry run under 10 s, and the full build on one 32-core node.
"""

import argparse
import contextlib
import csv
import io
import json
import math
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from humanprep.acquire.registry import load_registry, registry_digest  # noqa: E402
from humanprep.acquire.unpack import extract  # noqa: E402
from humanprep.datasets import DATASETS, DEMO_PASSWORDS, DESCRIPTORS, PASSWORD_ENV  # noqa: E402
from humanprep.datasets.base import Descriptor  # noqa: E402
from humanprep.datasets.deepfashion2 import demo as demo_df2  # noqa: E402
from humanprep.datasets.fdh import demo as demo_fdh  # noqa: E402
from humanprep.datasets.shhq import demo as demo_shhq  # noqa: E402
from humanprep.demo.ziputil import write_zip  # noqa: E402
from humanprep.io import file_digests, sha256_file  # noqa: E402
from humanprep.stages.demo_archives import build_demo  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS_MD = REPO / "bench" / "RESULTS.md"
MARK = "<!-- bench/rehearse.py -->"
MEMORY_TARGET_MB = 2048
REAL_GB = 60 + 32 + 17 + 27 + 3  # FDH's four tars and CelebAMask-HQ.zip (FORMATS.md)
DRYRUN_TARGET_S = 10.0
NODE_CORES = 32
# Read buffers a streaming job fills once its input is large enough, not counted as growth.
BUFFER_MB = 64
# Peaks another benchmark measured at full size (MB), used instead of the extrapolation:
# dedup's multi-index count table grows in steps (2**16 to 2**24 entries, chosen by the
# item count) and one step falls between this script's two scales, so the straight line
# through them overstates it.
MEASURED_FULL_MB = {
    "dedup": (1595, "bench/dedup.py"),  # 2.5M fingerprints, PSS, 2 processes
    "index_archive": (232, "bench/tar_index.py, 5M members"),  # FDH's largest tar has 4.1M
}
FDH_TARS = {  # FORMATS.md: one tar per licence, published sample counts
    "cc-by-nc-sa-2.tar": 816_664,
    "cc-by-2.tar": 440_855,
    "cc-by-sa-2.tar": 236_633,
    "cc-by-nc-2.tar": 365_344,
}
DF2_SPLITS = {"train": 191_961, "validation": 32_153, "test": 62_629}
PUBLISHED = {
    "shhq": 40_000,
    "fdh": sum(FDH_TARS.values()),
    "deepfashion2": sum(DF2_SPLITS.values()),
    "huge100k": 100_000,
    "celeba": 30_000,
}
ITEM_COST = REPO / "bench" / "item_cost.json"


def real_seconds_per_item(path=ITEM_COST):
    """One core's normalise seconds per item at the real sizes, as bench/item_cost.py
    measured them (the rehearsal's quarter-size images run faster); a dataset it has not
    measured falls back to its descriptor's seconds_per_item, a planning figure with
    headroom, and says so."""
    measured = json.loads(path.read_text())["datasets"] if path.exists() else {}
    out = {}
    for d in PUBLISHED:
        if d in measured:
            out[d] = measured[d]["real_cpu_s_per_item"]
        else:
            out[d] = DESCRIPTORS[d].seconds_per_item
            print(f"rehearse.py: {d} is not in {path.name}: full-size normalise uses its "
                  f"descriptor's seconds_per_item ({out[d]:g} s)", file=sys.stderr)  # fmt: skip
    return out


REAL_SECONDS_PER_ITEM = real_seconds_per_item()
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "results", "releases", ".snakemake", "__pycache__", ".pytest_cache",
    ".ruff_cache", "*.egg-info",
)  # fmt: skip


def count(scale, published):
    return max(2, math.ceil(scale * published))


# ----------------------------------------------------------------------------------- raw data


def templates(demo_raw, tpl):
    """Each demo archive extracted (decrypted) into tpl/<dataset>/<archive stem>/."""
    for dataset in PUBLISHED:
        for archive in sorted(Path(demo_raw, dataset).iterdir()):
            if archive.suffix in (".zip", ".tar"):
                extract(archive, tpl / dataset / archive.stem, DEMO_PASSWORDS.get(dataset))


_TEMPLATES = {}


def varied(data, dataset, number):
    """The picture `data` (JPEG or PNG) blended with a coarse grey pattern drawn from
    (dataset, number): replicated items become different pictures. Copies of one picture
    would all be near-duplicates of each other, and the dedup stage would report n^2/k
    pairs for n items made from k demo pictures, which real data does not have."""
    import numpy as np
    from PIL import Image

    if data not in _TEMPLATES:
        try:
            with Image.open(io.BytesIO(data)) as image:
                _TEMPLATES[data] = (image.convert("RGB"), image.format)
        except (OSError, SyntaxError, ValueError):  # the demo's damaged pictures stay so
            _TEMPLATES[data] = None
    if _TEMPLATES[data] is None:
        return data
    template, fmt = _TEMPLATES[data]
    rng = np.random.default_rng([list(PUBLISHED).index(dataset), number])
    # a grey 8x8 grid: pHash looks at the luma's lowest 8x8 frequencies, dHash at 9x8 luma
    grey = rng.integers(0, 256, (8, 8), dtype=np.uint8)
    grid = Image.fromarray(np.repeat(grey[:, :, None], 3, axis=2))
    out = Image.blend(template, grid.resize(template.size, Image.Resampling.BILINEAR), 0.75)
    if fmt == "PNG":
        return png_rgb(np.asarray(out))
    buf = io.BytesIO()
    out.save(buf, fmt, quality=90)
    return buf.getvalue()


def png_rgb(pixels):
    """A plain 8-bit RGB PNG (no row filters, Huffman coding only): several times faster
    to write than Pillow's, which a rehearsal writing tens of thousands of pictures feels."""
    import zlib

    import numpy as np

    height, width, _ = pixels.shape
    rows = np.zeros((height, width * 3 + 1), np.uint8)  # filter byte 0 on each row
    rows[:, 1:] = pixels.reshape(height, -1)

    def chunk(kind, body):
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_HUFFMAN_ONLY)
    data = chunk(b"IDAT", packer.compress(rows.tobytes()) + packer.flush())
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + data + chunk(b"IEND", b"")


def _files(root):
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(Path(root).rglob("*"))
        if p.is_file()
    }


def make_shhq(tpl, raw, n):
    src = _files(tpl / "shhq" / "SHHQ-1.0")
    ids = sorted({m.group(1) for k in src if (m := re.search(r"no_segment/image_(\d{6})", k))})
    lines = {}
    for line in src["SHHQ-1.0/merged_25pts_ldmk.txt"].decode().splitlines():
        if line.strip():
            lines[line.split()[0]] = line
    members, ldmk = [], []
    for i in range(40_000):  # the keypoint list at full size
        old = ids[i % len(ids)]
        new = f"{i + 1:06d}"
        line = lines.get(f"image_{old}.jpg")
        if line:
            ldmk.append(line.replace(f"image_{old}", f"image_{new}", 1))
        if i >= n:
            continue
        for folder in ("no_segment", "segments", "parsing"):
            for name, data in src.items():
                if f"/{folder}/image_{old}." in name:
                    if folder == "no_segment":
                        data = varied(data, "shhq", i)
                    members.append((name.replace(f"image_{old}", f"image_{new}"), data))
    members.append(("SHHQ-1.0/merged_25pts_ldmk.txt", ("\n".join(ldmk) + "\n").encode()))
    path = raw / "shhq" / "SHHQ-1.0.zip"
    write_zip(path, members, password=DEMO_PASSWORDS["shhq"], encryption=demo_shhq.ENCRYPTION)
    return [(path, n, "zip")]


def make_fdh(tpl, raw, scale):
    samples = defaultdict(dict)
    for stem in sorted(p.name for p in (tpl / "fdh").iterdir()):
        for name, data in _files(tpl / "fdh" / stem).items():
            key, _, role = Path(name).name.partition(".")
            samples[(stem, key)][role] = data
    drawn = [samples[k] for k in sorted(samples) if len(samples[k]) == 6]
    out, number = [], 0
    for tar_name, published in FDH_TARS.items():
        n = count(scale, published)
        path = raw / "fdh" / tar_name
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
            for _ in range(n):
                number += 1
                for role, data in sorted(drawn[number % len(drawn)].items()):
                    if role == "image.png":
                        data = varied(data, "fdh", number)
                    info = tarfile.TarInfo(f"{demo_fdh.key_of(number)}.{role}")
                    info.size, info.mtime, info.mode = len(data), 0, 0o644
                    tf.addfile(info, io.BytesIO(data))
        out.append((path, n, "tar"))
    meta = raw / "fdh" / "metadata.json"
    cache = raw.parent / "metadata-full.json"
    if not cache.exists():
        write_metadata(cache)
    os.link(cache, meta)
    out.append((meta, 0, "file"))
    return out


def write_metadata(path):
    licences = list(demo_fdh.LICENCE_TARS)
    with open(path, "w", encoding="utf-8") as fh:  # full size: every published id
        fh.write("{")
        for i in range(1, PUBLISHED["fdh"] + 1):
            split = "val" if i % 10 == 0 else "train"
            entry = demo_fdh.metadata_entry(i, licences[i % 4], split, f"{i % 99991}@N01")
            fh.write(("," if i > 1 else "") + f'"{i}": ' + json.dumps(entry))
        fh.write("}")


def make_df2(tpl, raw, scale):
    out = []
    for k, (split, published) in enumerate(DF2_SPLITS.items()):
        n = count(scale, published)
        src = _files(tpl / "deepfashion2" / split)
        ids = sorted({m.group(1) for k in src if (m := re.search(r"image/(\d{6})\.jpg", k))})
        members = []
        for i in range(n):
            old, new = ids[i % len(ids)], f"{i + 1:06d}"
            for name, data in src.items():
                if re.search(rf"/{old}\.(jpg|json)$", name):
                    if name.endswith(".jpg"):
                        data = varied(data, "deepfashion2", k * 1_000_000 + i)
                    members.append((name.replace(f"/{old}.", f"/{new}."), data))
        path = raw / "deepfashion2" / f"{split}.zip"
        write_zip(path, members, password=DEMO_PASSWORDS["deepfashion2"],
                  encryption=demo_df2.ENCRYPTION)  # fmt: skip
        out.append((path, n, "zip"))
    return out


def make_huge100k(tpl, raw, n):
    src = _files(tpl / "huge100k" / "HuGe100K")
    items = sorted({k.rsplit(".", 1)[0] for k in src if k.endswith(".mp4")})
    path = raw / "huge100k" / "HuGe100K.tar"
    batches = [f"flux_batch{b}" for b in range(1, 10)] + ["deepfashion"]
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for i in range(n):
            video = items[i % len(items)]  # HuGe100K/<batch>/<group>/videos/<name>
            parts = video.split("/")
            name = re.sub(r"_\d+$", f"_{i + 1}", parts[-1])
            group = f"HuGe100K/{batches[i % 10]}/images{(i // 10) % 10}"
            old_base = "/".join(parts[:-2])
            for suffix, folder in ((".jpg", "videos"), (".mp4", "videos"), (".npy", "param")):
                data = src.get(f"{old_base}/{folder}/{parts[-1]}{suffix}")
                if data is None:
                    continue
                if suffix == ".jpg":
                    data = varied(data, "huge100k", i)
                info = tarfile.TarInfo(f"{group}/{folder}/{name}{suffix}")
                info.size, info.mtime, info.mode = len(data), 0, 0o644
                tf.addfile(info, io.BytesIO(data))
    return [(path, n, "tar")]


def make_celeba(tpl, raw, n):
    img = _files(tpl / "celeba" / "CelebAMask-HQ")
    txt = _files(tpl / "celeba" / "multimodal-celeba-hq")
    ids = sorted(int(m.group(1)) for k in img if (m := re.search(r"CelebA-HQ-img/(\d+)\.jpg", k)))
    base = "CelebAMask-HQ"
    members, text_members = [], []
    for k in range(n):
        old = ids[k % len(ids)]
        picture = varied(img[f"{base}/CelebA-HQ-img/{old}.jpg"], "celeba", k)
        members.append((f"{base}/CelebA-HQ-img/{k}.jpg", picture))
        prefix = f"{base}/CelebAMask-HQ-mask-anno/{old // 2000}/{old:05d}_"
        for name, data in img.items():
            if name.startswith(prefix):
                part = name[len(prefix) :]
                members.append((f"{base}/CelebAMask-HQ-mask-anno/{k // 2000}/{k:05d}_{part}", data))
        text_members.append((f"text/celeba-caption/{k}.txt", txt[f"text/celeba-caption/{old}.txt"]))
    side = {}  # full size: 30,000 lines each
    for name in ("CelebAMask-HQ-attribute-anno.txt", "CelebAMask-HQ-pose-anno.txt"):
        lines = img[f"{base}/{name}"].decode().splitlines()
        rows = {ln.split()[0]: ln.split(None, 1)[1] for ln in lines[2:]}
        body = [f"{k}.jpg {rows[f'{ids[k % len(ids)]}.jpg']}" for k in range(30_000)]
        side[name] = "\n".join(["30000", lines[1], *body]) + "\n"
    mapping = img[f"{base}/CelebA-HQ-to-CelebA-mapping.txt"].decode().splitlines()
    orig = [f"{k}  {k * 6}  {k * 6 + 1:06d}.jpg" for k in range(30_000)]
    side["CelebA-HQ-to-CelebA-mapping.txt"] = "\n".join([mapping[0], *orig]) + "\n"
    members += [(f"{base}/{name}", text.encode()) for name, text in side.items()]
    path = raw / "celeba" / "CelebAMask-HQ.zip"
    write_zip(path, members)
    for split, names in (("train", range(24_000)), ("test", range(24_000, 30_000))):
        blob = pickle.dumps([str(k) for k in names], protocol=2)
        text_members.append((f"{split}/filenames.pickle", blob))
    path2 = raw / "celeba" / "multimodal-celeba-hq.zip"
    write_zip(path2, text_members)
    return [(path, n, "zip"), (path2, 0, "zip")]


def make_raw(scale, scratch):
    demo, tpl, raw = scratch / "demo", scratch / "tpl", scratch / "raw"
    if not tpl.exists():
        build_demo(demo, list(PUBLISHED))
        templates(demo, tpl)
    shutil.rmtree(raw, ignore_errors=True)
    for d in PUBLISHED:
        (raw / d).mkdir(parents=True)
    made = {
        "shhq": make_shhq(tpl, raw, count(scale, PUBLISHED["shhq"])),
        "fdh": make_fdh(tpl, raw, scale),
        "deepfashion2": make_df2(tpl, raw, scale),
        "huge100k": make_huge100k(tpl, raw, count(scale, PUBLISHED["huge100k"])),
        "celeba": make_celeba(tpl, raw, count(scale, PUBLISHED["celeba"])),
    }
    return raw, made


def write_registry(folder, made, items_scale=None):
    """registry_dir/<dataset>.tsv of the made files; items_scale=full size counts."""
    folder.mkdir(parents=True, exist_ok=True)
    for dataset, files in made.items():
        lines = ["file\tsize\tsha256\tmd5\titems\tkind"]
        for path, items, kind in files:
            if items_scale is not None and items:
                items = items_scale(dataset, path, items)
            d = file_digests(path, ("sha256", "md5"))
            lines.append(
                f"{path.name}\t{path.stat().st_size}\t{d['sha256']}\t{d['md5']}\t{items}\t{kind}"
            )
        (folder / f"{dataset}.tsv").write_text("\n".join(lines) + "\n")


def full_items(dataset, path, items):
    if dataset == "fdh":
        return FDH_TARS[path.name]
    if dataset == "deepfashion2":
        return DF2_SPLITS[path.stem]
    return PUBLISHED[dataset]


def config_for(work, raw, registry, results):
    agreements = {}
    for d in PUBLISHED:
        agreements[d] = {
            "accepted_by": "humanprep rehearsal <bench@humanprep.invalid>",
            "accepted_on": "2026-11-28",
            "terms_sha256": sha256_file(REPO / "terms" / f"{d}.md"),
            "registry_sha256": registry_digest(load_registry(registry / f"{d}.tsv")),
        }
    cfg = {
        "demo": False,
        "raw_dir": str(raw),
        "results": str(results),
        "registry_dir": str(registry),
        "local_registry_dir": str(work / "local-registry"),
        "passwords_file": "",
        # the datasets this script makes; any other one the workflow knows stays off
        "datasets": {d: {"enabled": d in PUBLISHED} for d in DATASETS},
        "normalise": {"max_quarantine_fraction": 0.3},
        "composite": {"shhq": True},
        "agreements": agreements,
        "release": {"name": "humanprep-rehearsal", "version": "0.1.0"},
    }
    path = work / f"config-{registry.name}.json"
    path.write_text(json.dumps(cfg, indent=1))
    return path


# ----------------------------------------------------------------------------------- the runs


def env():
    out = dict(os.environ)
    for d, pw in DEMO_PASSWORDS.items():
        out[PASSWORD_ENV[d]] = pw
    return out


def snakemake(work, cfg, *args):
    cmd = [str(BIN / "snakemake"), "--configfile", str(cfg), *args]
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env())
    if res.returncode != 0:
        sys.exit(f"snakemake {' '.join(args)} failed:\n{res.stderr[-4000:]}")
    return time.perf_counter() - start


_SEEN = set()


def du(path):
    """Bytes on disk under path; a file hard-linked from an earlier stage counts once."""
    total = 0
    for folder, _, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                st = os.lstat(os.path.join(folder, f))
                if (st.st_dev, st.st_ino) not in _SEEN:
                    _SEEN.add((st.st_dev, st.st_ino))
                    total += st.st_blocks * 512
    return total


PEAK_LINE = re.compile(r"peak RSS (\d+) MB \(largest child (\d+) MB\), CPU ([\d.]+) s")


def job_log(results, tsv):
    """(peak MB, CPU s) a job's log gives (humanprep.runner.log_peak_memory), or None.
    Peak: the job's own plus its largest child's (an upper bound when a child ran)."""
    log = Path(results, "logs", tsv.relative_to(Path(results, "benchmarks"))).with_suffix(".log")
    found = PEAK_LINE.findall(log.read_text(errors="replace")) if log.exists() else []
    if not found:
        return None
    own, child, cpu = found[-1]
    return float(own) + float(child), float(cpu)


def benchmarks(results):
    """rule -> list of (dataset or subset, CPU seconds, peak MB) of every job: from its log
    (the kernel's counts), else from its benchmark: file (wall seconds, Snakemake's sampled
    max_rss) (benchmarks/<rule>/<dataset>/<job>.tsv, or benchmarks/<rule>/<dataset>.tsv)."""
    rows = defaultdict(list)
    base = Path(results, "benchmarks")
    for tsv in sorted(base.rglob("*.tsv")):
        parts = tsv.relative_to(base).parts
        rule = parts[0]
        dataset = parts[1] if len(parts) > 2 else Path(parts[1]).stem
        if dataset.startswith("shard-"):  # derived rules name their dataset by the rule
            dataset = DERIVED_DATASET.get(rule, dataset)
        with open(tsv) as fh:
            row = next(csv.DictReader(fh, delimiter="\t"))
        rss = float(row["max_rss"]) if row["max_rss"] not in ("-", "NA", "") else 0.0
        seconds = float(row["s"])
        exact = job_log(results, tsv)
        if exact is not None:
            rss, seconds = exact
        rows[rule].append((dataset, seconds, rss))
    return rows


def run_scale(scale, scratch, cores):
    """Make the data at `scale`, run the workflow; returns the measurements."""
    load = os.getloadavg()
    t0 = time.perf_counter()
    raw, made = make_raw(scale, scratch)
    made_s = time.perf_counter() - t0
    work = scratch / f"work-{scale:g}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO, work, ignore=IGNORE)
    registry = scratch / f"registry-{scale:g}"
    write_registry(registry, made)
    results = work / "results"
    cfg = config_for(work, raw, registry, results)
    wall = snakemake(work, cfg, "--cores", str(cores))
    load_end = os.getloadavg()
    items = {d: sum(i for _, i, _ in files) for d, files in made.items()}
    raw_bytes = sum(p.stat().st_size for files in made.values() for p, _, _ in files)
    unpacked = sum(
        _zip_bytes(p) for d, files in made.items() if PASSWORD_ENV[d] for p, _, _ in files
    )
    disk = disk_after_stages(work, raw_bytes, unpacked)
    raw_by = {d: sum(p.stat().st_size for p, _, _ in files) for d, files in made.items()}
    out = {"scale": scale, "items": items, "made_s": made_s, "wall_s": wall, "disk": disk,
           "per_dataset": per_dataset(work, raw_by), "files": file_counts(work),
           "bench": benchmarks(results), "work": str(work), "load": load,
           "load_end": load_end, "nice": os.nice(0)}  # fmt: skip
    (scratch / f"measured-{scale:g}.json").write_text(json.dumps(out, indent=1))
    return out


def disk_after_stages(work, raw_bytes, unpacked):
    _SEEN.clear()
    results = Path(work, "results")
    return {
        "raw": raw_bytes,
        "verify": du(results / "verified"),
        "index (read in place)": du(results / "indexed"),
        "extract (temporary, deleted after normalise)": unpacked,
        "plan_shards": du(results / "shards"),
        "normalise": du(results / "normalised"),
        "derived": du(results / "derived"),
        "coco": du(results / "coco"),
        "release": du(Path(work, "releases")),
    }


def _walk(paths):
    """(files, bytes on disk, bytes not hard-linked from results/) under the paths."""
    files = size = added = 0
    for root in paths:
        for folder, _, names in os.walk(root):
            for name in names:
                st = os.lstat(os.path.join(folder, name))
                files += 1
                size += st.st_blocks * 512
                added += st.st_blocks * 512 if st.st_nlink == 1 else 0
    return files, size, added


def per_dataset(work, raw_by):
    """Per dataset: raw bytes; files and bytes of its store, derived subsets and release
    part (a release file hard-linked to results/ adds no bytes)."""
    results, releases = Path(work, "results"), Path(work, "releases")
    out = {}
    for d, raw in raw_by.items():
        store = _walk([results / "normalised" / d])
        derived = _walk(sorted(results.glob(f"derived/{d}-*")))
        release = _walk(
            [p / d for p in releases.glob("*")] + sorted(releases.glob(f"*/derived/{d}-*"))
        )
        out[d] = {"raw": raw, "store": store, "derived": derived, "release": release}
    return out


def file_counts(work):
    """Files in results/ and releases/ (logs, benchmarks and receipts included), as
    directory entries and as distinct inodes (what a file quota counts: a release file
    hard-linked to results/ is one inode)."""
    counts = {name: _walk([Path(work, name)])[0] for name in ("results", "releases")}
    inodes = set()
    for name in ("results", "releases"):
        for folder, _, names in os.walk(Path(work, name)):
            inodes.update(os.lstat(os.path.join(folder, n)).st_ino for n in names)
    return {**counts, "inodes": len(inodes)}


def _zip_bytes(path):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def dry_run_full(scratch, raw_made):
    raw, made = raw_made
    work = scratch / "work-dry"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(REPO, work, ignore=IGNORE)
    registry = scratch / "registry-full"
    write_registry(registry, made, items_scale=full_items)
    cfg = config_for(work, raw, registry, work / "results")
    before = os.times()
    wall = snakemake(work, cfg, "-n", "--cores", str(NODE_CORES))
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


# ----------------------------------------------------------------------------------- report

STAGE_DATASET = {"index_archive", "extract", "verify", "plan_shards", "normalise"}


DERIVED_DATASET = {
    "composites": "shhq",
    "fullbody": "deepfashion2",
    "sketches": "celeba",
    "views": "huge100k",
}
SHARD_RULES = {"normalise", "sketches", "composites", "fullbody", "views"}
# One job over every dataset that holds one shard's records at a time (humanprep.release
# .build places shard by shard): its memory follows the largest shard, not the item total.
SHARD_STREAMING = {"release"}


def _dataset(key):
    return key.split("-")[0]


def _items(run, key):
    """Items behind a benchmark row: its dataset's, or all (release, reports)."""
    d = _dataset(key)
    return run["items"][d] if d in run["items"] else sum(run["items"].values())


def _largest_shard(run):
    """Items in the largest shard of a run (each dataset cut by its own shard size)."""
    return max(n / math.ceil(n / DESCRIPTORS[d].shard_size) for d, n in run["items"].items())


def _shard_size(key):
    """Items in one full-size shard job: the dataset's own shard size (no config sets one)."""
    d = _dataset(key)
    return DESCRIPTORS[d].shard_size if d in DESCRIPTORS else Descriptor.shard_size


def _published(key):
    d = _dataset(key)
    return PUBLISHED[d] if d in PUBLISHED else sum(PUBLISHED.values())


def memory_rows(small, big):
    """Per (rule, dataset): peak MB measured at S/10 and S and extrapolated to a full-size
    job, linearly
    in the items of one job between the two runs; growth within the read-buffer
    allowance (BUFFER_MB) is not counted as growth."""
    out = {}
    for rule, rows in big["bench"].items():
        for key in sorted({r[0] for r in rows}):
            mine = [r for r in rows if r[0] == key]
            theirs = [r for r in small["bench"].get(rule, []) if r[0] == key]
            peak = max(r[2] for r in mine)
            if not theirs:
                out[(rule, key)] = (None, peak, peak)
                continue
            per_job = _items(big, key) / len(mine)
            per_job_small = _items(small, key) / len(theirs)
            if rule in SHARD_STREAMING:
                per_job, per_job_small = _largest_shard(big), _largest_shard(small)
            growth = max(0.0, peak - max(r[2] for r in theirs) - BUFFER_MB)
            slope = growth / (per_job - per_job_small) if per_job > per_job_small else 0.0
            full_job = _shard_size(key) if rule in SHARD_RULES else _published(key) / len(mine)
            if rule in SHARD_STREAMING:
                full_job = max(DESCRIPTORS[d].shard_size for d in PUBLISHED)
            small_peak = max(r[2] for r in theirs)
            measured = MEASURED_FULL_MB.get(rule)
            full = measured[0] if measured else peak + slope * max(0.0, full_job - per_job)
            out[(rule, key)] = (small_peak, peak, full)
    return out


def full_seconds(small, big, rule):
    """CPU seconds of all jobs of `rule` at full size: per dataset, a fixed cost plus a cost
    per item fitted to the two runs (a job of a dataset-wide side file costs the same at
    every scale); rows of no dataset scale with S."""
    total = 0.0
    for key in {r[0] for r in big["bench"][rule]}:
        t_big = sum(r[1] for r in big["bench"][rule] if r[0] == key)
        t_small = sum(r[1] for r in small["bench"].get(rule, []) if r[0] == key)
        n_big, n_small = _items(big, key), _items(small, key)
        if not t_small or n_big <= n_small:
            total += t_big / big["scale"]
            continue
        per_item = max(0.0, (t_big - t_small) / (n_big - n_small))
        fixed = max(0.0, t_big - per_item * n_big)
        total += fixed + per_item * _published(key)
    return total


def report(small, big, dry, cores):
    S, s = big["scale"], small["scale"]
    dry_s, dry_cpu = dry
    total_items = sum(big["items"].values())
    memory = memory_rows(small, big)
    lines = [
        MARK,
        "",
        f"## Full-size rehearsal (bench/rehearse.py --scale {S:g})",
        "",
        f"All five datasets at {S:g}x their published item counts ({total_items} items; "
        f"side files at full size), demo items replicated (quarter-size images), run with "
        f"`snakemake --cores {cores}` under `nice -n {big.get('nice', 0)}` on this 2-core "
        f"machine shared with other work (load average {big['load'][0]:.1f} at the start, "
        f"{big.get('load_end', big['load'])[0]:.1f} at the end): {big['wall_s']:.0f} s, "
        f"data made in {big['made_s']:.0f} s; the run at {s:g} ({sum(small['items'].values())} "
        f"items) took {small['wall_s']:.0f} s. Each job's peak memory and CPU time are the "
        "kernel's counts (getrusage, logged by humanprep.runner), so a loaded machine "
        "stretches wall times but not these. Peak memory at full size: per rule and dataset, "
        "linear in "
        f"the items of one job between the runs at {s:g} and {S:g}, taken to a full-size job "
        "(a shard of the dataset's own shard_size for per-shard rules: 2000 items, FDH "
        f"{DESCRIPTORS['fdh'].shard_size}; the dataset's share for the others; growth "
        f"within {BUFFER_MB} MB is not counted; "
        + ", ".join(
            f"{r}: {mb} MB measured at full size, {source}"
            for r, (mb, source) in MEASURED_FULL_MB.items()
        )
        + "). Wall "
        "time at full size: per rule and dataset a fixed CPU cost plus a CPU cost per item "
        "fitted to the two runs (normalise: the per-item CPU at real image sizes, "
        "measured by bench/item_cost.py), divided by the cores (jobs are per shard or per "
        "file, so they spread). items/s/core: items over the jobs' CPU seconds. Disk: a "
        "file hard-linked from an earlier stage counts once; plan_shards "
        "holds FDH's metadata split into SQLite (~1 GB at any scale).",
        "",
        f"| stage | jobs | items | items/s/core | peak MB at {s:g} | peak MB at {S:g} | "
        "peak MB, full-size job | full size h, 2 / 32 / 128 cores |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    hours32 = 0.0
    for rule in sorted(big["bench"]):
        rows = big["bench"][rule]
        secs = sum(r[1] for r in rows)
        keys = {r[0] for r in rows}
        smalls = [memory[(rule, k)][0] for k in keys if memory[(rule, k)][0] is not None]
        small_peak = f"{max(smalls):.0f}" if smalls else "-"
        peak = max(memory[(rule, k)][1] for k in keys)
        full_peak = max(memory[(rule, k)][2] for k in keys)
        datasets = {_dataset(r[0]) for r in rows if _dataset(r[0]) in big["items"]}
        items = sum(big["items"][d] for d in datasets) if datasets else 0
        rate = f"{items / secs:.1f}" if items and secs else "-"
        if rule == "normalise":
            full_cpu = sum(PUBLISHED[d] * REAL_SECONDS_PER_ITEM[d] for d in datasets)
        else:
            full_cpu = full_seconds(small, big, rule)
        hours = [full_cpu / c / 3600 for c in (2, NODE_CORES, 128)]
        hours32 += hours[1]
        lines.append(
            f"| {rule} | {len(rows)} | {items or '-'} | {rate} | {small_peak} | {peak:.0f} "
            f"| {full_peak:.0f} "
            f"| {hours[0]:.2f} / {hours[1]:.2f} / {hours[2]:.3f} |"
        )
    worst_key, (_, _, worst) = max(memory.items(), key=lambda kv: kv[1][2])
    raw = big["disk"]["raw"]
    verify_s = sum(r[1] for r in big["bench"].get("verify", []))
    if verify_s:
        rate = raw / verify_s / 1e6
        lines += [
            "",
            f"Hashing ran at {rate:.0f} MB/s per core here; the real archives are far larger "
            f"than the rehearsal's replicas (FDH's tars alone ~{REAL_GB:.0f} GB, FORMATS.md): "
            f"verifying them takes ~{REAL_GB * 1e3 / rate / 3600:.1f} h of one core (one job "
            "per file, so up to 7 run side by side).",
        ]
    lines += [
        "",
        "Disk after each stage (bytes, and as a multiple of the raw input bytes):",
        "",
        "| stage | bytes | x raw |",
        "|---|---:|---:|",
    ]
    for stage, size in big["disk"].items():
        lines.append(f"| {stage} | {size} | {size / raw:.3f} |")
    lines += store_rows(big)
    ok = worst < MEMORY_TARGET_MB
    lines += [
        "",
        "| target | result |",
        "|---|---|",
        f"| peak memory of every job < 2 GB at full size (extrapolated) | "
        f"{'PASS' if ok else 'MISS'} (largest: {worst:.0f} MB, {' '.join(worst_key)}) |",
        f"| full-size dry run < {DRYRUN_TARGET_S:.0f} s (CPU time; wall time on this loaded "
        f"machine {dry_s:.1f} s) | {'PASS' if dry_cpu < DRYRUN_TARGET_S else 'MISS'} "
        f"({dry_cpu:.1f} s) |",
        f"| full build of all datasets on one {NODE_CORES}-core node | "
        f"{hours32:.1f} h (extrapolated, stages one after another) |",
        "",
        "Measured at full size by the other benchmarks (not extrapolated): the tar index "
        "pass over 5,000,000 members peaks at 232 MB (bench/tar_index.py); an FDH normalise "
        "job with the 1.87M-entry metadata.json at 43 MB, +3.3% over 1,000 entries "
        "(bench/fdh_metadata.py); planning FDH's shards holds no per-item list (67 MB for "
        "100,000 items, flat).",
        "",
    ]
    return "\n".join(lines)


def store_rows(big):
    """The store's cost per dataset: files per 100 items (at this scale and extrapolated
    to the published count with the same shard size) and disk as multiples of raw."""
    if "per_dataset" not in big:
        return []
    total = sum(big["items"].values())
    files = big["files"]
    lines = [
        "",
        f"Files: results/ {files['results']}, releases/ {files['releases']} for {total} items "
        f"({100 * (files['results'] + files['releases']) / total:.2f} per 100 items, logs and "
        f"benchmarks included), {files.get('inodes', '?')} distinct inodes, what a file quota "
        f"counts ({100 * files.get('inodes', 0) / total:.2f} per 100 items; target <= 1). "
        "Per dataset (store = results/normalised/<d>, "
        "derived = results/derived/<d>-*, release = its folders in the release; the release "
        "adds only what is not hard-linked to results/):",
        "",
        "| dataset | items | files / 100 items (store + derived + release) | files at the "
        "published count | raw bytes | store x raw | derived x raw | release adds x raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for d, row in sorted(big["per_dataset"].items()):
        n = big["items"][d]
        count = row["store"][0] + row["derived"][0] + row["release"][0]
        raw = row["raw"]
        lines.append(
            f"| {d} | {n} | {100 * count / n:.2f} | {count / n * PUBLISHED[d]:,.0f} | {raw} "
            f"| {row['store'][1] / raw:.3f} | {row['derived'][1] / raw:.3f} "
            f"| {row['release'][2] / raw:.3f} |"
        )
    return lines


def write_results(section, mark=MARK):
    """Replace a script's section of RESULTS.md (from its mark to the next section marker
    of another script, or the end), keeping the others."""
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    at = text.find(mark)
    if at < 0:
        RESULTS_MD.write_text(text.rstrip() + "\n\n" + section)
        return
    end = text.find("\n<!-- ", at + len(mark))
    tail = "\n" + text[end + 1 :] if end >= 0 else ""
    RESULTS_MD.write_text(text[:at].rstrip() + "\n\n" + section.rstrip() + "\n" + tail)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, required=True)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md")
    ap.add_argument("--report-only", metavar="SCRATCH", help="report a kept run again")
    args = ap.parse_args(argv)
    if args.report_only:
        scratch = Path(args.report_only)
        runs = [json.loads(p.read_text()) for p in sorted(scratch.glob("measured-*.json"))]
        small, big = sorted(runs, key=lambda r: r["scale"])
        for run in (small, big):  # measured again from the kept work folders
            if not Path(run["work"]).exists():  # the scratch folder was moved
                run["work"] = str(scratch / Path(run["work"]).name)
            if Path(run["work"], "results").exists():
                run["bench"] = benchmarks(Path(run["work"], "results"))
        if Path(big["work"], "results").exists():
            disk = big["disk"]
            big["disk"] = disk_after_stages(
                big["work"], disk["raw"], disk["extract (temporary, deleted after normalise)"]
            )
        section = report(small, big, tuple(json.loads((scratch / "dry.json").read_text())),
                         args.cores)  # fmt: skip
        print(section)
        if not args.no_write:
            write_results(section)
        return
    scratch = Path(tempfile.mkdtemp(prefix="rehearse-", dir=args.dir))
    try:
        small = run_scale(args.scale / 10, scratch, args.cores)
        print(f"scale {small['scale']:g}: {sum(small['items'].values())} items, "
              f"{small['wall_s']:.0f} s", flush=True)  # fmt: skip
        big = run_scale(args.scale, scratch, args.cores)
        print(f"scale {big['scale']:g}: {sum(big['items'].values())} items, "
              f"{big['wall_s']:.0f} s", flush=True)  # fmt: skip
        made = {}
        for d in PUBLISHED:  # the files of the last run, for the full-size registry
            made[d] = [(p, i, k) for p, i, k in _made_files(scratch / "raw", d)]
        dry = dry_run_full(scratch, (scratch / "raw", made))
        (scratch / "dry.json").write_text(json.dumps(dry))
        section = report(small, big, dry, args.cores)
        print(section)
        if not args.no_write:
            write_results(section)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


def _made_files(raw, dataset):
    for path in sorted(Path(raw, dataset).iterdir()):
        kind = "file" if path.suffix == ".json" else path.suffix.lstrip(".")
        yield path, (0 if kind == "file" or path.name == "multimodal-celeba-hq.zip" else 1), kind


if __name__ == "__main__":
    main()
