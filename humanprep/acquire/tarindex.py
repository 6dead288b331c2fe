"""Plain tars read in place: one streaming pass checks every member and writes an index.

The pass applies the safety rules of `humanprep.acquire.unpack` (names that escape, links
leaving the archive, paths through links, devices and fifos, duplicates, the limits) without
ever holding a `TarInfo` per member. Headers are parsed with numpy a chunk at a time: the
size field of every 512-byte block is decoded at once, and the chain of headers is followed
through that array. Headers the fast path does not handle (pax and GNU long-name headers,
links, old V7 headers, names that need normalising) go one by one through `tarfile`, which
then also handles their extended attributes.

Memory is bounded by one chunk plus 8 bytes per member (a 64-bit hash of each name, kept to
find duplicates and names used both as a file and as a directory; a hash match is confirmed
on the names themselves) and the distinct directories. The index is three files:

- `members.bin`: `MEMBER` records (data offset, size, name offset, name length, kind),
- `names.bin`: the normalised names, concatenated (UTF-8, surrogate escapes for other bytes),
- `index.json`: the archive's name and size, the member count, byte total and format.

Links are resolved in the index: a hard link, or a symlink to a file of the archive, points
at its target's data. Readers (`open_index`, `read_member`) need only the index and the tar.
"""

import logging
import os
import tarfile
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
assert KINDS == ("file", "dir", "symlink", "hardlink")
FILE, DIR, SYMLINK, HARDLINK = range(4)
NAME_LEN = 100
_POSIX = np.frombuffer(b"ustar\x0000", dtype=np.uint8)
_GNU = np.frombuffer(b"ustar  \x00", dtype=np.uint8)
_OCTAL6 = 8 ** np.arange(5, -1, -1, dtype=np.int64)
_GNU_WORD = int(_GNU.view("<u8")[0])
_POSIX_WORD = int(_POSIX.view("<u8")[0])
_OCT_MASK = 0xF8F8F8F8F8F8F8F8
_OCT_ZERO = 0x3030303030303030
# Inside names run together: backslash, "//", "." or ".." components, a colon (maybe
# "C:"); a false hit across two names costs only a look row by row. Empty, absolute and
# trailing-slash names and those that start or end with a dot are found column-wise
# (_odd_names).
_INNER = (b"\\", b"//", b":", b"/./", b"/../")
_MUL = np.uint64(0x9E3779B97F4A7C15)
_MASK64 = (1 << 64) - 1


def _fail(archive, problem):
    return HumanprepError(archive, problem)


# ----------------------------------------------------------------------------------- hashing


def name_hash(raw):
    """64-bit hash of a name's bytes; the same as `_hash_rows` computes for a chunk."""
    n = len(raw)
    h = (n * 0xC2B2AE3D27D4EB4F) & _MASK64
    padded = raw + b"\x00" * (-n % 8)
    for (word,) in np.frombuffer(padded, dtype="<u8").reshape(-1, 1).tolist():
        h = (((h ^ word) * 0x9E3779B97F4A7C15) & _MASK64) ^ (h >> 29)
    return h


def _hash_rows(names, lengths, prefix=None):
    """name_hash of each row's first `lengths` bytes (rows zero beyond them, 104 wide);
    with `prefix` (lengths), also (prefix, name_hash of each row's first `prefix` bytes)."""
    words = names.view("<u8")
    nwords = (lengths.astype(np.int64) + 7) // 8
    h = lengths.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    if prefix is not None:
        pwords = (prefix + 7) // 8
        cut = (prefix % 8) * 8  # bits of the last word that belong to the prefix (0: all)
        keep = np.where(cut == 0, _u64(_MASK64), (_u64(1) << cut.astype(np.uint64)) - _u64(1))
        p = prefix.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
    for j in range(words.shape[1]):
        word = words[:, j]
        mixed = ((h ^ word) * _MUL) ^ (h >> np.uint64(29))
        h = np.where(j < nwords, mixed, h)
        if prefix is not None:
            word = np.where(j == pwords - 1, word & keep, word)
            mixed = ((p ^ word) * _MUL) ^ (p >> np.uint64(29))
            p = np.where(j < pwords, mixed, p)
    return h if prefix is None else (h, (prefix, p))


def _u64(value):
    return np.uint64(value)


