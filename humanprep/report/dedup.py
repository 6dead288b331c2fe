"""The near-duplicates page: pairs side by side with their distances, and a matrix of pair
counts per dataset pair (results/dedup/)."""

from pathlib import Path

import numpy as np

from humanprep.io import read_jsonl
from humanprep.report import draw
from humanprep.report.sheets import base_image

PER_DATASET_PAIR = 4  # pairs shown per dataset pair, in pairs.jsonl order
MAX_SHOWN = 24
THUMB_HEIGHT = 160


def dataset_pair(row):
    return row["a"]["dataset"], row["b"]["dataset"]


def shown_pairs(rows, per_pair=PER_DATASET_PAIR, limit=MAX_SHOWN):
    """The first `per_pair` pairs of each dataset pair, cross-dataset pairs first, at most
    `limit`; reads `rows` once and keeps only what it shows."""
    picked = {}
    for row in rows:
        group = picked.setdefault(dataset_pair(row), [])
        if len(group) < per_pair:
            group.append(row)
    order = sorted(picked, key=lambda k: (k[0] == k[1], k))
    return [row for key in order for row in picked[key]][:limit]


def wanted_paths(record_files, keys):
    """{(dataset, id): (root, image object)} of the given items, reading one file at a time;
    a record's image reference is relative to its dataset's normalised folder."""
    found = {}
    for path in record_files:
        root = Path(path).parent
        for record in read_jsonl(path):
            key = (record["dataset"], record["id"])
            if key in keys:
                found[key] = (root, record["image"])
    return found


def describe(row):
    how = "crop (whole vs window)" if row.get("crop") else "whole image"
    if row.get("mirrored"):
        how = "mirrored"
    return f"pHash {row['phash']} bits, dHash {row['dhash']} bits, {how}"


def pair_tile(row, paths, height=THUMB_HEIGHT):
    halves = []
    for side in ("a", "b"):
        key = (row[side]["dataset"], row[side]["id"])
        image, _ = base_image({"id": key[1], "image": paths[key][1]}, paths[key][0], height)
        lines = [f"{key[0]} {row[side]['split']}", key[1]]
        halves.append(draw.caption(image, lines, min_width=height))  # ids legible
    return draw.caption(draw.hstack(halves, pad=6), [describe(row)], min_width=2 * height)


def pairs_sheet(shown, paths, total):
    tiles = [pair_tile(row, paths) for row in shown]
    title = f"Near-duplicate pairs: {len(shown)} of {total} shown (a few per dataset pair)"
    return draw.titled(draw.grid(tiles, columns=3, pad=10), title)


def count_matrix(pairs_by_dataset_pair, datasets):
    """(datasets, symmetric counts) from the summary's {"a|b": count}."""
    names = sorted(set(datasets) | {d for k in pairs_by_dataset_pair for d in k.split("|")})
    index = {d: i for i, d in enumerate(names)}
    counts = np.zeros((len(names), len(names)), np.int64)
    for key, n in pairs_by_dataset_pair.items():
        a, b = key.split("|")
        counts[index[a], index[b]] = counts[index[b], index[a]] = n
    return names, counts
