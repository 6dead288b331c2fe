"""Reading members of archives read in place: the tar index's records and member references.

Kept free of the unpacking code (and its zip libraries): every stage that reads items
imports this. A member reference is a string `<archive>::<offset>::<size>::<name>` naming
`size` bytes at `offset` of a plain tar, or `<archive>::<offset>::<packed>:<method>:<size>:
<crc>::<name>` for a zip member; anything else is a plain path.
"""

import json
import zlib
from pathlib import Path

import numpy as np

MEMBER = np.dtype(
    [("offset", "<u8"), ("size", "<u8"), ("name_at", "<u8"), ("name_len", "<u4"), ("kind", "u1")]
)
KINDS = ("file", "dir", "symlink", "hardlink")


class TarIndex:
    """An index written by build_index: `members()` yields (name, kind, offset, size);
    a link yields its target's data, or offset 0 when it points at no file."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.summary = json.loads(Path(folder, "index.json").read_text(encoding="utf-8"))
        self.rec = np.memmap(self.folder / "members.bin", dtype=MEMBER, mode="r") \
            if self.summary["members"] else np.zeros(0, MEMBER)  # fmt: skip

    def members(self, batch=1 << 16):
        with open(self.folder / "names.bin", "rb") as names:
            for start in range(0, len(self.rec), batch):
                part = np.array(self.rec[start : start + batch])
                lo = int(part["name_at"][0])
                hi = int(part["name_at"][-1]) + int(part["name_len"][-1])
                names.seek(lo)
                blob = names.read(hi - lo)
                for r in part.tolist():
                    off, size, at, n, kind = r
                    name = blob[at - lo : at - lo + n].decode("utf-8", "surrogateescape")
                    yield name, KINDS[kind], off, size


def member_ref(archive, offset, size, name):
    """A string naming a member's bytes inside a plain tar (what manifests store)."""
    return f"{archive}::{offset}::{size}::{name}"


def zip_ref(archive, offset, packed, method, size, crc, name):
    """A string naming a zip member's (stored or deflated) data and how to check it."""
    return f"{archive}::{offset}::{packed}:{method}:{size}:{crc}::{name}"


def parse_ref(ref):
    """(archive, offset, packed size, (method, size, crc) or None) of a member reference,
    or None for a plain path."""
    parts = str(ref).split("::", 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    sizes = parts[2].split(":")
    if not all(p.isdigit() for p in sizes) or len(sizes) not in (1, 4):
        return None
    zipped = tuple(map(int, sizes[1:])) if len(sizes) == 4 else None
    return parts[0], int(parts[1]), int(sizes[0]), zipped


def read_member(ref):
    """The bytes a member reference names (read at its offset; a zip member inflated and
    its CRC checked), or a plain file's bytes."""
    found = parse_ref(ref)
    if found is None:
        return Path(ref).read_bytes()
    archive, offset, packed, zipped = found
    with open(archive, "rb") as fh:
        fh.seek(offset)
        data = fh.read(packed)
    if len(data) != packed:
        raise OSError(5, f"{archive} ends inside member at byte {offset}")
    if zipped is None:
        return data
    method, size, crc = zipped
    try:
        data = zlib.decompress(data, -15) if method == 8 else data
    except zlib.error as err:
        raise OSError(5, f"{archive}: corrupt member at byte {offset} ({err})") from None
    if len(data) != size or zlib.crc32(data) != crc:
        raise OSError(5, f"{archive}: corrupt member at byte {offset} (size or CRC)")
    return data
