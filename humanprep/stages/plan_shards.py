"""List a dataset's items and write one manifest per shard plus the plan."""

import logging
from pathlib import Path

from humanprep.index import index_dataset
from humanprep.io import atomic_dir, write_json, write_jsonl
from humanprep.shards import shard_name, split_into_shards
from humanprep.sidefiles import split_side_files

log = logging.getLogger(__name__)


def write_plan(out_dir, dataset, entries, side, n_shards, progress_interval=10.0):
    """Write plan.json and shard-NNNNN.jsonl manifests (sorted by id) into out_dir, and the
    split copies of dataset-wide side files (humanprep.sidefiles)."""
    by_id = {e["id"]: e for e in entries}
    shards = split_into_shards(by_id, n_shards)
    side = dict(side)
    with atomic_dir(out_dir) as tmp:
        for index, ids in enumerate(shards):
            write_jsonl(Path(tmp, f"{shard_name(index)}.jsonl"), [by_id[i] for i in ids])
        for name in split_side_files(dataset, side, tmp, progress_interval):
            side[name] = str(Path(out_dir, name))
        plan = {
            "dataset": dataset,
            "items": len(entries),
            "n_shards": n_shards,
            "shard_items": {shard_name(i): len(ids) for i, ids in enumerate(shards)},
            "side_files": side,
        }
        write_json(Path(tmp, "plan.json"), plan)
    return plan


def main(smk):
    dataset = smk.wildcards.dataset
    entries, side = index_dataset(dataset, smk.input.unpacked, smk.input.side)
    plan = write_plan(
        smk.output[0], dataset, entries, side, smk.params.n_shards, smk.params.progress_interval
    )
    log.info("%s: %d items in %d shards", dataset, plan["items"], plan["n_shards"])
