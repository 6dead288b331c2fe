"""Plain tars read in place: one streaming pass checks every member and writes an index.

The pass applies the safety rules of `humanprep.acquire.unpack` (names that escape, links
leaving the archive, paths through links, devices and fifos, duplicates, the limits) without
ever holding a `TarInfo` per member. The file is read in order, 32 MiB at a time, while a
second thread follows the chain of headers through each chunk with a compiled scan
(`humanprep.acquire.tarscan`). Headers the scan does not take (pax and GNU long-name
headers, links, old V7 headers, the end, damage) go one by one through `tarfile`, which then
also handles their extended attributes; names that need normalising go through `safe_name`.

Memory is bounded by four chunks, the compiled scan (about 140 MB of Numba and LLVM), and
9 bytes per member: a 64-bit hash of each name, kept sorted to find duplicates and names
used both as a file and as a directory (a hash match is confirmed on the names themselves),
and its kind; plus the distinct directories. The index is three files:

- `members.bin`: `MEMBER` records (data offset, size, name offset, name length, kind),
- `names.bin`: the normalised names, concatenated (UTF-8, surrogate escapes for other bytes),
- `index.json`: the archive's name and size, the member count, byte total and format.

Links are resolved in the index: a hard link, or a symlink to a file of the archive, points
at its target's data. Readers (`open_index`, `read_member`) need only the index and the tar.
"""

import functools
import logging
import os
import queue
import sys
import tarfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from humanprep.acquire.unpack import MAX_LINK_TARGET, Limits, _resolve, safe_name
from humanprep.errors import HumanprepError
from humanprep.io import atomic_dir, write_json
from humanprep.members import KINDS, MEMBER

log = logging.getLogger(__name__)

BLOCK = 512
CHUNK_BLOCKS = 1 << 16  # 32 MiB reads
FORMAT = "humanprep-tarindex-1"
SWITCH_INTERVAL = 0.0002  # seconds
assert KINDS == ("file", "dir", "symlink", "hardlink")
FILE, DIR, SYMLINK, HARDLINK = range(4)
_MASK64 = (1 << 64) - 1
NAME_HASH_SEED = 0xC2B2AE3D27D4EB4F  # name_hash's constants (tarscan uses them too)
NAME_HASH_MUL = 0x9E3779B97F4A7C15


def _fail(archive, problem):
    return HumanprepError(archive, problem)


# ----------------------------------------------------------------------------------- hashing


def name_hash(raw):
    """64-bit hash of a name's bytes; the same as the scan computes (tarscan._hash)."""
    n = len(raw)
    h = (n * NAME_HASH_SEED) & _MASK64
    padded = raw + b"\x00" * (-n % 8)
    for (word,) in np.frombuffer(padded, dtype="<u8").reshape(-1, 1).tolist():
        h = (((h ^ word) * NAME_HASH_MUL) & _MASK64) ^ (h >> 29)
    return h


# ----------------------------------------------------------------------------------- the pass


class _Hashes:
    """The kind of every member, in index order, and the name hashes: those of directories
    as they come, those of all other members kept sorted on a worker thread as chunks
    arrive (each chunk sorted, then runs of equal length merged two by two, like a binary
    counter), so that at the end of the pass only the last few runs are left to merge (0.5 s
    saved on 5,000,000 members). Hashes in index order are made again from the names only
    when a check needs them (`_Names.hashes`)."""

    def __init__(self):
        self.kinds, self.dirs = [], []
        self.runs = []
        self.pool = ThreadPoolExecutor(1)  # numpy's sort releases the GIL
        self.pending = []

    def add(self, hashes, kinds):
        self.kinds.append(kinds)
        is_dir = kinds == DIR
        if is_dir.any():
            self.dirs.append(hashes[is_dir])
            hashes = hashes[~is_dir]
        while self.pending and self.pending[0].done():
            self.pending.pop(0).result()  # raises what the worker raised
        self.pending.append(self.pool.submit(self._merge_in, hashes))

    def _merge_in(self, hashes):
        run = np.sort(hashes)
        while self.runs and len(self.runs[-1]) <= len(run):
            run = _merged(self.runs.pop(), run)
        self.runs.append(run)

    def finish(self):
        """(kinds, sorted hashes of all but directories, hashes of directories)."""
        for future in self.pending:
            future.result()
        self.pool.shutdown()
        files = np.zeros(0, np.uint64)
        for run in reversed(self.runs):
            files = _merged(run, files)
        return _joined(self.kinds, np.uint8), files, _joined(self.dirs, np.uint64)