def _sizes(blk):
    """(size, valid) of each block's size field read as a header: 11 octal digits and a
    NUL or space (what tarfile, GNU tar and most writers store); others are not valid here.
    The last 8 digits are decoded as one 64-bit word (SWAR), the first 3 column by column."""
    word = np.ascontiguousarray(blk[:, 127:135]).view("<u8")[:, 0]
    head = blk[:, 124:127].astype(np.int64) - 48
    valid = (word & _u64(_OCT_MASK)) == _u64(_OCT_ZERO)
    valid &= ((head >= 0) & (head <= 7)).all(1)
    end = blk[:, 135]
    valid &= (end == 0) | (end == 32)
    v = word - _u64(_OCT_ZERO)
    m8 = _u64(0x00FF00FF00FF00FF)
    v = ((v & m8) << _u64(3)) + ((v >> _u64(8)) & m8)
    m16 = _u64(0x0000FFFF0000FFFF)
    v = ((v & m16) << _u64(6)) + ((v >> _u64(16)) & m16)
    v = ((v & _u64(0xFFFFFFFF)) << _u64(12)) + (v >> _u64(32))
    size = v.astype(np.int64) + (head @ np.array([8**10, 8**9, 8**8], dtype=np.int64))
    return size, valid


def _byte_sums(rows):
    """Sum of each row's 512 bytes (numpy's uint32 reduction: the fastest measured here,
    ahead of 16-bit lanes of 64-bit words and of int64 sums)."""
    return rows.sum(1, dtype=np.uint32).astype(np.int64)


# ----------------------------------------------------------------------------------- the pass


