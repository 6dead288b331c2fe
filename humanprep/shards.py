"""Stable assignment of items to shards: jobs scale with shards, never with images."""

import hashlib
import math


def shard_count(items, shard_size):
    """How many shards `items` items need at `shard_size` per shard (at least one)."""
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    return max(1, math.ceil(items / shard_size))


def shard_of(item_id, n_shards):
    """The shard an item id belongs to: a hash of the id, so adding items moves no others."""
    digest = hashlib.sha256(item_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n_shards


def shard_name(index):
    return f"shard-{index:05d}"


def split_into_shards(item_ids, n_shards):
    """Map every id to its shard; each shard's ids sorted."""
    shards = [[] for _ in range(n_shards)]
    for item_id in item_ids:
        shards[shard_of(item_id, n_shards)].append(item_id)
    return [sorted(s) for s in shards]