def _merged(a, b):
    """The sorted union of two sorted arrays (timsort merges the two runs it finds)."""
    if not len(a) or not len(b):
        return a if len(a) else b
    return np.sort(np.concatenate([a, b]), kind="stable")


def _joined(parts, dtype):
    return np.concatenate(parts) if parts else np.zeros(0, dtype)


class _Writer:
    """Appends member records and names to the index files, on a worker thread (writing
    the 269 MB index of 5,000,000 members took 0.6 s of the scan's own thread), and hands
    the hashes and kinds to `_Hashes`."""

    def __init__(self, folder):
        self.members = open(Path(folder, "members.bin"), "wb")  # noqa: SIM115
        self.names = open(Path(folder, "names.bin"), "wb")  # noqa: SIM115
        self.pool = ThreadPoolExecutor(1)
        self.writes = []
        self.name_at = 0
        self.count = 0
        self.total = 0
        self.hashes = _Hashes()
        self.pending = []  # members added one by one, written in batches

    def add_one(self, offset, size, kind, raw):
        self.pending.append((offset, size, kind, raw))
        if len(self.pending) >= 1 << 14:
            self.flush()

    def flush(self):
        if self.pending:
            offsets, sizes, kinds, raws = zip(*self.pending, strict=True)
            self.pending = []
            lengths = np.array([len(r) for r in raws], dtype=np.uint32)
            hashes = [name_hash(r) for r in raws]
            self.add(offsets, sizes, kinds, b"".join(raws), lengths, hashes)

    def add(self, offsets, sizes, kinds, blob, lengths, hashes):
        """Append members given field by field."""
        self.flush()
        rec = np.empty(len(offsets), dtype=MEMBER)
        rec["offset"], rec["size"], rec["kind"] = offsets, sizes, kinds
        rec["name_len"] = lengths
        ends = np.cumsum(lengths, dtype=np.uint64)
        rec["name_at"] = self.name_at + ends - np.asarray(lengths, dtype=np.uint64)
        self.add_records(rec, blob, np.array(hashes, dtype=np.uint64))

    def add_records(self, rec, blob, hashes):
        """Append records whose name offsets already follow on from `name_at`; `hashes`
        is kept (the caller hands over a copy)."""
        self.flush()
        while len(self.writes) >= 4:
            self.writes.pop(0).result()
        self.writes.append(self.pool.submit(self._write, rec.tobytes(), bytes(blob)))
        self.name_at += len(blob)
        self.hashes.add(hashes, rec["kind"].copy())
        self.count += len(rec)
        self.total += int(rec["size"].sum())

    def _write(self, rec, blob):
        self.members.write(rec)
        self.names.write(blob)

    def close(self):
        try:
            self.flush()
            for write in self.writes:
                write.result()
        finally:
            self.pool.shutdown()
            self.members.close()
            self.names.close()


class _Progress:
    def __init__(self, where, total, interval):
        self.where, self.total, self.interval = where, total, interval
        self.t0 = self.last = time.monotonic()

    def update(self, members, done):
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


def _read_into(fh, buf):
    """Fill buf from fh (short only at the end of the file); the bytes read."""
    view, got = memoryview(buf), 0
    while got < len(buf):
        n = fh.readinto(view[got:])
        if not n:
            break
        got += n
    return got


