import collections

import pytest

from humanprep.shards import shard_count, shard_name, shard_of, split_into_shards


def test_shard_count_hand_computed():
    assert shard_count(491_895, 2000) == 246  # 245 full shards + 1 of 1,895
    assert shard_count(4000, 2000) == 2
    assert shard_count(0, 2000) == 1
    with pytest.raises(ValueError):
        shard_count(10, 0)


def test_shard_of_known_value():
    # sha256("train/000001") starts fe0ff35769ba2c0c; 0xfe0ff35769ba2c0c % 7 == 3, % 246 == 52
    assert shard_of("train/000001", 7) == 3
    assert shard_of("train/000001", 246) == 52


def test_shards_balanced_and_stable():
    ids = [f"train/{i:06d}" for i in range(20_000)]
    shards = split_into_shards(reversed(ids), 10)
    sizes = [len(s) for s in shards]
    assert sum(sizes) == 20_000
    assert all(1800 < n < 2200 for n in sizes)  # ~2000 each; 10 sigma is about 450
    assert all(s == sorted(s) for s in shards)
    # Adding items never moves an existing one.
    again = split_into_shards(ids + ["extra/1", "extra/2"], 10)
    where = {i: k for k, s in enumerate(again) for i in s}
    assert all(where[i] == k for k, s in enumerate(shards) for i in s)


def test_shard_name():
    assert shard_name(3) == "shard-00003"
    assert collections.Counter(shard_name(i) for i in range(100)).most_common(1)[0][1] == 1
