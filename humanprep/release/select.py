"""Which normalised items a release holds: by dataset, split and licence."""

from pathlib import Path

from humanprep.io import read_jsonl


def wanted(record, splits, licences):
    """splits / licences: empty means all."""
    if splits and record["split"] not in splits:
        return False
    return not licences or record["license"]["id"] in licences


def select_shard(path, splits=(), licences=()):
    """(selected records, number left out) of one record shard file."""
    records = read_jsonl(path)
    keep = [r for r in records if wanted(r, splits, licences)]
    return keep, len(records) - len(keep)


class Released:
    """The released records of each dataset, read one shard at a time (memory bounded by
    a shard): selected from results/normalised/<dataset>/ by split and licence, or read
    from a release's own record files (no selection)."""

    def __init__(self, root, datasets, splits=(), licences=None):
        self.root, self.datasets = Path(root), list(datasets)
        self.splits, self.licences = splits, licences or {}

    def names(self, dataset):
        return [p.stem for p in sorted(Path(self.root, dataset).glob("shard-*[0-9].jsonl"))]

    def records(self, dataset, shard):
        path = Path(self.root, dataset, f"{shard}.jsonl")
        if not path.exists():
            return []
        return select_shard(path, self.splits, self.licences.get(dataset, []))[0]
