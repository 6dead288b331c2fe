"""Normalise one shard: every item becomes a record, or a quarantine entry with its reason.

Each dataset's normaliser (its descriptor's `normaliser` module) exposes
`load_context(side_files, options)` (dataset-level data read once per shard) and
`normalise(entry, ctx, writer)` returning the record, or raising `BadItem(reason)`; an
unexpected error in one item is not caught: it is a bug, not bad data.
"""

import logging
from pathlib import Path

from humanprep.datasets import DESCRIPTORS
from humanprep.io import atomic_dir, write_jsonl
from humanprep.items import BadItem, Removed
from humanprep.normalise.checks import non_finite_path
from humanprep.progress import Progress
from humanprep.store import ShardWriter

log = logging.getLogger(__name__)


def checked(record):
    """The record, unless it holds a NaN or infinity (which JSON cannot carry)."""
    where = non_finite_path(record)
    if where:
        raise BadItem(f"record holds a value that is not finite: {where}")
    return record


def normalise_shard(dataset, shard, entries, side_files, options, out_dir):
    """Normalise a shard's manifest entries into out_dir (atomically): their files into its
    containers (humanprep.store); return (records, quarantine).

    Quarantine entries say `kind`: "quarantined" (bad data) or "removed" (by policy)."""
    module = DESCRIPTORS[dataset].normaliser()
    ctx = module.load_context(side_files, options)
    records, quarantine = [], []
    progress = Progress(f"{dataset} {shard}: normalise", total=len(entries))
    # references name the shard by its folder's name, relative to the folder above it
    with atomic_dir(out_dir) as tmp, ShardWriter(tmp, Path(out_dir).name) as store:
        for entry in entries:
            progress.add()
            files = store.item(entry["id"])
            try:
                record = checked(module.normalise(entry, ctx, files))
            except (BadItem, Removed) as err:  # its files were held, never written
                kind = "removed" if isinstance(err, Removed) else "quarantined"
                quarantine.append(
                    {"id": entry["id"], "kind": kind, "reason": str(err), "shard": shard}
                )
                log.warning("%s %s %s: %s", dataset, entry["id"], kind, err)
            else:
                records.append(store.commit(files, record))
    records.sort(key=lambda r: r["id"])
    return records, quarantine


def write_shard_outputs(records, quarantine, records_path, quarantine_path):
    write_jsonl(records_path, records)
    write_jsonl(quarantine_path, sorted(quarantine, key=lambda q: q["id"]))
