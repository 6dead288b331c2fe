"""Benchmark the in-place tar index pass against sha256 of the same tar, and its memory.

    .venv/bin/python bench/tar_index.py [--members 100000] [--max-kb 54] [--repeat 3]
                                        [--peak-members 5000000] [--dir DIR] [--keep]

Speed: a plain tar of --members members of 1 byte to --max-kb KiB each (random sizes, seed
0; FDH's shards average about 27 KiB a member), written by tarfile. In every round, each
command in a fresh process under GNU time, side by side: sha256 of the tar
(`humanprep.io.sha256_file`, as verify hashes), the index pass
(`humanprep.acquire.tarindex.build_index`) and, for reference, `cat tar > /dev/null`.
"cold": the tar is evicted from the page cache before each command (posix_fadvise
DONTNEED on this one file, done here only: the pass itself gives the kernel no advice);
"warm": it is read from the cache. Target: the index pass within 1.25x of sha256's time,
cold and warm (best of --repeat each; each round's ratio is printed too, as the disk's
speed drifts).

Memory: a tar of --peak-members one-block members (written with numpy), indexed once, and
an empty tar indexed for the fixed cost. Target: peak RSS under 500 MB; the bytes per
member above the fixed cost are printed too. The tars are deleted afterwards unless --keep.
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
SPEED_TARGET = 1.25  # index pass time / sha256 time
BATCH = 200_000
INDEX = (
    "import sys; from humanprep.acquire.tarindex import build_index;"
    "build_index(sys.argv[1], sys.argv[2], progress_interval=1e9)"
)
SHA256 = "import sys; from humanprep.io import sha256_file; sha256_file(sys.argv[1])"


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
    """(wall seconds, peak RSS MB, CPU seconds: user + system) of a command."""
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", str(usage), *cmd], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    secs = time.perf_counter() - start
    kb, user, system = Path(usage).read_text().split()[-3:]
    return secs, int(kb) / 1024, float(user) + float(system)


def speed(tar, scratch, repeat):
    """{cache: {command: [(wall, CPU seconds) per round]}} for sha256, the index pass and
    cat, run one after the other in each round."""
    usage = scratch / "usage"
    commands = {
        "sha256": [sys.executable, "-c", SHA256, str(tar)],
        "index pass": [sys.executable, "-c", INDEX, str(tar), str(scratch / "index")],
        "cat": ["sh", "-c", f"cat '{tar}' > /dev/null"],
    }
    times = {cache: {name: [] for name in commands} for cache in ("cold", "warm")}
    for _ in range(repeat):
        for cache in ("cold", "warm"):
            for name, cmd in commands.items():
                shutil.rmtree(scratch / "index", ignore_errors=True)
                if cache == "cold":
                    evict(tar)
                secs, _, cpu = timed(cmd, usage)
                times[cache][name].append((secs, cpu))
    return times


def report_speed(times, members):
    for cache, runs in times.items():
        (sha, sha_cpu), (idx, idx_cpu), (cat, _) = (min(runs[n]) for n in runs)
        ratio = idx / sha
        pairs = zip(runs["index pass"], runs["sha256"], strict=True)
        per_round = sorted(i[0] / s[0] for i, s in pairs)
        print(
            f"{cache} page cache: sha256 {sha:.2f} s, index pass {idx:.2f} s "
            f"({members / idx / 1e3:.0f} k members/s): {ratio:.2f}x of sha256 "
            f"(target <= {SPEED_TARGET}x): {'PASS' if ratio <= SPEED_TARGET else 'MISS'}; "
            f"per round {', '.join(f'{r:.2f}x' for r in per_round)} (median "
            f"{np.median(per_round):.2f}x); CPU s of the best runs: sha256 {sha_cpu:.2f}, index "
            f"pass {idx_cpu:.2f}; cat {cat:.2f} s"
        )


def peak(tar, scratch):
    """Peak RSS (MB) of the index pass over `tar`, in a fresh process."""
    shutil.rmtree(scratch / "index", ignore_errors=True)
    cmd = [sys.executable, "-c", INDEX, str(tar), str(scratch / "index")]
    secs, mb, _ = timed(cmd, scratch / "usage")
    return secs, mb


def report_peak(scratch, members):
    tar = write_tar(scratch / "many.tar", members)
    empty = write_tar(scratch / "empty.tar", 0)
    try:
        secs, mb = peak(tar, scratch)
        index_mb = sum(p.stat().st_size for p in (scratch / "index").iterdir()) / 1e6
        _, base = peak(empty, scratch)
        sha = timed([sys.executable, "-c", SHA256, str(tar)], scratch / "usage")[0]
    finally:
        tar.unlink()
    per_member = (mb - base) * 2**20 / members
    print(
        f"memory: {members} one-block members ({members * 1024 / 1e9:.2f} GB), index pass "
        f"{secs:.0f} s (sha256 of the tar {sha:.1f} s, page cache warm), peak {mb:.0f} MB "
        f"(target < {PEAK_TARGET_MB} MB): {'PASS' if mb < PEAK_TARGET_MB else 'MISS'}; an "
        f"empty tar's pass {base:.0f} MB, so {per_member:.0f} bytes a member above it; index "
        f"{index_mb:.0f} MB on disk"
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--max-kb", type=int, default=54)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peak-members", type=int, default=5_000_000, help="0: no memory run")
    ap.add_argument("--dir", default=None, help="scratch directory (default: a temp dir)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="tarindex-", dir=args.dir))
    need = args.members * (1024 + args.max_kb * 512) + args.peak_members * 1024 + (1 << 30)
    free = shutil.disk_usage(scratch).free
    if free < need:
        sys.exit(f"{scratch}: {free / 1e9:.1f} GB free, want {need / 1e9:.1f} GB")
    try:
        if args.members:
            t0 = time.perf_counter()
            tar = write_sized_tar(scratch / "sized.tar", args.members, args.max_kb)
            print(f"speed: {args.members} members of 1 B to {args.max_kb} KiB, "
                  f"{tar.stat().st_size / 1e9:.2f} GB (written in {time.perf_counter() - t0:.0f} "
                  f"s), best of {args.repeat} rounds")  # fmt: skip
            load = os.getloadavg()[0]
            report_speed(speed(tar, scratch, args.repeat), args.members)
            print(f"load average (1 min) {load:.1f} at the start, {os.getloadavg()[0]:.1f} "
                  f"at the end, on {os.cpu_count()} cores")  # fmt: skip
        if args.peak_members:
            report_peak(scratch, args.peak_members)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
