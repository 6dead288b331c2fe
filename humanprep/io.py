"""Atomic, deterministic file output and streamed hashing."""

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from humanprep.oserrors import annotate

CHUNK = 1 << 20  # 1 MiB reads: measured fastest for one hashlib hash here
PARALLEL_CHUNK = 4 << 20  # per read when several hashes share it across threads


def dumps(obj):
    """Stable JSON text: sorted keys, no NaN, UTF-8 kept, trailing newline."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


FILE_MODE, DIR_MODE = 0o644, 0o755  # what a release's readers need, whatever the umask


def tmp_beside(path):
    """A new empty temporary file beside `path`, mode 0644 (mkstemp makes 0600, and every
    writer renames its temporary file into place, so the mode is set here, once)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return Path(tmp)


def publish_modes(root):
    """Files 0644 and folders 0755 under `root` (itself included), whatever the umask
    made them: a release is read by others. Group-private: chmod -R o-rwx afterwards."""
    root = Path(root)
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, DIR_MODE)
        for name in files:
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if not stat.S_ISLNK(mode) and stat.S_IMODE(mode) != FILE_MODE:
                os.chmod(path, FILE_MODE)


def write_bytes(path, data):
    """Write bytes to a temporary file beside `path`, then rename into place."""
    try:
        tmp = tmp_beside(path)
    except OSError as err:  # named by the file asked for, not its temporary name
        err.filename = str(path)
        raise annotate(err, path, len(data)) from None
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as err:  # a failed write() names no file: say which, and how much
        raise annotate(err, path, len(data)) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path, text):
    write_bytes(path, text.encode("utf-8"))


def write_json(path, obj):
    write_text(path, dumps(obj))


def write_jsonl(path, records):
    write_text(path, "".join(dumps(r) for r in records))


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@contextlib.contextmanager
def atomic_dir(path):
    """Yield a temporary directory beside `path`; rename it into place on success.

    A failure or a kill leaves only a hidden `.name.*.tmp` directory behind, never a
    tree that looks complete.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as err:  # named by the folder asked for, not a temporary name
        err.filename = str(path)
        raise
    try:
        yield tmp
        os.chmod(tmp, DIR_MODE)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def file_digests(path, algorithms=("sha256",), progress=None):
    """Hash a file once, streamed, with every algorithm asked for. Several hashes run side
    by side in threads over 4 MiB reads (hashlib releases the GIL): measured 0.53 s against
    0.67 s one after the other for sha256 + md5 of 300 MB."""
    hashers = [hashlib.new(name) for name in algorithms]
    with open(path, "rb") as fh:
        if len(hashers) == 1:
            while chunk := fh.read(CHUNK):
                hashers[0].update(chunk)
                if progress:
                    progress.add(0, len(chunk))
        else:
            with ThreadPoolExecutor(len(hashers)) as pool:
                pending = []
                while chunk := fh.read(PARALLEL_CHUNK):  # read ahead while they hash
                    for job in pending:
                        job.result()
                    pending = [pool.submit(h.update, chunk) for h in hashers]
                    if progress:
                        progress.add(0, len(chunk))
                for job in pending:
                    job.result()
    return {name: h.hexdigest() for name, h in zip(algorithms, hashers, strict=True)}


def sha256_file(path):
    return file_digests(path)["sha256"]


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()
