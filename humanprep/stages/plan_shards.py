"""List a dataset's items and write the plan: one manifest file for all shards (each
shard's lines one after another, sorted by id) and plan.json, which says where each shard's
lines are. One file, not one per shard: a cluster counts files."""

import json
import logging
from pathlib import Path

from humanprep.acquire.identity import check_all_verified
from humanprep.datasets import DESCRIPTORS
from humanprep.io import atomic_dir, dumps, read_jsonl, write_json
from humanprep.progress import Progress
from humanprep.shards import shard_name, shard_of
from humanprep.sidefiles import split_side_files

log = logging.getLogger(__name__)
MANIFEST = "items.jsonl"


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

    def finish(self, manifest):
        """Write every shard's entries, sorted by id, one shard after another into
        `manifest` (an id listed twice, e.g. FDH members of one key apart in a tar, gets its
        files merged); return each shard's (items, byte offset, byte length)."""
        for index in list(self.pending):
            self.flush(index)
        spans = []
        with open(manifest, "w", encoding="utf-8") as out:
            for index in range(self.n_shards):
                by_id = self._merged(self.part(index))
                start = out.tell()
                out.writelines(dumps(by_id[i]) for i in sorted(by_id))
                spans.append((len(by_id), start, out.tell() - start))
        return spans

    @staticmethod
    def _merged(part):
        by_id = {}
        if part.exists():
            for entry in read_jsonl(part):
                known = by_id.setdefault(entry["id"], entry)
                if known is not entry:
                    known["files"].update(entry["files"])
            part.unlink()
        return by_id


def write_plan(out_dir, dataset, entries, side, n_shards, progress_interval=10.0):
    """Write plan.json and the manifest (MANIFEST: every shard's entries, sorted by id) into
    out_dir, and the split copies of dataset-wide side files (humanprep.sidefiles).
    `entries` may be any iterable (streamed)."""
    side = dict(side)
    progress = Progress(f"{dataset}: plan", "items")
    with atomic_dir(out_dir) as tmp:
        buckets = _Buckets(tmp, n_shards)
        for entry in entries:
            buckets.add(entry)
            progress.add()
        spans = buckets.finish(Path(tmp, MANIFEST))
        for name in split_side_files(dataset, side, tmp, progress_interval):
            side[name] = str(Path(out_dir, name))
        names = [shard_name(i) for i in range(n_shards)]
        plan = {
            "dataset": dataset,
            "items": sum(n for n, _, _ in spans),
            "n_shards": n_shards,
            "shard_items": {name: n for name, (n, _, _) in zip(names, spans, strict=True)},
            "shard_bytes": {
                name: [at, size] for name, (_, at, size) in zip(names, spans, strict=True)
            },
            "side_files": side,
        }
        write_json(Path(tmp, "plan.json"), plan)
    return plan


def shard_entries(plan_dir, plan, shard):
    """The manifest entries of one shard: one seek and one read of its lines."""
    at, size = plan["shard_bytes"][shard]
    with open(Path(plan_dir, MANIFEST), "rb") as fh:
        fh.seek(at)
        text = fh.read(size).decode("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def main(smk):
    dataset = smk.wildcards.dataset
    check_all_verified(smk.input.verified)  # side files are read in place
    entries, side = DESCRIPTORS[dataset].iter_entries(smk.input.unpacked, smk.input.side)
    plan = write_plan(
        smk.output[0], dataset, entries, side, smk.params.n_shards, smk.params.progress_interval
    )
    log.info("%s: %d items in %d shards", dataset, plan["items"], plan["n_shards"])
