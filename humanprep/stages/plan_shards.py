"""List a dataset's items and write one manifest per shard plus the plan."""

import logging
from pathlib import Path

from humanprep.acquire.identity import check_all_verified
from humanprep.datasets import DESCRIPTORS
from humanprep.io import atomic_dir, dumps, read_jsonl, write_json, write_jsonl
from humanprep.progress import Progress
from humanprep.shards import shard_name, shard_of
from humanprep.sidefiles import split_side_files

log = logging.getLogger(__name__)


class _Buckets:
    """Entries appended to one file per shard as they come (a few buffered per shard), so
    planning holds no dataset-sized list: FDH's 1.87M entries would need ~3 GB."""

    def __init__(self, folder, n_shards, buffered=64):
        self.folder, self.n_shards, self.buffered = Path(folder), n_shards, buffered
        self.pending = {}

    def part(self, index):
        return self.folder / f".{shard_name(index)}.part"

    def add(self, entry):
        index = shard_of(entry["id"], self.n_shards)
        lines = self.pending.setdefault(index, [])
        lines.append(dumps(entry))
        if len(lines) >= self.buffered:
            self.flush(index)

    def flush(self, index):
        with open(self.part(index), "a", encoding="utf-8") as fh:
            fh.writelines(self.pending.pop(index))

    def finish(self):
        """Write each shard's manifest, sorted by id (an id listed twice, e.g. FDH members
        of one key apart in a tar, gets its files merged); returns the items per shard."""
        for index in list(self.pending):
            self.flush(index)
        counts = []
        for index in range(self.n_shards):
            by_id = {}
            part = self.part(index)
            if part.exists():
                for entry in read_jsonl(part):
                    known = by_id.setdefault(entry["id"], entry)
                    if known is not entry:
                        known["files"].update(entry["files"])
                part.unlink()
            write_jsonl(self.folder / f"{shard_name(index)}.jsonl",
                        [by_id[i] for i in sorted(by_id)])  # fmt: skip
            counts.append(len(by_id))
        return counts


def write_plan(out_dir, dataset, entries, side, n_shards, progress_interval=10.0):
    """Write plan.json and shard-NNNNN.jsonl manifests (sorted by id) into out_dir, and the
    split copies of dataset-wide side files (humanprep.sidefiles). `entries` may be any
    iterable (streamed)."""
    side = dict(side)
    progress = Progress(f"{dataset}: plan", "items")
    with atomic_dir(out_dir) as tmp:
        buckets = _Buckets(tmp, n_shards)
        for entry in entries:
            buckets.add(entry)
            progress.add()
        counts = buckets.finish()
        for name in split_side_files(dataset, side, tmp, progress_interval):
            side[name] = str(Path(out_dir, name))
        plan = {
            "dataset": dataset,
            "items": sum(counts),
            "n_shards": n_shards,
            "shard_items": {shard_name(i): n for i, n in enumerate(counts)},
            "side_files": side,
        }
        write_json(Path(tmp, "plan.json"), plan)
    return plan


def main(smk):
    dataset = smk.wildcards.dataset
    check_all_verified(smk.input.verified)  # side files are read in place
    entries, side = DESCRIPTORS[dataset].iter_entries(smk.input.unpacked, smk.input.side)
    plan = write_plan(
        smk.output[0], dataset, entries, side, smk.params.n_shards, smk.params.progress_interval
    )
    log.info("%s: %d items in %d shards", dataset, plan["items"], plan["n_shards"])
