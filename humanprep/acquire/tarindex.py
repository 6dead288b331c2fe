"""Plain tars read in place: one pass over the headers checks every member and writes an index.

The pass applies the safety rules of `humanprep.acquire.unpack` (names that escape, links
leaving the archive, paths through links, devices and fifos, duplicates, the limits) without
holding a `TarInfo` per member. It follows the chain of headers through the file, which is
read in order through one buffer of `READ_SIZE` bytes (a member larger than that is skipped
with a seek). A plain header (ustar or GNU magic, a file or a directory, no ustar prefix,
number fields laid out as tarfile, GNU tar or libarchive write them, a checksum equal to
its byte sum) is decoded here, as tarfile would decode it; any other (pax and GNU
long-name headers, links, devices, old V7 headers, damage, the end) is read by `tarfile`,
and so is every header after a pax global header, whose fields tarfile applies to every
later member. Names go through `safe_name`.

Memory: the buffer, 9 bytes per member (its kind and a hash of its name, to find
duplicates and names used both as a file and as a folder; a hash match is confirmed on the
names themselves), the distinct folders and the links. The index is three files:

- `members.bin`: `MEMBER` records (data offset, size, name offset, name length, kind),
- `names.bin`: the normalised names, concatenated (UTF-8, surrogate escapes for other bytes),
- `index.json`: the archive's name and size, the member count, byte total and format.

Links are resolved in the index: a hard link, or a symlink to a file of the archive, points
at its target's data. Readers (`humanprep.members`) need only the index and the tar.
"""

import functools
import logging
import os
import tarfile
import time
import zlib
from pathlib import Path

import numpy as np

from humanprep.acquire.unpack import MAX_LINK_TARGET, Limits, _resolve, safe_name
from humanprep.errors import HumanprepError
from humanprep.io import atomic_dir, write_json
from humanprep.members import KINDS, MEMBER

log = logging.getLogger(__name__)

BLOCK = 512
READ_SIZE = 8 << 20  # the file is read in order, this many bytes at a time
BATCH = 1 << 16  # members written to the index at a time
FORMAT = "humanprep-tarindex-1"
assert KINDS == ("file", "dir", "symlink", "hardlink")
FILE, DIR, SYMLINK, HARDLINK = range(4)
_PLAIN_KINDS = {b"0": FILE, b"7": FILE, b"5": DIR}  # "7": contiguous file
_ENCODING = "utf-8", "surrogateescape"


def _fail(archive, problem):
    return HumanprepError(archive, problem)


def _name_hash(name):
    """A 64-bit hash of a name (Python's own, seeded per process: it never leaves it)."""
    return hash(name.encode(*_ENCODING))


# ----------------------------------------------------------------------------------- headers


# The number fields as tar writers lay them out, each octal digit shown as "0" and each
# NUL as a space: octal digits, then spaces or NULs, which tarfile reads as the digits.
_SHAPE = bytes.maketrans(b"1234567\x00", b"0000000 ")
_NUMBERS = {  # mode, uid, gid, size, mtime, checksum
    b"0000000 " * 3 + b"00000000000 " * 2 + b"000000  ",  # tarfile, GNU tar
    b"000000  " * 3 + b"00000000000 " * 2 + b"000000  ",  # libarchive (bsdtar)
}
_DEVICES = {b"0000000 " * 2, b" " * 16, b"000000  " * 2}  # tarfile, GNU tar, libarchive
_MAGICS = (b"ustar\x0000", b"ustar  \x00")  # POSIX ustar, GNU


def _value(field):
    return int(field.rstrip(b" \x00") or b"0", 8)


def _byte_sum(block):
    """The sum of a block's 512 bytes. Adler-32's low half is 1 + the byte sum modulo
    65521, which is exact for 256 bytes (65280 at most): the halves are summed so."""
    return (zlib.adler32(block[:256]) & 0xFFFF) + (zlib.adler32(block[256:]) & 0xFFFF) - 2


def _plain(head):
    """(kind, data size) of a header this pass reads itself, else None (tarfile reads
    it): a whole block with ustar or GNU magic, a file or a directory, no ustar prefix
    (tarfile would put it before the name), number fields laid out as `_NUMBERS` and
    `_DEVICES` show, and a checksum equal to the unsigned byte sum."""
    kind = _PLAIN_KINDS.get(head[156:157])
    if kind is None or len(head) < BLOCK or head[257:265] not in _MAGICS or head[345]:
        return None
    if head[100:156].translate(_SHAPE) not in _NUMBERS:
        return None
    if head[329:345].translate(_SHAPE) not in _DEVICES:
        return None
    if _value(head[148:156]) != _byte_sum(head) - sum(head[148:156]) + 8 * 32:  # as spaces
        return None
    return kind, 0 if kind == DIR else _value(head[124:136])  # a folder has no data