class _Pass:
    """The state of the pass: the next header's offset, the links, folders and the
    slow path's tarfile. `take` indexes one chunk; chunks arrive in file order."""

    def __init__(self, archive, writer, limits):
        from humanprep.acquire.tarscan import Scan  # compiled on first use, then cached

        self.archive, self.w, self.limits = archive, writer, limits
        self.scan = Scan(CHUNK_BLOCKS)
        self.next = 0  # offset of the next header
        self.ended = False  # the end-of-archive blocks were reached
        self.links = {}  # symlink name -> target
        self.hardlinks = {}  # hardlink name -> target
        self.dirs = {}  # directory name -> first member under it (for messages)
        self.fh = open(archive, "rb")  # noqa: SIM115  (the slow path's own reads)
        self.tar = None

    def close(self):
        self.fh.close()

    def take(self, buf, base, got):
        """Index the headers in the `got` bytes at file offset `base` held by `buf`."""
        n = got // BLOCK
        blk = np.frombuffer(buf, dtype=np.uint8, count=n * BLOCK)
        while not self.ended and self.next < base + n * BLOCK:
            first = (self.next - base) // BLOCK
            self.w.flush()  # members of the slow path first: name_at follows the file
            k, stop, slow = self.scan.run(blk, n, first, base, self.w.name_at)
            if k:
                self._add(k)
            self.next = base + stop * BLOCK
            if slow:
                nxt = self.slow(self.next)
                self.ended = nxt is None
                self.next = nxt if nxt is not None else self.next

    def _add(self, k):
        s = self.scan
        self._limits(k)
        rec = s.rec[:k]
        ends = np.cumsum(rec["name_len"], dtype=np.int64)
        blob = s.names[: int(ends[-1])]
        self._note_dirs(blob, ends - rec["name_len"], k)
        if not s.odd[:k].any():  # the usual case: the records are written as the scan made them
            self.w.add_records(rec, blob, s.hashes[:k].copy())
            return
        odd = np.flatnonzero(s.odd[:k]).tolist()
        cuts = [-1, *odd, k]
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            if lo >= 0:  # an odd name: normalised (or refused) one by one
                r = rec[lo]
                raw = bytes(blob[ends[lo] - r["name_len"] : ends[lo]])
                raw = raw.decode("utf-8", "surrogateescape")
                kind = KINDS[r["kind"]]
                self.add_one(safe_name(self.archive, raw), kind, int(r["size"]), int(r["offset"]))
            if hi > lo + 1:
                part = rec[lo + 1 : hi]
                names = blob[ends[lo + 1] - part["name_len"][0] : ends[hi - 1]]
                self.w.add(part["offset"], part["size"], part["kind"], names.tobytes(),
                           part["name_len"], s.hashes[lo + 1 : hi])  # fmt: skip

    def _note_dirs(self, blob, starts, k):
        """Record each folder first seen in this chunk (the scan marks where the folder
        changes from one header to the next; a hash tells folders already met)."""
        s = self.scan
        sel = np.flatnonzero(s.newp[:k] & (s.plens[:k] > 0) & ~s.odd[:k])
        if not len(sel):
            return
        _, first = np.unique(s.phashes[sel], return_index=True)
        for i in sel[np.sort(first)].tolist():
            start = int(starts[i])
            folder = bytes(blob[start : start + int(s.plens[i])])
            folder = folder.decode("utf-8", "surrogateescape")
            if folder not in self.dirs:
                member = bytes(blob[start : start + int(s.rec["name_len"][i])])
                self._add_dir(folder, member.decode("utf-8", "surrogateescape"))

    def _add_dir(self, folder, member):
        parts = folder.split("/")
        for k in range(len(parts), 0, -1):
            prefix = "/".join(parts[:k])
            if prefix in self.dirs:
                break
            self.dirs[prefix] = member

    def _limits(self, more):
        if self.w.count + len(self.w.pending) + more > self.limits.max_members:
            raise _fail(
                self.archive, f"over unpack_limits.max_members {self.limits.max_members} members"
            )

    # -- slow path: one member through tarfile

    def add_one(self, name, kind, size, offset, target=None):
        if kind != "dir" and not name:
            raise _fail(self.archive, "member naming the archive root itself")
        if kind == "symlink":
            if len(target) > MAX_LINK_TARGET:
                raise _fail(self.archive, f"member {name!r}: symlink target over {MAX_LINK_TARGET}")
            self.links[name] = target
        elif kind == "hardlink":
            self.hardlinks[name] = target
        raw = name.encode("utf-8", "surrogateescape")
        self._limits(1)
        self.w.add_one(offset, size, KINDS.index(kind), raw)
        folder = name if kind == "dir" else name.rpartition("/")[0]
        if folder and folder not in self.dirs:
            self._add_dir(folder, name)

    def slow(self, pos):
        """Index the member whose header is at `pos` with tarfile; the next header's offset,
        or None at the end of the archive."""
        self.fh.seek(pos)
        head = self.fh.read(BLOCK)
        if len(head) < BLOCK:
            raise _fail(self.archive, "not a readable tar: no end-of-archive marker (truncated?)")
        if not any(head):
            return None
        _check_sum(self.archive, head, pos)
        if self.tar is None:
            self.fh.seek(0)
            self.tar = tarfile.TarFile(fileobj=self.fh, mode="r")
            self.tar.firstmember = None  # next() would hand back the member at 0 first
        self.tar.offset = pos
        self.tar.fileobj.seek(pos)
        info = self.tar.next()
        self.tar.members.clear()
        if info is None:
            raise _fail(self.archive, f"not a readable tar: invalid header at byte {pos}")
        name = safe_name(self.archive, info.name)
        if info.isdir():
            kind, target = "dir", None
        elif info.isreg() and not info.issparse():
            kind, target = "file", None
        elif info.issparse():  # GNU or pax: its data is not one run of bytes to read in place
            raise _fail(
                self.archive,
                f"member {info.name!r}: a sparse file (GNU or pax sparse format), which is not "
                "read in place; re-create the archive without --sparse",
            )
        elif info.issym():
            kind, target = "symlink", info.linkname
        elif info.islnk():
            kind = "hardlink"
            try:
                target = safe_name(self.archive, info.linkname)
            except HumanprepError:
                raise _fail(
                    self.archive,
                    f"member {info.name!r}: hard link to {info.linkname!r} leaves the archive",
                ) from None
        elif info.ischr() or info.isblk() or info.isfifo():
            raise _fail(self.archive, f"member {info.name!r}: device or fifo")
        else:
            raise _fail(self.archive, f"member {info.name!r}: unsupported type {info.type!r}")
        size = info.size if kind == "file" else 0
        self.add_one(name, kind, size, info.offset_data, target)
        return self.tar.offset


