"""Unencrypted zips read in place, through their central directory.

The member list is checked with the unpacking rules (humanprep.acquire.unpack), then each
file's data offset is found from its local header and written to the index with its
compression method, sizes and CRC; readers inflate and CRC-check one member at a time
(humanprep.members.read_member). Encrypted zips are extracted once with 7-Zip instead.

The central directory is read with Python's `zipfile`, which keeps one ZipInfo per member
(about 0.5 KB): CelebAMask-HQ's ~400,000 members need ~200 MB in this one job.
"""

import logging
import os
import struct
import zipfile
from pathlib import Path

from humanprep.acquire.unpack import Limits, _open_zip, _zip_members, check_members
from humanprep.errors import HumanprepError
from humanprep.io import atomic_dir, write_json, write_jsonl
from humanprep.members import zip_ref
from humanprep.progress import Progress

log = logging.getLogger(__name__)

FORMAT = "humanprep-zipindex-1"
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... name length, extra length
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def build_zip_index(archive, dest, limits=Limits()):  # noqa: B008
    """Check every member of the unencrypted zip `archive` and write its index into the
    new directory `dest` (atomically). Returns the index summary."""
    archive = Path(archive)
    with _open_zip(archive, encrypted=False) as zf:
        members = _zip_members(archive, zf, limits)
        if any(m.encrypted for m in members):
            raise HumanprepError(archive, "encrypted: it cannot be read in place (extract it)")
        symlinks = [m for m in members if m.kind == "symlink"]
        if symlinks:
            raise HumanprepError(archive, f"member {symlinks[0].name!r}: symlinks in a zip "
                                 "read in place are not supported")  # fmt: skip
        check_members(archive, members, os.path.getsize(archive), limits)
        rows = []
        files = [m for m in members if m.kind == "file"]
        progress = Progress(f"{archive.name}: index", "members", len(files))
        with open(archive, "rb") as fh:
            for m in files:
                rows.append([m.name, zip_ref(archive, *_locate(archive, fh, m))])
                progress.add()
    with atomic_dir(dest) as tmp:
        write_jsonl(Path(tmp, "members.jsonl"), rows)
        summary = {
            "format": FORMAT,
            "archive": archive.name,
            "path": str(archive),
            "archive_bytes": archive.stat().st_size,
            "members": len(members),
            "files": len(files),
            "file_bytes": sum(m.size for m in files),
        }
        write_json(Path(tmp, "index.json"), summary)
    log.info("%s: %d members (%d files) checked and indexed", archive.name, len(members),
             len(files))  # fmt: skip
    return summary


def _locate(archive, fh, member):
    """(data offset, compressed size, method, size, crc, name) of a file member."""
    info = member.info
    if info.compress_type not in METHODS:
        raise HumanprepError(archive, f"member {member.name!r}: compression method "
                             f"{info.compress_type} is not read in place")  # fmt: skip
    fh.seek(info.header_offset)
    head = fh.read(LOCAL_HEADER.size)
    if len(head) < LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        raise HumanprepError(archive, f"member {member.name!r}: bad local header")
    fields = LOCAL_HEADER.unpack(head)
    offset = info.header_offset + LOCAL_HEADER.size + fields[-2] + fields[-1]
    if offset + info.compress_size > os.fstat(fh.fileno()).st_size:
        raise HumanprepError(archive, f"member {member.name!r}: data beyond the end of file")
    return offset, info.compress_size, info.compress_type, info.file_size, info.CRC, member.name
