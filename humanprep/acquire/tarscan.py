"""The tar index pass's inner loop, compiled with Numba: it follows the chain of headers
through one chunk of blocks and decodes each, at about the speed the bytes are read.

Numpy, a whole chunk at a time, cost about 1.9 us of CPU per member (a dozen passes over
every header: magic, sizes, checksums, names, hashes); GNU tar's own listing in C runs at
half the speed of `cat` on a tar of one-block members. This loop reads each header once.

A header is taken here only when it is plain: ustar or GNU magic, a file, directory or
contiguous-file type, no ustar prefix, a size of 11 octal digits, a checksum of 6 octal
digits that matches the unsigned sum. The scan stops at any other header (pax, GNU long
names, links, old V7 headers, end of archive, damage) and the caller takes that one member
through `tarfile`. Names that need normalising or checking (empty or absolute, ".", ".."
or empty components, a trailing "/", backslash, colon) are flagged, not judged here.
"""

import numpy as np
from numba import njit

from humanprep.acquire.tarindex import DIR, FILE, NAME_HASH_MUL, NAME_HASH_SEED
from humanprep.members import MEMBER

NAME_LEN = 100
_HASH_SEED = np.uint64(NAME_HASH_SEED)
_HASH_MUL = np.uint64(NAME_HASH_MUL)


class Scan:
    """Reusable output arrays for chunks of up to `blocks` blocks (one header per block at
    most), filled by `run`."""

    def __init__(self, blocks):
        self.rec = np.empty(blocks, dtype=MEMBER)  # the index records, as written
        self.hashes = np.empty(blocks, dtype=np.uint64)  # name_hash of the name
        self.plens = np.empty(blocks, dtype=np.int64)  # folder length (a directory: itself)
        self.phashes = np.empty(blocks, dtype=np.uint64)  # name_hash of the folder
        self.newp = np.empty(blocks, dtype=np.bool_)  # folder differs from the row before
        self.odd = np.empty(blocks, dtype=np.bool_)  # name to normalise or refuse
        self.names = np.empty(blocks * NAME_LEN, dtype=np.uint8)  # names, run together

    def run(self, buf, nblocks, first, base, name_at):
        """Scan `buf` (nblocks blocks at file offset `base`) from block `first`, numbering
        names from `name_at`: (headers taken, block where the chain stopped, True when a
        header the scan does not take stopped it, False when the chain ran past the chunk)."""
        return _scan(buf, nblocks, first, base, name_at, self.rec, self.hashes, self.plens,
                     self.phashes, self.newp, self.odd, self.names)  # fmt: skip


@njit(cache=True, nogil=True, inline="always")
def _hash(data, n):
    """name_hash of data[:n] (tarindex.name_hash, the reference)."""
    h = np.uint64(n) * _HASH_SEED
    for w0 in range(0, n, 8):
        word = np.uint64(0)
        for j in range(min(8, n - w0)):
            word |= np.uint64(data[w0 + j]) << np.uint64(8 * j)
        h = ((h ^ word) * _HASH_MUL) ^ (h >> np.uint64(29))
    return h


@njit(cache=True, nogil=True, inline="always")
def _octal(h, start, end):
    """The octal digits h[start:end] as a number, or -1 if any is no octal digit."""
    value = 0
    for j in range(start, end):
        c = np.int64(h[j]) - 48
        if c < 0 or c > 7:
            return -1
        value = value * 8 + c
    return value


@njit(cache=True, nogil=True, inline="always")
def _plain(h):
    """Size of the plain header `h` (512 bytes), or -1 when the scan must not take it."""
    ok = h[257] == 117 and h[258] == 115 and h[259] == 116 and h[260] == 97 and h[261] == 114
    posix = h[262] == 0 and h[263] == 48 and h[264] == 48  # "ustar\x0000"
    gnu = h[262] == 32 and h[263] == 32 and h[264] == 0  # "ustar  \x00"
    t = h[156]
    if not ok or not (posix or gnu) or (t != 48 and t != 53 and t != 55) or h[345] != 0:
        return -1
    size = _octal(h, 124, 135)
    stored = _octal(h, 148, 154)
    if size < 0 or stored < 0 or (h[135] != 0 and h[135] != 32):
        return -1
    # slices and range indexes: numba then drops its negative-index checks and the sum
    # vectorises (34 ns a header against 470)
    total = np.int64(256)  # the checksum field counts as eight spaces
    for j in range(512):
        total += h[j]
    for j in range(148, 156):
        total -= h[j]
    return size if total == stored else -1


@njit(cache=True, nogil=True, inline="always")
def _odd(data, n):
    """Whether a name needs safe_name: empty, absolute, an empty, "." or ".." component
    (a trailing "/" among them), a backslash or a colon."""
    if n == 0 or data[0] == 47:
        return True
    comp = 0  # length of the current component
    dots = 0  # dots it holds
    for j in range(n):
        c = data[j]
        if c == 92 or c == 58:
            return True
        if c == 47:
            if comp == 0 or comp == dots:  # empty, ".", ".." (or "...": checked slowly)
                return True
            comp = dots = 0
        else:
            comp += 1
            if c == 46:
                dots += 1
    return comp == 0 or comp == dots


@njit(cache=True, nogil=True)
def _scan(buf, nblocks, i, base, name_at, rec, hashes, plens, phashes, newp, odd, names):
    k = 0
    at = 0
    prev_len = np.int64(-1)
    prev_hash = np.uint64(0)
    while i < nblocks:
        h = buf[i * 512 : i * 512 + 512]
        size = _plain(h)
        if size < 0:
            return k, i, True
        n = 0
        while n < NAME_LEN and h[n] != 0:
            n += 1
        start = 0
        if n > 2 and h[0] == 46 and h[1] == 47:  # "./" (tar -C dir .)
            start, n = 2, n - 2
        slash = 0
        out = names[at : at + n]
        for j in range(n):
            c = h[start + j]
            out[j] = c
            if c == 47:
                slash = j
        kind = DIR if h[156] == 53 else FILE
        if kind == DIR:
            size = 0
            slash = n
        r = rec[k]
        r["offset"] = base + (i + 1) * 512
        r["size"] = size
        r["name_at"] = name_at + at
        r["name_len"] = n
        r["kind"] = kind
        hashes[k] = _hash(out, n)
        plens[k] = slash
        ph = _hash(out, slash) if slash else np.uint64(0)
        phashes[k] = ph
        newp[k] = slash != prev_len or ph != prev_hash
        prev_len, prev_hash = slash, ph
        odd[k] = _odd(out, n)
        at += n
        k += 1
        i += 1 + (size + 511) // 512
    return k, i, False


@njit(cache=True, nogil=True)
def hash_names(blob, name_at, name_len):
    """name_hash of each name of an index (names.bin, and the records' offsets, lengths)."""
    out = np.empty(len(name_at), dtype=np.uint64)
    for i in range(len(name_at)):
        out[i] = _hash(blob[name_at[i] : name_at[i] + name_len[i]], name_len[i])
    return out
