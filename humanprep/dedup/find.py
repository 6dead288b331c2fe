"""The dedup stage's logic: fingerprints of every normalised record -> near pairs,
clusters and counts per dataset pair and per split pair.

A pair is two images whose pHashes differ in at most `threshold` bits (found through the
multi-index hash, humanprep.dedup.index) and whose dHashes, the second and independent
hash, differ in at most `dhash_threshold` bits. With `mirror`, an image is also compared
mirrored (its `phash_mirror`, and its dHash rows reversed) against every other.
With `crops` = (pHash, dHash thresholds), crops are found too: an image whose whole-image
pHash and dHash are within these of one of another image's 9 windows pairs with it; one
multi-index join per window position, each the size of the whole-image one
(humanprep.dedup.fingerprint: windows).
"""

from array import array
from collections import Counter
from pathlib import Path

import numpy as np

from humanprep.dedup.fingerprint import mirror_dhash, window_boxes
from humanprep.dedup.index import near_pairs
from humanprep.io import read_jsonl

# A split never used for evaluation: a dataset without splits ("all") is training data.
TRAIN_SPLITS = ("train", "all")
EVAL_SPLITS = ("val", "test")
CODES = ("phash", "phash_mirror", "dhash")
WINDOW_CODES = ("phash_windows", "dhash_windows")
WINDOWS = len(window_boxes())


class Labels:
    """A column of a few distinct strings (dataset, split) kept as 2-byte codes: a few MB at
    millions of items, where a list of strings takes hundreds."""

    def __init__(self, values=()):
        self.names, self._index, self.codes = [], {}, array("H")
        for value in values:
            self.append(value)

    def append(self, name):
        if name not in self._index:
            self._index[name] = len(self.names)
            self.names.append(name)
        self.codes.append(self._index[name])

    def __getitem__(self, k):
        return self.names[self.codes[k]]

    def __iter__(self):
        return (self.names[c] for c in self.codes)

    def __len__(self):
        return len(self.codes)


class Items:
    """Columns of every fingerprinted image: who it is, its three whole-image codes and its
    window codes (WINDOWS per image, one after the other)."""

    def __init__(self):
        self.dataset, self.id, self.split = Labels(), [], Labels()
        self._codes = {key: array("Q") for key in (*CODES, *WINDOW_CODES)}
        self.without_fingerprint = 0

    def add(self, record, path):
        prints = record["image"].get("fingerprint")
        if not prints:  # the schema admits it: counted, never compared
            self.without_fingerprint += 1
            return
        self.dataset.append(record["dataset"])
        self.id.append(record["id"])
        self.split.append(record["split"])
        for key in CODES:
            self._codes[key].append(int(prints[key], 16))
        for key in WINDOW_CODES:  # records without windows: their whole image stands in
            whole = prints[key.removesuffix("_windows")]
            self._codes[key].extend(int(c, 16) for c in prints.get(key, [whole] * WINDOWS))

    def codes(self, key):
        return np.frombuffer(self._codes[key], np.uint64).copy()

    def window_codes(self, key, k):
        """The codes of window k of every image."""
        return np.frombuffer(self._codes[key], np.uint64)[k::WINDOWS].copy()

    @classmethod
    def from_arrays(cls, dataset, ids, split, codes):
        """Items from columns (the benchmark's synthetic fingerprints)."""
        items = cls()
        items.dataset, items.id, items.split = Labels(dataset), list(ids), Labels(split)
        for key in (*CODES, *WINDOW_CODES):  # window codes: shape (n, WINDOWS)
            items._codes[key] = array("Q", np.asarray(codes[key], np.uint64).tobytes())
        return items

    def key(self, k):
        return {"dataset": self.dataset[k], "id": self.id[k], "split": self.split[k]}

    def __len__(self):
        return len(self.id)


def load_items(record_files):
    """Every record of the given shard files (read one file at a time), in a stable order."""
    items = Items()
    for path in sorted(record_files, key=lambda p: (Path(p).parent.name, Path(p).name)):
        for record in read_jsonl(path):
            items.add(record, path)
    return items


def _mirror_dhashes(dhash):
    return np.array([mirror_dhash(int(c)) for c in dhash], np.uint64)


def _confirmed(i, j, dist, first, second, dhash_threshold):
    """The candidate pairs whose dHashes agree too, with both distances."""
    other = np.bitwise_count(first[i] ^ second[j]).astype(np.int64)
    keep = other <= dhash_threshold
    columns = (i[keep], j[keep], dist[keep], other[keep])
    return zip(*(c.tolist() for c in columns), strict=True)