def _header_name(archive, head):
    return safe_name(archive, head[:100].split(b"\x00", 1)[0].decode(*_ENCODING))


def _check_sum(archive, head, pos):
    """Refuse a header whose checksum is neither its unsigned nor its signed byte sum
    (what tarfile accepts), naming where it is."""
    try:
        stored = tarfile.nti(head[148:156])
    except tarfile.InvalidHeaderError:
        stored = None
    if stored not in tarfile.calc_chksums(head):
        raise _fail(archive, f"not a readable tar: bad checksum at byte {pos}")


# ----------------------------------------------------------------------------------- the pass


class _Writer:
    """Appends member records and names to the index files, `BATCH` members at a time, and
    keeps the kind and name hash of every member (numpy arrays, one per batch)."""

    def __init__(self, folder):
        self.members = open(Path(folder, "members.bin"), "wb")  # noqa: SIM115
        self.names = open(Path(folder, "names.bin"), "wb")  # noqa: SIM115
        self.batch = []  # (offset, size, kind, name) of members not written yet
        self.kinds, self.hashes = [], []
        self.name_at = 0
        self.count = 0

    def add(self, offset, size, kind, name):
        self.batch.append((offset, size, kind, name.encode(*_ENCODING)))
        self.count += 1
        if len(self.batch) == BATCH:
            self.flush()

    def flush(self):
        if not self.batch:
            return
        offsets, sizes, kinds, raws = zip(*self.batch, strict=True)
        self.batch = []
        rec = np.zeros(len(raws), dtype=MEMBER)
        rec["offset"], rec["size"], rec["kind"] = offsets, sizes, kinds
        rec["name_len"] = [len(raw) for raw in raws]
        ends = np.cumsum(rec["name_len"], dtype=np.uint64)
        rec["name_at"] = self.name_at + ends - rec["name_len"]
        self.members.write(rec.tobytes())
        self.names.write(b"".join(raws))
        self.name_at += int(ends[-1])
        self.kinds.append(rec["kind"].copy())
        self.hashes.append(np.array([hash(raw) for raw in raws], dtype=np.int64))

    def close(self):
        try:
            self.flush()
        finally:
            self.members.close()
            self.names.close()

    def arrays(self):
        """(kinds, name hashes) of all members, in index order."""
        if not self.kinds:
            return np.zeros(0, np.uint8), np.zeros(0, np.int64)
        return np.concatenate(self.kinds), np.concatenate(self.hashes)


class _Progress:
    EVERY = 1 << 13  # members between looks at the clock

    def __init__(self, where, total, interval):
        self.where, self.total, self.interval = where, total, interval
        self.t0 = self.last = time.monotonic()

    def update(self, members, done):
        if members % self.EVERY:
            return
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        rate = done / (now - self.t0) / 1e6
        log.info(
            "%s: %d members, %.1f of %.1f MB read (%.0f%%), %.0f MB/s",
            self.where, members, done / 1e6, self.total / 1e6,
            100 * done / max(self.total, 1), rate,
        )  # fmt: skip


