"""One-line explanations of the operating system's refusals: a full disk, a folder the user
may not write, a read-only file system.

A failed `write()` carries no file name, so writers `annotate` the error with the path they
were writing and, where known, how many bytes it needed; `describe` turns it into one line
such as `no space left on device writing results/coco/x.json: about 12 MB needed, 3 MB free
(free some space, then rerun: finished outputs are kept)`.
"""

import errno
import shutil
from pathlib import Path

FULL = (errno.ENOSPC, errno.EDQUOT)
WHAT = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
}
ADVICE = {
    errno.ENOSPC: "free some space, then rerun: finished outputs are kept",
    errno.EDQUOT: "free some of your quota, then rerun: finished outputs are kept",
    errno.EACCES: "make the folder writable for you, or write the results elsewhere",
    errno.EPERM: "make the folder writable for you, or write the results elsewhere",
    errno.EROFS: "write the results to a writable file system",
}
# The errors this module explains; others keep the system's own text.
KNOWN = tuple(WHAT)


def annotate(err, path, needed=None):
    """Record on `err` the path being written (when the error has none) and the bytes
    needed; returns err, to be re-raised."""
    if getattr(err, "filename", None) is None:
        err.filename = str(path)
    if needed is not None and getattr(err, "needed_bytes", None) is None:
        err.needed_bytes = int(needed)
    return err


def free_bytes(path):
    """Free bytes on the file system holding `path` (or its nearest existing parent)."""
    path = Path(path).absolute()
    for folder in (path, *path.parents):
        try:
            return shutil.disk_usage(folder).free
        except OSError:
            continue
    return None


def _mb(n):
    return f"{n / 1e6:.0f}" if n >= 1e6 else f"{n / 1e6:.2f}"


def describe(err, path=None, needed=None):
    """One line for an OSError: what happened, where, the space figures, what to do."""
    path = path or getattr(err, "filename", None)
    needed = needed if needed is not None else getattr(err, "needed_bytes", None)
    code = getattr(err, "errno", None)
    if code not in WHAT:  # not explained here: the system's own words, after the path
        what = getattr(err, "strerror", None) or str(err) or type(err).__name__
        return f"{path}: {what}" if path else what
    verb = "writing" if code in FULL or code == errno.EROFS else "on"
    line = f"{WHAT[code]} {verb} {path}" if path else WHAT[code]
    if code in FULL:
        figures = [f"about {_mb(needed)} MB needed"] if needed else []
        free = free_bytes(path) if path else None
        if free is not None:
            figures.append(f"{_mb(free)} MB free")
        if figures:
            line += ": " + ", ".join(figures)
    advice = ADVICE.get(code)
    return f"{line} ({advice})" if advice else line
