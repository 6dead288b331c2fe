"""Which normalised items a release holds: by dataset, split and licence."""

from pathlib import Path

from humanprep.io import read_jsonl


def wanted(record, splits, licences):
    """splits / licences: empty means all."""
    if splits and record["split"] not in splits:
        return False
    return not licences or record["license"]["id"] in licences


def select_shards(normalised_dir, splits=(), licences=()):
    """{shard name: [selected records]} and the number left out, shard by shard, sorted."""
    selected, left_out = {}, 0
    for path in sorted(Path(normalised_dir).glob("shard-*[0-9].jsonl")):
        records = list(read_jsonl(path))
        keep = [r for r in records if wanted(r, splits, licences)]
        left_out += len(records) - len(keep)
        selected[path.stem] = keep
    return selected, left_out
