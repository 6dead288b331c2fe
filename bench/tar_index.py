"""Benchmark the in-place tar index pass on a synthetic tar of many small members.

    .venv/bin/python bench/tar_index.py [--members 5000000] [--dir DIR] [--keep] [--tar T]
                                        [--max-kb 54]

Writes a plain tar shaped like FDH's WebDataset shards (keys of five members each: image,
masks, keypoints, vertices; 1-512 bytes of data apiece, so every member is one header and
one data block; with --max-kb, members of 1 byte to that many KiB), or takes --tar, then
times `cat archive > /dev/null` and the index pass
(`humanprep.acquire.tarindex.build_index`) in a fresh process under GNU time, best of
--repeat, and prints both with the index pass's peak RSS, beside two references: GNU tar
listing the members (`tar -tf`, C) and the floor of any Python pass (reading the bytes into
a reused buffer and nothing else). Targets: peak under 500 MB, and
the pass at 0.8x or better of cat's speed (cat time / index time >= 0.8), measured both
with the tar evicted from the page cache before each run ("cold", as a 17-60 GB tar is read)
and with it cached ("warm"); as the disk's speed drifts, each run's ratio to the cat just
before it is printed too. For comparison it
also lists the first --tarfile-members members with Python's tarfile (getmembers), the way
unpacking listed a tar before. The tar and the index are deleted afterwards unless --keep.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ROLES = [b"image.png", b"mask.png", b"maskrcnn_mask.png", b"keypoints.npy", b"vertices.npy"]
PEAK_TARGET_MB = 500
SPEED_TARGET = 0.8
BATCH = 200_000
READ_FLOOR = """
import sys
buf = bytearray(32 << 20)
with open(sys.argv[1], "rb", buffering=0) as fh:
    while fh.readinto(buf):
        pass
