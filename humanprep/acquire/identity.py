"""A raw file's identity as the file system gives it, recorded when it is verified and
checked by every step that reads it afterwards.

size, mtime_ns, ctime_ns, device and inode: a file rewritten in place with its old size and
mtime still gets a new ctime (which no user can set back), and a file swapped by a rename
gets a new inode. Reading an archive whose identity changed since it was verified would
trust bytes nobody hashed.
"""

import os
import socket
from pathlib import Path

from humanprep.errors import HumanprepError
from humanprep.io import read_json

FIELDS = ("size", "mtime_ns", "ctime_ns", "dev", "inode")


def recorded_identity(path):
    """What a verification record keeps: the identity, the path and the host that saw it
    (a network file system's device number differs from one client to the next)."""
    return {"path": str(path), **file_identity(path), "host": socket.gethostname()}


def file_identity(path):
    """{size, mtime_ns, ctime_ns, dev, inode} of `path` (following links)."""
    st = os.stat(path)
    values = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_dev, st.st_ino)
    return dict(zip(FIELDS, values, strict=True))


def identity_key(path):
    """A short text of the identity, or "absent": a verify param, so that Snakemake re-runs
    verify once the file changes (its mtime check alone misses a restored mtime)."""
    try:
        found = file_identity(path)
    except OSError:
        return "absent"
    return ":".join(str(found[f]) for f in FIELDS)


def changed_message(path):
    return (
        f"changed since it was verified (size, times, device or inode differ); "
        f"nothing read from it. The next run verifies {Path(path).name} again"
    )


def check_identity(path, recorded):
    """Raise a one-line HumanprepError when `path` is no longer the file `recorded` describes."""
    try:
        now = file_identity(path)
    except FileNotFoundError:
        raise HumanprepError(path, "gone since it was verified; put it back, then rerun") from None
    fields = FIELDS
    if recorded.get("host") != socket.gethostname():  # another cluster node: its own devices
        fields = tuple(f for f in FIELDS if f != "dev")
    differ = [f for f in fields if recorded.get(f) != now[f]]
    if differ:
        raise HumanprepError(path, changed_message(path))


def check_verified(verified_json, path=None):
    """Check the raw file a verification record (results/verified/<d>/<file>.json) is about;
    `path` is the raw file (default: the record's own `path`)."""
    identity = read_json(verified_json).get("identity")
    if identity is None:
        raise HumanprepError(
            path or verified_json,
            "its verification record keeps no file identity (an older humanprep wrote it); "
            "the next run verifies it again",
        )
    check_identity(path or identity["path"], identity)


def check_all_verified(verified_jsons):
    """Check every raw file of a dataset before a step reads any of them."""
    for record in verified_jsons:
        check_verified(record)
