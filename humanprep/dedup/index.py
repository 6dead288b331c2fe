"""Every pair of 64-bit codes within a Hamming radius: multi-index hashing.

Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with Multi-Index Hashing" (CVPR
2012): cut the 64 bits into m chunks; two codes within distance r agree to within
floor(r / m) bits on at least one chunk (pigeonhole). Per chunk, a counting sort of the
chunk values is the table; each code probes the values within floor(r / m) of its own, and
each candidate is checked on all 64 bits. A pair is reported by the first chunk that can
find it only, so no pair comes out twice and nothing global is kept but the output.
Work is vectorised over all codes per probe; memory is a few arrays of the codes' length.
"""

import gc
import multiprocessing
from itertools import combinations
from math import comb

import numpy as np

MAX_CHUNK_BITS = 24  # a table of 2**24 counts (128 MB of int64 at most) per chunk


def chunk_bounds(m, bits=64):
    """(shift, width) of m contiguous chunks, most significant first, widths within one."""
    widths = [bits // m + (1 if k < bits % m else 0) for k in range(m)]
    out, end = [], bits
    for w in widths:
        out.append((end - w, w))
        end -= w
    return out


def flip_masks(width, radius):
    """Every width-bit value with at most `radius` bits set, by increasing weight."""
    masks = [0]
    for k in range(1, min(radius, width) + 1):
        masks += [sum(1 << b for b in bits) for bits in combinations(range(width), k)]
    return np.array(masks, np.uint32)


def probes(width, radius):
    return sum(comb(width, k) for k in range(min(radius, width) + 1))


def choose_chunks(n_queries, n_table, radius):
    """The chunk count of least estimated work: per probe one gather per query plus the
    expected candidates of uniform codes, plus building each table."""

    def cost(m):
        width = 64 // m
        per_probe = n_queries + 3 * n_queries * n_table / 2**width
        return m * (probes(width + 1, radius // m) * per_probe + 2**width)

    return min(range(-(-64 // MAX_CHUNK_BITS), 17), key=cost)


def _chunk(codes, shift, width):
    return ((codes >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.uint32)


def _probe(qkeys, mask, counts, starts):
    """For every query row: (row, table position) of each table entry whose key equals the
    row's key XOR mask. Most buckets hold 0-2 entries, so it loops over the k-th entry of
    every bucket rather than expanding row by row."""
    target = qkeys ^ mask
    cnt = counts[target]
    rows = np.flatnonzero(cnt)
    first = starts[target[rows]]
    cnt = cnt[rows]
    k = 0
    while len(rows):
        yield rows, first + k
        k += 1
        more = cnt > k
        rows, first, cnt = rows[more], first[more], cnt[more]


def _mask_groups(width, near):
    """Flip masks grouped by their highest set bit (-1 for the empty mask)."""
    groups = {}
    for mask in flip_masks(width, near).tolist():
        groups.setdefault(mask.bit_length() - 1, []).append(mask)
    return sorted(groups.items())


def _empty():
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)


def chunk_pairs(codes, queries, radius, bounds, c):
    """The pairs chunk c finds and no earlier chunk can: (i, j, distance) arrays."""
    self_join = queries is None
    shift, width = bounds[c]
    near = radius // len(bounds)
    # table and queries in order of this chunk's value: probes then read memory nearly in
    # sequence (XOR with a mask permutes blocks of neighbouring values)
    keys = _chunk(codes, shift, width)
    order = np.argsort(keys, kind="stable")
    table, keys = codes[order], keys[order]
    counts = np.bincount(keys, minlength=1 << width).astype(np.int64)
    starts = np.cumsum(counts) - counts
    if self_join:
        qorder, qcodes, qkeys = order, table, keys
    else:
        qorder = np.argsort(_chunk(queries, shift, width), kind="stable")
        qcodes = queries[qorder]
        qkeys = _chunk(qcodes, shift, width)
    found = [_empty()]
    for high, masks in _mask_groups(width, near):
        # self-join: two keys differing by a mask differ in its highest bit; probing only
        # from the side where that bit is 0 finds each pair once and halves the work
        sel = None
        if self_join and high >= 0:
            sel = np.flatnonzero((qkeys >> np.uint32(high)) & np.uint32(1) == 0)
        qk = qkeys if sel is None else qkeys[sel]
        qc = qcodes if sel is None else qcodes[sel]
        for mask in masks:
            for rows, pos in _probe(qk, np.uint32(mask), counts, starts):
                xor = qc[rows] ^ table[pos]
                dist = np.bitwise_count(xor)
                keep = np.flatnonzero(dist <= radius)
                if not len(keep):
                    continue
                rows, pos, xor, dist = rows[keep], pos[keep], xor[keep], dist[keep]
                qpos = rows if sel is None else sel[rows]
                i, j = qorder[qpos], order[pos]
                ok = qpos < pos if (self_join and mask == 0) else i != j
                for s2, w2 in bounds[:c]:  # an earlier chunk finds this pair
                    ok &= np.bitwise_count(_chunk(xor, s2, w2)) > near
                found.append((i[ok], j[ok], dist[ok].astype(np.int64)))
    i, j, dist = (np.concatenate(parts) for parts in zip(*found, strict=True))
    if self_join:
        i, j = np.minimum(i, j), np.maximum(i, j)
    return i, j, dist


_SHARED = {}


def _worker(c):
    return chunk_pairs(_SHARED["codes"], _SHARED["queries"], *_SHARED["args"], c)


def near_pairs(codes, radius, queries=None, chunks=None, processes=1):
    """(i, j, distance) arrays of every pair within `radius` bits, sorted by (i, j).

    Without `queries`: pairs i < j of `codes`. With `queries` (same length, e.g. mirrored
    codes): pairs (i, j), i != j, with queries[i] within radius of codes[j]. Chunks are
    independent: with processes > 1 they run in forked workers sharing the codes.
    """
    codes = np.ascontiguousarray(codes, np.uint64)
    if queries is not None:
        queries = np.ascontiguousarray(queries, np.uint64)
    n_queries = len(codes) if queries is None else len(queries)
    m = chunks or choose_chunks(n_queries, len(codes), radius)
    if -(-64 // m) > MAX_CHUNK_BITS:
        raise ValueError(f"{m} chunks are wider than {MAX_CHUNK_BITS} bits")
    bounds = chunk_bounds(m)
    if processes > 1 and len(codes) > 100_000:
        # workers share the parent's memory; frozen objects are never written by the
        # collector, so their pages stay shared instead of being copied into each worker
        gc.freeze()
        _SHARED.update(codes=codes, queries=queries, args=(radius, bounds))
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_worker, range(m), chunksize=1)
        _SHARED.clear()
    else:
        parts = [chunk_pairs(codes, queries, radius, bounds, c) for c in range(m)]
    i, j, dist = (np.concatenate(p) for p in zip(*parts, strict=True))
    order = np.lexsort((j, i))
    return i[order], j[order], dist[order]


def brute_pairs(codes, radius, queries=None):
    """The same pairs by comparing all of them (for tests and small inputs)."""
    codes = np.asarray(codes, np.uint64)
    queries = codes if queries is None else np.asarray(queries, np.uint64)
    dist = np.bitwise_count(queries[:, None] ^ codes[None, :]).astype(np.int64)
    i, j = np.nonzero(dist <= radius)
    keep = i < j if queries is codes else i != j
    return i[keep], j[keep], dist[i[keep], j[keep]]