"""


def _header_template():
    import tarfile

    info = tarfile.TarInfo("x")
    info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = 0, 0o644, 0, 0, "", ""
    return np.frombuffer(info.tobuf(tarfile.USTAR_FORMAT), dtype=np.uint8)[:512].copy()


def _octal(values, width):
    """(n, width) uint8 of zero-padded octal digits (width-1 of them) and a NUL."""
    out = np.zeros((len(values), width), dtype=np.uint8)
    v = values.astype(np.int64)
    for j in range(width - 2, -1, -1):
        out[:, j] = 48 + v % 8
        v //= 8
    return out


def write_tar(path, members, seed=0):
    """A tar of `members` members written with numpy (tarfile would take minutes)."""
    rng = np.random.default_rng(seed)
    template = _header_template()
    template[148:156] = 32
    roles = np.zeros((len(ROLES), 24), dtype=np.uint8)
    role_len = np.array([len(r) for r in ROLES])
    for i, r in enumerate(ROLES):
        roles[i, : len(r)] = np.frombuffer(r, dtype=np.uint8)
    with open(path, "wb") as fh:
        for start in range(0, members, BATCH):
            idx = np.arange(start, min(start + BATCH, members))
            n = len(idx)
            head = np.tile(template, (n, 1))
            key, role = idx // len(ROLES), idx % len(ROLES)
            head[:, :100] = 0
            head[:, :4] = np.frombuffer(b"fdh/", dtype=np.uint8)
            for p in range(8):  # 8-digit key
                head[:, 4 + p] = 48 + (key // 10 ** (7 - p)) % 10
            head[:, 12] = ord(".")
            cols = np.arange(24)
            rows = roles[role]
            head[:, 13:37] = np.where(cols < role_len[role][:, None], rows, 0)
            size = rng.integers(1, 513, n)
            head[:, 124:136] = _octal(size, 12)
            total = head.sum(1, dtype=np.int64)  # checksum field counted as spaces
            head[:, 148:155] = _octal(total, 7)
            head[:, 155] = 32
            data = np.zeros((n, 512), dtype=np.uint8)
            data[:, :8] = (idx[:, None] >> (np.arange(8) * 8)) & 0xFF
            data[np.arange(512) >= size[:, None]] = 0
            fh.write(np.stack([head, data], 1).tobytes())
        fh.write(b"\x00" * 10240)
    return path


def write_sized_tar(path, members, max_kb, seed=0):
    """A tar of `members` members of 1 byte to `max_kb` KiB each (FDH's shards average
    about 27 KiB a member), named as write_tar names them, written by tarfile."""
    import io
    import tarfile

    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, max_kb * 1024 + 1, members)
    pool = rng.integers(0, 256, max_kb * 1024 + 4096, dtype=np.uint8).tobytes()
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for i, size in enumerate(sizes.tolist()):
            role = ROLES[i % len(ROLES)].decode()
            info = tarfile.TarInfo(f"fdh/{i // len(ROLES):08d}.{role}")
            info.size, info.mtime, info.mode = size, 0, 0o644
            tar.addfile(info, io.BytesIO(pool[i % 4096 : i % 4096 + size]))
    return path


def evict(path):
    """Drop this one file's pages from the page cache (a real 17-60 GB tar is read from
    disk, not from memory); other files' cached pages are left alone."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def timed(cmd, usage):
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(usage), *cmd], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start, int(Path(usage).read_text().split()[-1]) / 1024


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=5_000_000)
    ap.add_argument("--dir", default=None, help="scratch directory (default: a temp dir)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tarfile-members", type=int, default=200_000)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--tar", default=None, help="index this tar (made by --keep) instead")
    ap.add_argument(
        "--max-kb",
        type=int,
        default=0,
        help="members of 1 byte to this many KiB (default: one block each)",
    )
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tarindex-", dir=args.dir))
    per_member = 1024 + args.max_kb * 512  # the mean bytes a member takes
    need = (0 if args.tar else args.members * per_member) + (1 << 30)
    free = shutil.disk_usage(scratch).free
    if free < 2 * need:
        sys.exit(f"{scratch}: {free / 1e9:.1f} GB free, want {2 * need / 1e9:.1f} GB")
    try:
        tar = Path(args.tar) if args.tar else scratch / "archive.tar"
        t0 = time.perf_counter()
        if args.max_kb and not args.tar:
            write_sized_tar(tar, args.members, args.max_kb)
        elif not args.tar:
            write_tar(tar, args.members)
            print(f"wrote {args.members} members, {tar.stat().st_size / 1e9:.2f} GB "
                  f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        usage = scratch / "usage"
        code = (
            "import logging, sys; logging.basicConfig(level=logging.INFO);"
            "from humanprep.acquire.tarindex import build_index;"
            "build_index(sys.argv[1], sys.argv[2], progress_interval=5)"
        )
        cat_s = {"cold": [], "warm": []}
        idx_s = {"cold": [], "warm": []}
        # GNU tar listing the members (C, the tool made for it; no offsets, no checks), and
        # the floor of any Python pass: reading the bytes into a reused buffer, nothing else
        refs = {
            "tar -tf": ["tar", "-tf", str(tar)],
            "python read floor": [sys.executable, "-c", READ_FLOOR, str(tar)],
        }
        ref_s = {(name, cache): [] for name in refs for cache in ("cold", "warm")}
        peak = 0.0
        for _ in range(args.repeat):
            for cache in ("cold", "warm"):
                if cache == "cold":
                    evict(tar)
                cat_s[cache].append(timed(["sh", "-c", f"cat '{tar}' > /dev/null"], usage)[0])
                for name, cmd in refs.items():
                    if cache == "cold":
                        evict(tar)
                    ref_s[name, cache].append(timed(cmd, usage)[0])
                if cache == "cold":
                    evict(tar)
                shutil.rmtree(scratch / "index", ignore_errors=True)
                cmd = [sys.executable, "-c", code, str(tar), str(scratch / "index")]
                secs, mb = timed(cmd, usage)
                idx_s[cache].append(secs)
                peak = max(peak, mb)
        index_bytes = sum(p.stat().st_size for p in (scratch / "index").iterdir())
        small = scratch / "small.tar"
        with open(tar, "rb") as src, open(small, "wb") as dst:
            dst.write(src.read(args.tarfile_members * 1024))  # one-block members only
            dst.write(b"\x00" * 1024)
        code_tf = "import sys, tarfile; print(len(tarfile.open(sys.argv[1]).getmembers()))"
        tf_s, tf_mb = (0, 0)
        if not args.max_kb:
            tf_s, tf_mb = timed([sys.executable, "-c", code_tf, str(small)], usage)
        for cache in ("cold", "warm"):
            cat, idx = min(cat_s[cache]), min(idx_s[cache])
            print(f"{cache} page cache: cat archive > /dev/null {cat:.2f} s, index pass "
                  f"{idx:.2f} s ({args.members / idx / 1e6:.2f} M members/s), speed vs cat "
                  f"{cat / idx:.2f}x (target >= {SPEED_TARGET}): "
                  f"{'PASS' if cat / idx >= SPEED_TARGET else 'MISS'}")  # fmt: skip
            # the disk's speed drifts between runs: each run's ratio to the cat just before it
            pairs = sorted(c / i for c, i in zip(cat_s[cache], idx_s[cache], strict=True))
            print(
                f"  per run, index pass vs the cat just before it: "
                f"{', '.join(f'{r:.2f}x' for r in pairs)} (median {np.median(pairs):.2f}x)"
            )
            for name in refs:
                ref = min(ref_s[name, cache])
                print(f"  {name}: {ref:.2f} s, {cat / ref:.2f}x of cat; the index pass is "
                      f"{ref / idx:.2f}x of its speed")  # fmt: skip
        print(f"index: {index_bytes / 1e6:.0f} MB on disk (best of {args.repeat} runs each)")
        if not args.max_kb:
            print(f"tarfile.getmembers of the first {args.tarfile_members}: {tf_s:.2f} s, "
                  f"peak {tf_mb:.0f} MB")  # fmt: skip
        print(f"peak memory: {peak:.0f} MB (target < {PEAK_TARGET_MB}): "
              f"{'PASS' if peak < PEAK_TARGET_MB else 'MISS'}")  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
