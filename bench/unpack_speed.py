"""How fast `humanprep.acquire.unpack.extract` is next to the raw tools (prints figures only).

Builds ~200 MB of files (half random bytes like JPEGs, half compressible JSON-like text) as a
ZipCrypto zip, an AES-256 zip and an unencrypted zip in a temporary directory, then times:
`extract` (auto engine), `extract` with the pure-Python engine, `extract` with the native
engine, `7zz x` and `unzip` run directly. Pure-Python ZipCrypto decrypts at about 1 MB/s, so
that case is timed on a 1/25 slice and scaled up (marked "~") unless --full is given.

    .venv/bin/python bench/unpack_speed.py [--mb 200] [--full] [--repeat 2]
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyzipper

from humanprep.acquire.unpack import extract, native_tool

PASSWORD = "benchmark-password"
FILE_MB = 2


def make_files(folder, total_mb, seed=0):
    """total_mb of 2 MB files, alternating random bytes and compressible text."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    words = [f"{w}_{i}".encode() for i, w in enumerate(["bbox", "pose", "score", "label"] * 64)]
    for i in range(max(1, total_mb // FILE_MB)):
        path = folder / f"item_{i:05d}.{'jpg' if i % 2 == 0 else 'json'}"
        if i % 2 == 0:
            path.write_bytes(os.urandom(FILE_MB << 20))
        else:
            parts, size = [], 0
            while size < FILE_MB << 20:
                line = b'{"%s": [%d, %d, %d]}\n' % (
                    rng.choice(words),
                    rng.randrange(1 << 16),
                    rng.randrange(1024),
                    i,
                )
                parts.append(line)
                size += len(line)
            path.write_bytes(b"".join(parts)[: FILE_MB << 20])
    return sorted(folder.iterdir())


def zip_with_7zz(tool, archive, files, method):
    """7-Zip builds the ZipCrypto zip; the password goes on stdin (asked twice)."""
    subprocess.run(
        [tool, "a", "-tzip", f"-mem={method}", "-mx=5", "-p", "-bso0", "-bsp0", str(archive)]
        + [str(f) for f in files],
        input=f"{PASSWORD}\n{PASSWORD}\n".encode(),
        check=True,
    )


def zip_with_pyzipper(archive, files, aes, level=5):
    """A deflated zip of `files` (AES-256 with PASSWORD when aes), written by pyzipper."""
    cls = pyzipper.AESZipFile if aes else pyzipper.ZipFile
    with cls(archive, "w", compression=pyzipper.ZIP_DEFLATED, compresslevel=level) as zf:
        if aes:
            zf.setpassword(PASSWORD.encode())
            zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for f in files:
            zf.write(f, f.name)


def timed(fn, out, repeat):
    best = None
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        fn()
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    shutil.rmtree(out, ignore_errors=True)
    return best


def run_tool(cmd, stdin=b""):
    subprocess.run(cmd, input=stdin, check=True, stdout=subprocess.DEVNULL)


def report(title, size_mb, rows):
    print(f"\n{title} ({size_mb:.0f} MB archive)")
    measured = {k: v for k, (v, _) in rows.items() if v is not None}
    fastest = min(measured.values())
    for name, (secs, note) in rows.items():
        if secs is None:
            print(f"  {name:<28} {note}")
            continue
        speed = size_mb / secs
        print(f"  {name:<28} {secs:8.2f} s  {speed:7.1f} MB/s  x{secs / fastest:5.2f} {note}")
    auto = rows["extract (auto)"][0]
    print(f"  extract(auto) / fastest = {auto / fastest:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="data size in MB")
    parser.add_argument("--full", action="store_true", help="time pure-Python ZipCrypto fully")
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure (best is shown)")
    args = parser.parse_args()
    tool = native_tool()
    unzip = shutil.which("unzip")
    print(f"python {sys.version.split()[0]}, 7-Zip: {tool or 'absent'}, unzip: {unzip or 'absent'}")
    with tempfile.TemporaryDirectory(prefix="unpack-bench-") as tmp:
        tmp = Path(tmp)
        files = make_files(tmp / "src", args.mb)
        slice_files = files[: max(2, len(files) // 25)]
        archives = {"aes": tmp / "aes.zip", "plain": tmp / "plain.zip"}
        zip_with_pyzipper(archives["aes"], files, aes=True)
        zip_with_pyzipper(archives["plain"], files, aes=False)
        if tool:
            archives["zipcrypto"] = tmp / "zipcrypto.zip"
            archives["zipcrypto-slice"] = tmp / "zipcrypto-slice.zip"
            zip_with_7zz(tool, archives["zipcrypto"], files, "ZipCrypto")
            zip_with_7zz(tool, archives["zipcrypto-slice"], slice_files, "ZipCrypto")
        out = tmp / "out"
        cases = [("zipcrypto", True), ("aes", True), ("plain", False)]
        for case, encrypted in cases:
            archive = archives.get(case)
            if archive is None:
                print(f"\n{case}: skipped (no 7-Zip to build it)")
                continue
            pw = PASSWORD if encrypted else None
            stdin = f"{PASSWORD}\n".encode() if encrypted else b""
            size_mb = archive.stat().st_size / 1e6
            rows = {}
            rows["extract (auto)"] = (
                timed(lambda a=archive, p=pw: extract(a, out, password=p), out, args.repeat),
                "",
            )
            if case == "zipcrypto" and not args.full:
                part = archives["zipcrypto-slice"]
                secs = timed(
                    lambda p=part: extract(p, out, password=PASSWORD, engine="python"), out, 1
                )
                scaled = secs * archive.stat().st_size / part.stat().st_size
                note = f"~ scaled from a {len(slice_files)}-file slice"
                rows["extract (python)"] = (scaled, note)
            else:
                rows["extract (python)"] = (
                    timed(
                        lambda a=archive, p=pw: extract(a, out, password=p, engine="python"),
                        out,
                        args.repeat,
                    ),
                    "",
                )
            if tool:
                rows["extract (native)"] = (
                    timed(
                        lambda a=archive, p=pw: extract(a, out, password=p, engine="native"),
                        out,
                        args.repeat,
                    ),
                    "",
                )
                cmd = [tool, "x", "-tzip", "-y", "-bd", "-bso0", "-bsp0", f"-o{out}", str(archive)]
                rows[f"{Path(tool).name} x"] = (
                    timed(lambda c=cmd, s=stdin: run_tool(c, s), out, args.repeat),
                    "",
                )
            if unzip and case != "aes":
                cmd = [unzip, "-qq", "-o", *(["-P", PASSWORD] if encrypted else []), str(archive)]
                cmd += ["-d", str(out)]
                rows["unzip" + (" -P" if encrypted else "")] = (
                    timed(lambda c=cmd: run_tool(c), out, args.repeat),
                    "",
                )
            elif case == "aes":
                rows["unzip -P"] = (None, "cannot read AES zips (Info-ZIP 6.0)")
            report(f"{case} zip, {len(files)} files of {FILE_MB} MB", size_mb, rows)


if __name__ == "__main__":
    main()