class _Pass:
    """The pass over the headers: each member is checked as it comes and handed to the
    writer; the links and the folders are kept for the checks at the end."""

    def __init__(self, archive, fh, writer, limits, progress):
        self.archive, self.fh, self.w = archive, fh, writer
        self.limits, self.progress = limits, progress
        self.total = 0  # bytes of file data
        self.links = {}  # symlink name -> target
        self.hardlinks = {}  # hardlink name -> target
        self.dirs = {}  # folder name -> first member under it (for messages)
        self.folder = None  # the folder of the member before (most share their neighbour's)
        self.tar = None  # tarfile's reader, made when a header first needs it
        self.size = os.fstat(fh.fileno()).st_size

    def run(self):
        """Read every header to the end of the archive."""
        pos = 0
        while pos < self.size:  # tarfile accepts a tar that ends at a member without end blocks
            self.fh.seek(pos)
            head = self.fh.read(BLOCK)
            plain = _plain(head) if self.tar is None or not self.tar.pax_headers else None
            if plain is None:
                pos = self.slow(pos, head)
                if pos is None:
                    return
                continue
            kind, length = plain
            self.add(_header_name(self.archive, head), kind, length, pos + BLOCK)
            pos += BLOCK + -(-length // BLOCK) * BLOCK
            self.progress.update(self.w.count, pos)
        if pos > self.size:  # the last member's padding is missing
            raise self.truncated()

    def truncated(self):
        return _fail(self.archive, "not a readable tar: no end-of-archive marker (truncated?)")

    def add(self, name, kind, size, offset, target=None):
        if kind != DIR and not name:
            raise _fail(self.archive, "member naming the archive root itself")
        if offset + size > self.size:
            raise self.truncated()
        if self.w.count >= self.limits.max_members:
            raise _fail(
                self.archive, f"over unpack_limits.max_members {self.limits.max_members} members"
            )
        self.total += size
        if kind == SYMLINK:
            if len(target) > MAX_LINK_TARGET:
                raise _fail(self.archive, f"member {name!r}: symlink target over {MAX_LINK_TARGET}")
            self.links[name] = target
        elif kind == HARDLINK:
            self.hardlinks[name] = target
        folder = name if kind == DIR else name.rpartition("/")[0]
        if folder != self.folder:
            self.folder = folder
            if folder and folder not in self.dirs:
                self._add_dir(folder, name)
        self.w.add(offset, size, kind, name)

    def _add_dir(self, folder, member):
        parts = folder.split("/")
        for k in range(len(parts), 0, -1):
            prefix = "/".join(parts[:k])
            if prefix in self.dirs:
                break
            self.dirs[prefix] = member

    def slow(self, pos, head):
        """Index the member whose header (`head`) is at `pos` with tarfile; the next
        header's offset, or None at the end of the archive."""
        if len(head) < BLOCK:
            raise self.truncated()
        if not any(head):
            return None
        _check_sum(self.archive, head, pos)
        if self.tar is None:
            self.fh.seek(0)
            self.tar = tarfile.TarFile(fileobj=self.fh, mode="r", encoding=_ENCODING[0])
            self.tar.firstmember = None  # next() would hand back the member at 0 first
        self.tar.offset = pos
        self.fh.seek(pos)
        info = self.tar.next()
        self.tar.members.clear()
        if info is None or info.size < 0 or self.tar.offset <= pos:  # (a negative size)
            raise _fail(self.archive, f"not a readable tar: invalid header at byte {pos}")
        kind, target = self._kind(info)
        size = info.size if kind == FILE else 0
        self.add(safe_name(self.archive, info.name), kind, size, info.offset_data, target)
        return self.tar.offset

    def _kind(self, info):
        """(kind, link target) of a member tarfile read, or the reason it is refused."""
        if info.isdir():
            return DIR, None
        if info.issparse():  # GNU or pax: its data is not one run of bytes to read in place
            raise _fail(
                self.archive,
                f"member {info.name!r}: a sparse file (GNU or pax sparse format), which is not "
                "read in place; re-create the archive without --sparse",
            )
        if info.isreg():
            return FILE, None
        if info.issym():
            return SYMLINK, info.linkname
        if info.islnk():
            try:
                return HARDLINK, safe_name(self.archive, info.linkname)
            except HumanprepError:
                raise _fail(
                    self.archive,
                    f"member {info.name!r}: hard link to {info.linkname!r} leaves the archive",
                ) from None
        if info.ischr() or info.isblk() or info.isfifo():
            raise _fail(self.archive, f"member {info.name!r}: device or fifo")
        raise _fail(self.archive, f"member {info.name!r}: unsupported type {info.type!r}")


# ----------------------------------------------------------------------------------- checks


class _Names:
    """Names of the index being written, by member number (read back from names.bin), and
    the members of a given name (through the hashes sorted, made on first use)."""

    def __init__(self, folder, writer, hashes):
        self.rec = np.memmap(Path(folder, "members.bin"), dtype=MEMBER, mode="r") \
            if writer.count else np.zeros(0, MEMBER)  # fmt: skip
        self.blob = np.memmap(Path(folder, "names.bin"), dtype=np.uint8, mode="r") \
            if writer.name_at else np.zeros(0, np.uint8)  # fmt: skip
        self.hashes = hashes

    def __getitem__(self, i):
        r = self.rec[i]
        start = int(r["name_at"])
        return bytes(self.blob[start : start + int(r["name_len"])]).decode(*_ENCODING)

    @functools.cached_property
    def _by_hash(self):
        order = np.argsort(self.hashes, kind="stable")
        return order, self.hashes[order]

    def find(self, name):
        """Member numbers named `name`, in index order."""
        order, ordered = self._by_hash
        h = _name_hash(name)
        lo, hi = np.searchsorted(ordered, h, "left"), np.searchsorted(ordered, h, "right")
        return [i for i in sorted(order[lo:hi].tolist()) if self[i] == name]

    def sharing_a_hash(self):
        """Member numbers whose name hash another member's name has too, in index order."""
        order, ordered = self._by_hash
        same = ordered[1:] == ordered[:-1]
        return np.unique(np.concatenate([order[1:][same], order[:-1][same]])).tolist()


def _check_twice(archive, kinds, names):
    """Refuse a name that appears twice (but for a directory listed again)."""
    first = {}
    for i in names.sharing_a_hash():
        name = names[i]
        j = first.setdefault(name, i)
        if j != i and not (kinds[i] == kinds[j] == DIR):
            raise _fail(archive, f"member {name!r}: appears twice")


def _check_folders(archive, dirs, kinds, names):
    """Every folder a member sits in must not be a file or a link of the archive."""
    for folder in sorted(dirs):
        for i in names.find(folder):
            if kinds[i] in (SYMLINK, HARDLINK):
                raise _fail(archive, f"member {dirs[folder]!r}: path goes through link {folder!r}")
            if kinds[i] != DIR:
                raise _fail(archive, f"member {dirs[folder]!r}: parent {folder!r} is a file")


def _resolve_links(archive, folder, state, kinds, names):
    """Check every link; point links to files of the archive at their target's data."""
    if not state.links and not state.hardlinks:
        return
    rec = np.memmap(Path(folder, "members.bin"), dtype=MEMBER, mode="r+")
    for name, target in sorted(state.links.items()):
        parts = _resolve(state.links, name.split("/")[:-1], target)
        if len(target) > MAX_LINK_TARGET or parts is None:
            raise _fail(archive, f"member {name!r}: symlink to {target!r} leaves the archive")
        found = names.find("/".join(parts))
        (i,) = names.find(name)
        if found and kinds[found[0]] == FILE:
            rec["offset"][i], rec["size"][i] = rec["offset"][found[0]], rec["size"][found[0]]
        else:  # a link to a folder, or dangling inside the archive: no data to read
            rec["offset"][i], rec["size"][i] = 0, 0
    for name, target in sorted(state.hardlinks.items()):
        found = names.find(target)
        if not found or kinds[found[0]] != FILE:
            raise _fail(
                archive, f"member {name!r}: hard link to {target!r}, not a file of the archive"
            )
        (i,) = names.find(name)
        rec["offset"][i], rec["size"][i] = rec["offset"][found[0]], rec["size"][found[0]]
    rec.flush()


# ----------------------------------------------------------------------------------- API


def _index(archive, fh, folder, limits, progress):
    """Write the index of `archive` (open as `fh`) into `folder`: (kinds, pass, writer)."""
    writer = _Writer(folder)
    state = _Pass(archive, fh, writer, limits, progress)
    try:
        state.run()
    except (tarfile.TarError, EOFError) as err:
        raise _fail(archive, f"not a readable tar: {type(err).__name__}: {err}") from None
    finally:
        writer.close()
    if state.total > limits.max_total_bytes:
        raise _fail(
            archive,
            f"{state.total} bytes uncompressed, over unpack_limits.max_total_bytes "
            f"{limits.max_total_bytes}",
        )
    kinds, hashes = writer.arrays()
    names = _Names(folder, writer, hashes)
    _check_twice(archive, kinds, names)
    _check_folders(archive, state.dirs, kinds, names)
    _resolve_links(archive, folder, state, kinds, names)
    return kinds, state, writer


def build_index(archive, dest, limits=Limits(), progress_interval=10.0):  # noqa: B008
    """Check every member of the plain tar `archive` and write its index into the new
    directory `dest` (atomically). Returns the index summary."""
    archive = Path(archive)
    size = archive.stat().st_size
    progress = _Progress(archive.name, size, progress_interval)
    with atomic_dir(dest) as tmp, open(archive, "rb", buffering=READ_SIZE) as fh:
        head = fh.read(3)
        if head[:2] == b"\x1f\x8b" or head == b"BZh" or head[:3] == b"\xfd7z":
            raise _fail(archive, "compressed tar: it cannot be read in place (extract it)")
        kinds, state, writer = _index(archive, fh, tmp, limits, progress)
        summary = {
            "format": FORMAT,
            "archive": archive.name,
            "path": str(archive),
            "archive_bytes": size,
            "members": writer.count,
            "files": int((kinds == FILE).sum()),
            "file_bytes": state.total,
        }
        write_json(Path(tmp, "index.json"), summary)
    log.info(
        "%s: %d members (%d files, %d bytes) checked and indexed",
        archive.name, summary["members"], summary["files"], summary["file_bytes"],
    )  # fmt: skip
    return summary
