"""Deterministic tar files: the same members always give the same bytes."""

import io
import tarfile

from humanprep.io import write_bytes

# PAX allows long names; Python adds a pax header only for fields that do not fit ustar,
# and with mtime 0 and ASCII names none is needed, so the output stays fixed.
TAR_FORMAT = tarfile.PAX_FORMAT
FILE_MODE = 0o644


def tar_info(name, size):
    """A member header that depends on name and size only: mtime 0, uid/gid 0, no
    user/group names, mode 0644."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, 0, FILE_MODE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def tar_bytes(members, *, sort=True):
    """Tar of (name, bytes) members: mtime 0, uid/gid 0, no user/group names, mode 0644."""
    members = sorted(members) if sort else list(members)
    names = [name for name, _ in members]
    if len(set(names)) != len(names):
        raise ValueError("duplicate tar member names")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=TAR_FORMAT) as tar:
        for name, data in members:
            tar.addfile(tar_info(name, len(data)), io.BytesIO(data))
    return buf.getvalue()


def write_tar(path, members, *, sort=True):
    """Write the tar atomically (temp file beside `path`, then rename); sorted by name
    unless sort=False, which keeps the given order."""
    write_bytes(path, tar_bytes(members, sort=sort))
    return path