def _check_sum(archive, head, pos):
    """Refuse a header whose checksum is neither its unsigned nor its signed byte sum
    (what tarfile accepts), naming where it is."""
    try:
        stored = tarfile.nti(head[148:156])
    except tarfile.InvalidHeaderError:
        stored = None
    if stored not in tarfile.calc_chksums(head):
        raise _fail(archive, f"not a readable tar: bad checksum at byte {pos}")


class _Reader:
    """Reads the file in order into a few reused buffers on its own thread, from the start,
    so that reading goes on while the scan is loaded and while it runs. A buffer comes back
    through `done` once its chunk is indexed. While all are full, the thread asks the kernel
    to read on ahead (fadvise WILLNEED, a step at a time: one call reads at most the
    device's readahead size), up to `AHEAD` bytes past them, so the disk never idles while
    the scan catches up (its first call alone takes about 0.4 s, 1 GB of reading here)."""

    AHEAD = 1 << 30
    STEP = 1 << 20

    def __init__(self, fh, count=4):
        self.fh = fh
        self.full = queue.Queue()
        self.free = queue.Queue()
        self.count, self.made = count, 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _buffer(self):
        """A free buffer, or a new one while fewer than `count` exist; None when there is
        none to have without waiting."""
        try:
            return self.free.get_nowait()
        except queue.Empty:
            if self.made == self.count:
                return None
            self.made += 1
            return bytearray(CHUNK_BLOCKS * BLOCK)

    def _run(self):
        base = ahead = 0
        fd = self.fh.fileno()
        size = os.fstat(fd).st_size
        self.fh.seek(0)
        try:
            while True:
                buf = self._buffer()
                ahead = max(ahead, base)
                if buf is None and not self.stop and ahead < min(base + self.AHEAD, size):
                    os.posix_fadvise(fd, ahead, self.STEP, os.POSIX_FADV_WILLNEED)
                    ahead += self.STEP
                    continue
                if buf is None and not self.stop:
                    buf = self.free.get()
                if self.stop:
                    break
                got = _read_into(self.fh, buf)
                self.full.put((buf, base, got))
                base += got
                if got < len(buf):
                    break
        except OSError as err:
            self.full.put(err)
            return
        self.full.put(None)

    def chunks(self):
        """(buffer, offset, bytes) of each chunk in order; give each buffer back (`done`)."""
        while (item := self.full.get()) is not None:
            if isinstance(item, OSError):
                raise item
            yield item

    def done(self, buf):
        self.free.put(buf)

    def close(self):
        self.stop = True
        self.free.put(None)
        self.thread.join()