class _Writer:
    """Appends member records and names to the index files; keeps the per-member hashes."""

    def __init__(self, folder):
        self.members = open(Path(folder, "members.bin"), "wb")  # noqa: SIM115
        self.names = open(Path(folder, "names.bin"), "wb")  # noqa: SIM115
        self.name_at = 0
        self.count = 0
        self.total = 0
        self.hashes = []  # per chunk: uint64 arrays
        self.kinds = []
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
            self._add(offsets, sizes, kinds, b"".join(raws), lengths, hashes)

    def add(self, *args):
        self.flush()
        self._add(*args)

    def _add(self, offsets, sizes, kinds, blob, lengths, hashes):
        n = len(offsets)
        rec = np.empty(n, dtype=MEMBER)
        rec["offset"], rec["size"], rec["kind"] = offsets, sizes, kinds
        rec["name_len"] = lengths
        ends = np.cumsum(lengths, dtype=np.uint64)
        rec["name_at"] = self.name_at + ends - lengths.astype(np.uint64)
        self.name_at += int(ends[-1]) if n else 0
        self.members.write(rec.tobytes())
        self.names.write(blob)
        self.hashes.append(np.asarray(hashes, dtype=np.uint64))
        self.kinds.append(np.asarray(kinds, dtype=np.uint8))
        self.count += n
        self.total += int(np.asarray(sizes, dtype=np.uint64).sum())

    def close(self):
        self.flush()
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
    def __init__(self, archive, fh, writer, limits, progress):
        self.archive, self.fh, self.w, self.limits = archive, fh, writer, limits
        self.progress = progress
        self.links = {}  # symlink name -> target
        self.hardlinks = {}  # hardlink name -> target
        self.dirs = {}  # directory name -> first member under it (for messages)
        self.tar = None
        self.pool = ThreadPoolExecutor(1)  # numpy releases the GIL: take while reading on
        self.pending = []
        # read into reused buffers (a fresh 32 MiB bytes object per read costs its page
        # faults every time): one being read, up to two pending in the pool, one spare
        self.buffers = [bytearray(CHUNK_BLOCKS * BLOCK) for _ in range(4)]
        self.turn = 0

    def _submit(self, rows, sizes, heads, pos):
        while len(self.pending) >= 2:
            self.pending.pop(0).result()
        self.pending.append(self.pool.submit(self._take, rows, sizes, heads, pos))

    def drain(self):
        while self.pending:
            self.pending.pop(0).result()

    # -- fast path: a chunk of blocks starting at a header

    def chunk(self, pos):
        """Index the fast headers of the chunk at `pos`; return the next header's offset,
        or (offset, True) when the header there needs the slow path."""
        self.fh.seek(pos)
        buf = self.buffers[self.turn % len(self.buffers)]
        self.turn += 1
        got = _read_into(self.fh, buf)
        n = got // BLOCK
        if n == 0:
            raise _fail(self.archive, f"not a readable tar: ends at byte {pos} without end marker")
        blk = np.frombuffer(buf, dtype=np.uint8, count=n * BLOCK).reshape(n, BLOCK)
        cand, rows, sizes, nxt = self._candidates(blk)
        if len(cand) and cand[0] == 0 and (nxt[:-1] == cand[1:]).all():
            # the usual case: the fast headers follow one another, a chain without gaps
            heads, i = cand, int(nxt[-1])
        else:  # data blocks that look like headers, or a header for the slow path
            sel, i = self._follow(cand, nxt, n)
            heads, rows, sizes = cand[sel], rows[sel], sizes[sel]
        if len(heads):
            self._submit(rows, sizes, heads, pos)
        if i < n:  # the chain reached a block that is no fast header
            return pos + i * BLOCK, True
        return pos + i * BLOCK, False

    @staticmethod
    def _candidates(blk):
        """(block numbers, copies of those blocks, their sizes, block of the next header
        after each) of the blocks that read as fast headers: ustar or GNU magic, a file,
        directory or contiguous-file type, no ustar prefix (GNU headers keep times there:
        slow path), a size field of octal digits. Only blocks with the magic are looked at
        further; the sizes go on to the pass's second thread, which would parse them again."""
        magic = np.ascontiguousarray(blk[:, 257:265]).view("<u8")[:, 0]
        cand = np.flatnonzero((magic == _GNU_WORD) | (magic == _POSIX_WORD))
        rows = blk[cand]
        types = rows[:, 156]
        ok = (types == 48) | (types == 53) | (types == 55)  # "0", "5", "7"
        ok &= rows[:, 345] == 0
        size, valid = _sizes(rows)
        ok &= valid
        if not ok.all():
            cand, rows, size, types = cand[ok], rows[ok], size[ok], types[ok]
        data = np.where(types == 53, 0, (size + BLOCK - 1) // BLOCK)  # dirs have no data
        return cand, rows, size, cand + 1 + data

    @staticmethod
    def _follow(cand, nxt, n):
        """(positions in cand of the chain of headers from block 0, the block it stops at:
        n or more past the chunk, else a block that is no fast header)."""
        nl = dict(zip(cand.tolist(), nxt.tolist(), strict=True))
        at = {b: k for k, b in enumerate(cand.tolist())}
        sel, i = [], 0
        while i < n and i in nl:
            sel.append(at[i])
            i = nl[i]
        return np.array(sel, dtype=np.int64), i

    def _take(self, rows, sizes, heads, pos):
        self._check_sums(rows, pos + heads * BLOCK)
        types = rows[:, 156]
        names = np.zeros((len(rows), 104), dtype=np.uint8)
        names[:, :NAME_LEN] = rows[:, :NAME_LEN]
        raw_len = (names == 0).argmax(1)  # column 100 is always 0
        names *= np.arange(104) < raw_len[:, None]
        kinds = np.where(types == ord("5"), DIR, FILE).astype(np.uint8)
        sizes = np.where(kinds == DIR, 0, sizes)
        # "./" prefixes (tar -C dir .) are dropped here; anything else to normalise goes
        # through safe_name one by one.
        dot = (names[:, 0] == 46) & (names[:, 1] == 47) & (raw_len > 2)
        if dot.any():
            names[dot, :-2] = names[dot, 2:]
            names[dot, -2:] = 0
            raw_len = raw_len - 2 * dot
        blob = names.tobytes().translate(None, b"\x00")  # names are NUL-free, zero-padded
        odd = self._odd_names(names, raw_len, blob)
        offsets = pos + (heads + 1) * BLOCK
        if odd.any():
            self._take_slowly(names, raw_len, odd, kinds, sizes, offsets)
            keep = ~odd
            names, raw_len = names[keep], raw_len[keep]
            kinds, sizes, offsets = kinds[keep], sizes[keep], offsets[keep]
            blob = names.tobytes().translate(None, b"\x00")
        if len(names):
            lengths = raw_len.astype(np.uint32)
            self._limits(len(names))
            hashes, parents = _hash_rows(names, lengths, self._parents(names, raw_len, kinds))
            self._note_dirs(names, raw_len, parents)
            self.w.add(offsets, sizes, kinds, blob, lengths, hashes)

    def _check_sums(self, rows, where):
        stored = rows[:, 148:154].astype(np.int64) - 48
        good = ((stored >= 0) & (stored <= 7)).all(1)
        value = stored @ _OCTAL6
        total = _byte_sums(rows) - rows[:, 148:156].sum(1, dtype=np.int64) + 256
        bad = ~good | (value != total)
        if bad.any():
            for i in np.flatnonzero(bad).tolist():
                row = rows[i].view(np.int8)
                signed = int(row.sum()) - int(row[148:156].sum())
                field = bytes(rows[i, 148:156]).split(b"\x00")[0].strip() or b"0"
                try:
                    expected = int(field, 8)
                except ValueError:
                    expected = None
                if expected not in (int(total[i]), signed + 256):
                    raise _fail(
                        self.archive, f"not a readable tar: bad checksum at byte {where[i]}"
                    )

    @staticmethod
    def _odd_names(names, length, blob):
        """Rows whose name is empty or needs normalising, or holds a backslash or '..':
        the ends of every name looked at column-wise, and a few substring searches over
        the chunk's names run together (`blob`); row by row only on a hit."""
        rows = np.arange(len(names))
        last = names[rows, np.maximum(length - 1, 0)]
        before = names[rows, np.maximum(length - 2, 0)]
        edge = (length == 0) | (names[:, 0] == 47) | (names[:, 0] == 46) | (last == 47)
        edge |= (last == 46) & ((length == 1) | (before == 47) | (before == 46))
        if not edge.any() and not any(p in blob for p in _INNER):
            return np.zeros(len(names), dtype=bool)
        return _Pass._odd_rows(names, length)

    @staticmethod
    def _odd_rows(names, length):
        """Rows whose name is empty or needs normalising, or holds a backslash or '..'."""
        cols = np.arange(104)
        inside = cols < length[:, None]
        slash = (names == 47) & inside
        dot = (names == 46) & inside
        odd = length == 0
        odd |= names[:, 0] == 47  # absolute
        odd |= (names[:, 1] == 58) & inside[:, 1]  # "C:"
        odd |= ((names == 92) & inside).any(1)  # backslash
        odd |= (slash[:, :-1] & slash[:, 1:]).any(1)  # "//"
        last = names[np.arange(len(names)), np.maximum(length - 1, 0)]
        odd |= last == 47  # trailing slash
        # a component "." or ".." anywhere: a dot that starts a component and ends at a
        # slash or the name's end, or two such dots
        starts = np.ones_like(dot)
        starts[:, 1:] = slash[:, :-1]
        ends_at = ~inside | slash
        one = dot & starts & np.concatenate([ends_at[:, 1:], np.ones((len(names), 1), bool)], 1)
        two = dot[:, :-1] & starts[:, :-1] & dot[:, 1:]
        two &= np.concatenate([ends_at[:, 2:], np.ones((len(names), 1), bool)], 1)
        odd |= one.any(1) | two.any(1)
        return odd

    def _take_slowly(self, names, length, odd, kinds, sizes, offsets):
        for i in np.flatnonzero(odd).tolist():
            raw = bytes(names[i, : length[i]]).decode("utf-8", "surrogateescape")
            kind = KINDS[kinds[i]]
            self.add_one(safe_name(self.archive, raw), kind, int(sizes[i]), int(offsets[i]))

    @staticmethod
    def _parents(names, length, kinds):
        """Length of the folder each row sits in (a directory: itself), 0 for none."""
        slash = names == 47
        last = 103 - np.argmax(slash[:, ::-1], axis=1)
        last = np.where(slash[np.arange(len(names)), last], last, 0)
        return np.where(kinds == DIR, length, last)

    def _note_dirs(self, names, length, parents):
        parent, h = parents
        sel = np.flatnonzero(parent > 0)
        if not len(sel):
            return
        _, first = np.unique(h[sel], return_index=True)
        for j in first.tolist():
            i = int(sel[j])
            folder = bytes(names[i, : parent[i]]).decode("utf-8", "surrogateescape")
            if folder not in self.dirs:
                member = bytes(names[i, : length[i]]).decode("utf-8", "surrogateescape")
                self._add_dir(folder, member)

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
        self.drain()
        self.fh.seek(pos)
        head = self.fh.read(BLOCK)
        if len(head) < BLOCK or not any(head):
            return None
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


def _walk(archive, fh, writer, limits, progress):
    state = _Pass(archive, fh, writer, limits, progress)
    size = os.fstat(fh.fileno()).st_size
    pos = 0
    try:
        while True:
            if pos == size:  # ends at a member boundary, without end blocks (tarfile accepts it)
                break
            if pos + BLOCK > size:
                raise _fail(archive, "not a readable tar: no end-of-archive marker (truncated?)")
            pos, needs_slow = state.chunk(pos)
            if needs_slow:
                pos = state.slow(pos)
                if pos is None:
                    break
            progress.update(writer.count, pos)
        state.drain()
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise _fail(archive, f"not a readable tar: {type(err).__name__}: {err}") from None
    finally:
        state.pool.shutdown(cancel_futures=True)
    return state


# ----------------------------------------------------------------------------------- checks


class _Names:
    """Names of the index being written, by member number (read back from names.bin)."""

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


def _check(archive, folder, state, limits):
    w = state.w
    if w.total > limits.max_total_bytes:
        raise _fail(
            archive,
            f"{w.total} bytes uncompressed, over unpack_limits.max_total_bytes "
            f"{limits.max_total_bytes}",
        )
    hashes = np.concatenate(w.hashes) if w.hashes else np.zeros(0, np.uint64)
    kinds = np.concatenate(w.kinds) if w.kinds else np.zeros(0, np.uint8)
    names = _Names(folder, w)
    order = np.argsort(hashes, kind="stable")
    sh = hashes[order]
    same = np.flatnonzero(sh[1:] == sh[:-1])
    for j in same.tolist():
        a, b = int(order[j]), int(order[j + 1])
        if names[a] == names[b] and not (kinds[a] == kinds[b] == DIR):
            raise _fail(archive, f"member {names[b]!r}: appears twice")
    # every directory a member sits in must not be a file or a link of the archive
    non_dir = np.sort(hashes[kinds != DIR])
    for folder_name, member in sorted(state.dirs.items()):
        h = np.uint64(name_hash(folder_name.encode("utf-8", "surrogateescape")))
        at = np.searchsorted(non_dir, h)
        if at < len(non_dir) and non_dir[at] == h:
            for i in np.flatnonzero((hashes == h) & (kinds != DIR)).tolist():
                if names[i] == folder_name:
                    if kinds[i] in (SYMLINK, HARDLINK):
                        raise _fail(
                            archive, f"member {member!r}: path goes through link {folder_name!r}"
                        )
                    raise _fail(archive, f"member {member!r}: parent {folder_name!r} is a file")
    return hashes, kinds, names


def _lookup(name, hashes, kinds, names):
    h = np.uint64(name_hash(name.encode("utf-8", "surrogateescape")))
    for i in np.flatnonzero(hashes == h).tolist():
        if names[i] == name:
            return i
    return None


def _resolve_links(archive, folder, state, hashes, kinds, names):
    """Check every link; point links to files of the archive at their target's data."""
    if not state.links and not state.hardlinks:
        return
    rec = np.memmap(Path(folder, "members.bin"), dtype=MEMBER, mode="r+")
    for name, target in sorted(state.links.items()):
        parts = _resolve(state.links, name.split("/")[:-1], target)
        if len(target) > MAX_LINK_TARGET or parts is None:
            raise _fail(archive, f"member {name!r}: symlink to {target!r} leaves the archive")
        found = _lookup("/".join(parts), hashes, kinds, names)
        i = _lookup(name, hashes, kinds, names)
        if found is not None and kinds[found] == FILE:
            rec["offset"][i], rec["size"][i] = rec["offset"][found], rec["size"][found]
        else:  # a link to a folder, or dangling inside the archive: no data to read
            rec["offset"][i], rec["size"][i] = 0, 0
    for name, target in sorted(state.hardlinks.items()):
        found = _lookup(target, hashes, kinds, names)
        if found is None or kinds[found] != FILE:
            raise _fail(
                archive, f"member {name!r}: hard link to {target!r}, not a file of the archive"
            )
        i = _lookup(name, hashes, kinds, names)
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
        hashes, kinds, names = _check(archive, tmp, state, limits)
        _resolve_links(archive, tmp, state, hashes, kinds, names)
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