def _crop_pairs(items, phash, dhash, crop_threshold, dhash_threshold, processes):
    """(i, j, phash distance, dhash distance) of every image i whose whole-image hashes
    match a window of image j."""
    for k in range(WINDOWS if len(items) else 0):
        windows = items.window_codes("phash_windows", k)
        pairs = near_pairs(windows, crop_threshold, queries=phash, processes=processes)
        del windows
        yield from _confirmed(
            *pairs, dhash, items.window_codes("dhash_windows", k), dhash_threshold
        )


def find_pairs(items, threshold, dhash_threshold, mirror=False, crops=None, processes=1):
    """Sorted (i, j, phash distance, dhash distance, mirrored, crop) with i < j; a pair
    found both whole and as a crop is a whole-image pair."""
    phash, dhash = items.codes("phash"), items.codes("dhash")
    found = {}
    pairs = near_pairs(phash, threshold, processes=processes)
    for a, b, d, e in _confirmed(*pairs, dhash, dhash, dhash_threshold):
        found[(a, b)] = (d, e, False, False)
    if mirror and len(items):
        queries = items.codes("phash_mirror")
        pairs = near_pairs(phash, threshold, queries=queries, processes=processes)
        for a, b, d, e in _confirmed(*pairs, _mirror_dhashes(dhash), dhash, dhash_threshold):
            pair = (min(a, b), max(a, b))
            if pair not in found:
                found[pair] = (d, e, True, False)
    if crops is not None:
        for a, b, d, e in _crop_pairs(items, phash, dhash, *crops, processes):
            pair = (min(a, b), max(a, b))
            if pair not in found or (found[pair][3] and (d, e) < found[pair][:2]):
                found[pair] = (d, e, False, True)
    return [(a, b, *found[(a, b)]) for a, b in sorted(found)]


def clusters(n, pairs):
    """Connected components (of two or more images) of the pair graph, each sorted, in
    order of their first member."""
    parent = list(range(n))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, *_ in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups = {}
    for a, b, *_ in pairs:
        for x in (a, b):
            groups.setdefault(root(x), set()).add(x)
    return [sorted(groups[r]) for r in sorted(groups)]


def _pair_key(a, b):
    return "|".join(sorted((a, b)))


def _by_name(key):
    return key["dataset"], key["id"]


def pair_rows(items, pairs):
    """Pairs as records, each with a before b by (dataset, id), sorted."""
    rows = []
    for a, b, d, e, mirrored, crop in pairs:
        first, second = sorted((items.key(a), items.key(b)), key=_by_name)
        row = {"a": first, "b": second, "phash": d, "dhash": e, "mirrored": mirrored}
        rows.append({**row, "crop": crop})
    return sorted(rows, key=lambda r: (_by_name(r["a"]), _by_name(r["b"])))


def cluster_rows(items, groups):
    """Clusters as records, members sorted by (dataset, id), clusters by their first."""
    clusters = sorted((sorted((items.key(m) for m in g), key=_by_name) for g in groups),
                      key=lambda members: _by_name(members[0]))  # fmt: skip
    for k, members in enumerate(clusters):
        yield {"cluster": k, "size": len(members), "members": members}


def summarise(items, pairs, groups, settings):
    by_dataset, by_split, by_both, leaks = Counter(), Counter(), Counter(), Counter()
    for a, b, *_ in pairs:
        da, db = items.dataset[a], items.dataset[b]
        by_dataset[_pair_key(da, db)] += 1
        by_split[_pair_key(items.split[a], items.split[b])] += 1
        by_both[_pair_key(f"{da}/{items.split[a]}", f"{db}/{items.split[b]}")] += 1
        for x, y in ((a, b), (b, a)):
            if items.split[x] in EVAL_SPLITS and items.split[y] in TRAIN_SPLITS:
                leaks[f"{items.dataset[x]}/{items.split[x]}"] += 1
    return {
        **settings,
        "items": len(items),
        "items_without_fingerprint": items.without_fingerprint,
        "items_per_dataset": dict(sorted(Counter(items.dataset).items())),
        "pairs": len(pairs),
        "mirrored_pairs": sum(1 for p in pairs if p[4]),
        "crop_pairs": sum(1 for p in pairs if p[5]),
        "clusters": len(groups),
        "items_in_clusters": sum(len(g) for g in groups),
        "pairs_by_dataset_pair": dict(sorted(by_dataset.items())),
        "pairs_by_split_pair": dict(sorted(by_split.items())),
        "pairs_by_dataset_split_pair": dict(sorted(by_both.items())),
        "eval_train_pairs_by_eval_split": dict(sorted(leaks.items())),
    }