def _walk(archive, fh, writer, limits, progress):
    size = os.fstat(fh.fileno()).st_size
    # After each read the reader waits for the GIL; with the default 5 ms switch interval
    # that wait alone cost 0.6 s of 4.2 on 5,000,000 members read from disk.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    reader = _Reader(fh)
    try:
        state = _Pass(archive, writer, limits)  # loads the compiled scan meanwhile
        try:
            for buf, base, got in reader.chunks():
                state.take(buf, base, got)
                reader.done(buf)
                progress.update(writer.count, base + got)
                if state.ended:
                    break
        finally:
            state.close()
        if not state.ended and state.next != size:  # tarfile accepts a tar that ends at a
            raise _fail(  # member boundary without end blocks
                archive, "not a readable tar: no end-of-archive marker (truncated?)"
            )
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise _fail(archive, f"not a readable tar: {type(err).__name__}: {err}") from None
    finally:
        reader.close()
        sys.setswitchinterval(switch)
    return state


# ----------------------------------------------------------------------------------- checks


class _Names:
    """Names of the index being written, by member number (read back from names.bin), and
    their hashes in index order (made on first use)."""

    def __init__(self, folder, writer):
        self.rec = np.memmap(Path(folder, "members.bin"), dtype=MEMBER, mode="r") \
            if writer.count else np.zeros(0, MEMBER)  # fmt: skip
        self.blob = np.memmap(Path(folder, "names.bin"), dtype=np.uint8, mode="r") \
            if writer.name_at else np.zeros(0, np.uint8)  # fmt: skip

    def __getitem__(self, i):
        r = self.rec[i]
        start = int(r["name_at"])
        return bytes(self.blob[start : start + int(r["name_len"])]).decode(
            "utf-8", "surrogateescape"
        )

    def with_hash(self, h):
        """Member numbers, in index order, whose name hashes to `h` (a binary search: a
        tar may hold many links)."""
        order, ordered = self._by_hash
        lo, hi = np.searchsorted(ordered, h, "left"), np.searchsorted(ordered, h, "right")
        return sorted(order[lo:hi].tolist())

    @functools.cached_property
    def _by_hash(self):
        order = np.argsort(self.hashes, kind="stable")
        return order, self.hashes[order]

    @functools.cached_property
    def hashes(self):
        from humanprep.acquire.tarscan import hash_names

        return hash_names(np.asarray(self.blob), np.ascontiguousarray(self.rec["name_at"]),
                          np.ascontiguousarray(self.rec["name_len"]))  # fmt: skip


def _check(archive, folder, state, limits):
    w = state.w
    if w.total > limits.max_total_bytes:
        raise _fail(
            archive,
            f"{w.total} bytes uncompressed, over unpack_limits.max_total_bytes "
            f"{limits.max_total_bytes}",
        )
    kinds, files, dirs = w.hashes.finish()
    names = _Names(folder, w)
    _check_twice(archive, files, dirs, kinds, names)
    _check_folders(archive, state.dirs, files, kinds, names)
    return kinds, names


def _among(values, ordered):
    """The values (unique) found in the sorted array `ordered`."""
    values = np.unique(values)
    if not len(ordered) or not len(values):
        return values[:0]
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return values[ordered[at] == values]


