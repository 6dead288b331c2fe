"""Benchmark: an FDH normalise job's peak memory does not grow with metadata.json.

    .venv/bin/python bench/fdh_metadata.py [--entries 1870000] [--items 200] [--dir DIR]
                                           [--json-load]

Writes a plain tar of --items FDH samples (the demo's real member layout), indexes it
(read in place), then for a 1,000-entry and an --entries-entry metadata.json (FDH's real
field names) splits the metadata once (humanprep.sidefiles, as plan_shards does; timed and
its peak RSS measured) and runs one FDH normalise shard job of the --items items in a fresh
process under GNU time. Prints both jobs' peak RSS and their ratio (target: within 10%).
--json-load also runs the job the old way (json.load of the whole file per job) for
comparison; at full size that takes about 4 GB. Scratch files are deleted afterwards.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from humanprep.acquire.tarindex import build_index  # noqa: E402
from humanprep.datasets import DESCRIPTORS  # noqa: E402
from humanprep.datasets.fdh import demo as fdh  # noqa: E402
from humanprep.io import write_jsonl  # noqa: E402
from humanprep.tarutil import write_tar  # noqa: E402

TARGET = 0.10
JOB = """
import json, sys
from humanprep.normalise.shard import normalise_shard
side = json.loads(sys.argv[2])
records, quarantine = normalise_shard("fdh", "shard-00000", sys.argv[1], side, {}, sys.argv[3])
print(len(records), len(quarantine))
"""
SPLIT = """
import sys
from humanprep.sidefiles import build_metadata_db
print(build_metadata_db(sys.argv[1], sys.argv[2]))
"""


def make_tar(path, items):
    import numpy as np

    rng = np.random.default_rng(0)
    licence = next(iter(fdh.LICENCE_TARS))
    drawn = [dict(fdh.sample_members(i + 1, licence, rng)) for i in range(8)]
    members = []
    for number in range(1, items + 1):
        for name, data in drawn[number % 8].items():
            members.append((f"{fdh.key_of(number)}.{name.partition('.')[2]}", data))
    write_tar(path, members)


def write_metadata(path, entries):
    licence = next(iter(fdh.LICENCE_TARS))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{")
        for number in range(1, entries + 1):
            split = "val" if number % 10 == 0 else "train"
            entry = fdh.metadata_entry(number, licence, split, f"{number % 99991}@N01")
            fh.write(("," if number > 1 else "") + json.dumps(str(number)) + ": ")
            fh.write(json.dumps(entry))
        fh.write("}")


def timed(cmd, usage):
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(usage), *cmd], check=True,
                         capture_output=True, text=True, cwd=REPO).stdout  # fmt: skip
    peak = int(Path(usage).read_text().split()[-1]) / 1024
    return time.perf_counter() - start, peak, out.strip()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1_870_000)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--json-load", action="store_true")
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="fdhmeta-", dir=args.dir))
    try:
        tar = scratch / "cc-by-2.tar"
        make_tar(tar, args.items)
        build_index(tar, scratch / "cc-by-2")
        entries, _ = DESCRIPTORS["fdh"].entries([scratch / "cc-by-2"])
        manifest = scratch / "shard-00000.jsonl"
        write_jsonl(manifest, entries)
        usage = scratch / "usage"
        peaks = {}
        for n in (1000, args.entries):
            meta = scratch / f"metadata-{n}.json"
            t0 = time.perf_counter()
            write_metadata(meta, n)
            made = time.perf_counter() - t0
            db = scratch / f"metadata-{n}.sqlite"
            split_s, split_mb, _ = timed([sys.executable, "-c", SPLIT, str(meta), str(db)], usage)
            side = {"metadata.json": str(meta), "metadata.sqlite": str(db)}
            out = scratch / f"out-{n}"
            cmd = [sys.executable, "-c", JOB, str(manifest), json.dumps(side), str(out)]
            job_s, job_mb, counts = timed(cmd, usage)
            peaks[n] = job_mb
            print(f"{n:>9} entries ({meta.stat().st_size / 1e6:.0f} MB, written in {made:.1f} s):"
                  f" split {split_s:.1f} s, peak {split_mb:.0f} MB; normalise job of "
                  f"{args.items} items {job_s:.1f} s, peak {job_mb:.0f} MB "
                  f"(records, quarantined: {counts})")  # fmt: skip
            if args.json_load:
                shutil.rmtree(out, ignore_errors=True)
                side = {"metadata.json": str(meta)}
                cmd = [sys.executable, "-c", JOB, str(manifest), json.dumps(side), str(out)]
                job_s, job_mb, _ = timed(cmd, usage)
                print(f"{'':>9} the same job loading metadata.json whole: {job_s:.1f} s, "
                      f"peak {job_mb:.0f} MB")  # fmt: skip
            shutil.rmtree(out, ignore_errors=True)
            meta.unlink()
        growth = peaks[args.entries] / peaks[1000] - 1
        print(
            f"peak RSS growth from 1,000 to {args.entries} entries: {100 * growth:+.1f}% "
            f"(target within {100 * TARGET:.0f}%): {'PASS' if abs(growth) <= TARGET else 'MISS'}"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