def _check_twice(archive, files, dirs, kinds, names):
    """Refuse a name that appears twice (but for a directory listed again). Only members
    whose hash appears twice are looked at by name."""
    same = files[1:][files[1:] == files[:-1]]
    same = np.concatenate([same, _among(dirs, files)])
    if not len(same):
        return
    hashes = names.hashes
    cand = np.flatnonzero(np.isin(hashes, same))
    cand = cand[np.argsort(hashes[cand], kind="stable")]
    for a, b in zip(cand[:-1].tolist(), cand[1:].tolist(), strict=True):
        if hashes[a] == hashes[b] and names[a] == names[b] and not (kinds[a] == kinds[b] == DIR):
            raise _fail(archive, f"member {names[b]!r}: appears twice")


def _check_folders(archive, dirs, files, kinds, names):
    """Every folder a member sits in must not be a file or a link of the archive."""
    by_hash = {}
    for name in dirs:
        by_hash.setdefault(name_hash(name.encode("utf-8", "surrogateescape")), []).append(name)
    hits = _among(np.array(list(by_hash), dtype=np.uint64), files).tolist()
    clashes = sorted(
        (name, i)
        for h in hits
        for i in names.with_hash(np.uint64(h))
        if kinds[i] != DIR
        for name in by_hash[h]
        if names[i] == name
    )
    if clashes:
        name, i = clashes[0]
        member = dirs[name]
        if kinds[i] in (SYMLINK, HARDLINK):
            raise _fail(archive, f"member {member!r}: path goes through link {name!r}")
        raise _fail(archive, f"member {member!r}: parent {name!r} is a file")


def _lookup(name, names):
    h = np.uint64(name_hash(name.encode("utf-8", "surrogateescape")))
    for i in names.with_hash(h):
        if names[i] == name:
            return i
    return None


def _resolve_links(archive, folder, state, kinds, names):
    """Check every link; point links to files of the archive at their target's data."""
    if not state.links and not state.hardlinks:
        return
    rec = np.memmap(Path(folder, "members.bin"), dtype=MEMBER, mode="r+")
    for name, target in sorted(state.links.items()):
        parts = _resolve(state.links, name.split("/")[:-1], target)
        if len(target) > MAX_LINK_TARGET or parts is None:
            raise _fail(archive, f"member {name!r}: symlink to {target!r} leaves the archive")
        found = _lookup("/".join(parts), names)
        i = _lookup(name, names)
        if found is not None and kinds[found] == FILE:
            rec["offset"][i], rec["size"][i] = rec["offset"][found], rec["size"][found]
        else:  # a link to a folder, or dangling inside the archive: no data to read
            rec["offset"][i], rec["size"][i] = 0, 0
    for name, target in sorted(state.hardlinks.items()):
        found = _lookup(target, names)
        if found is None or kinds[found] != FILE:
            raise _fail(
                archive, f"member {name!r}: hard link to {target!r}, not a file of the archive"
            )
        i = _lookup(name, names)
        rec["offset"][i], rec["size"][i] = rec["offset"][found], rec["size"][found]
    rec.flush()


# ----------------------------------------------------------------------------------- API


def build_index(archive, dest, limits=Limits(), progress_interval=10.0):  # noqa: B008
    """Check every member of the plain tar `archive` and write its index into the new
    directory `dest` (atomically). Returns the index summary."""
    archive = Path(archive)
    size = archive.stat().st_size
    progress = _Progress(archive.name, size, progress_interval)
    with atomic_dir(dest) as tmp, open(archive, "rb") as fh:
        head = fh.read(3)
        if head[:2] == b"\x1f\x8b" or head == b"BZh" or head[:3] == b"\xfd7z":
            raise _fail(archive, "compressed tar: it cannot be read in place (extract it)")
        writer = _Writer(tmp)
        try:
            state = _walk(archive, fh, writer, limits, progress)
        finally:
            writer.close()
        kinds, names = _check(archive, tmp, state, limits)
        _resolve_links(archive, tmp, state, kinds, names)
        summary = {
            "format": FORMAT,
            "archive": archive.name,
            "path": str(archive),
            "archive_bytes": size,
            "members": writer.count,
            "files": int((kinds == FILE).sum()),
            "file_bytes": writer.total,
        }
        write_json(Path(tmp, "index.json"), summary)
    log.info(
        "%s: %d members (%d files, %d bytes) checked and indexed",
        archive.name, summary["members"], summary["files"], summary["file_bytes"],
    )  # fmt: skip
    return summary
