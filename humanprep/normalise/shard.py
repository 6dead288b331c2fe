"""Normalise one shard: every item becomes a record, or a quarantine entry with its reason.

Each dataset's normaliser (its descriptor's `normaliser` module) exposes
`load_context(side_files, options)` (dataset-level data read once per shard) and
`normalise(entry, ctx, writer)` returning the record, or raising `BadItem(reason)`; an
unexpected error in one item is not caught: it is a bug, not bad data.
"""

import importlib
import logging
import shutil

from humanprep.datasets import DESCRIPTORS
from humanprep.io import atomic_dir, read_jsonl, write_jsonl
from humanprep.items import BadItem, ItemWriter, Removed
from humanprep.normalise.checks import non_finite_path
from humanprep.progress import Progress

log = logging.getLogger(__name__)


def checked(record):
    """The record, unless it holds a NaN or infinity (which JSON cannot carry)."""
    where = non_finite_path(record)
    if where:
        raise BadItem(f"record holds a value that is not finite: {where}")
    return record


def normalise_shard(dataset, shard, manifest, side_files, options, out_dir):
    """Normalise the manifest's items into out_dir (atomically); return (records, quarantine).

    Quarantine entries say `kind`: "quarantined" (bad data) or "removed" (by policy)."""
    module = importlib.import_module(DESCRIPTORS[dataset].normaliser)
    ctx = module.load_context(side_files, options)
    records, quarantine = [], []
    entries = read_jsonl(manifest)
    progress = Progress(f"{dataset} {shard}: normalise", total=len(entries))
    with atomic_dir(out_dir) as tmp:
        for entry in entries:
            progress.add()
            writer = ItemWriter(tmp, shard, entry["id"])
            try:
                records.append(checked(module.normalise(entry, ctx, writer)))
            except (BadItem, Removed) as err:
                shutil.rmtree(writer.root, ignore_errors=True)  # nothing of the item stays
                kind = "removed" if isinstance(err, Removed) else "quarantined"
                quarantine.append(
                    {"id": entry["id"], "kind": kind, "reason": str(err), "shard": shard}
                )
                log.warning("%s %s %s: %s", dataset, entry["id"], kind, err)
    records.sort(key=lambda r: r["id"])
    return records, quarantine


def write_shard_outputs(records, quarantine, records_path, quarantine_path):
    write_jsonl(records_path, records)
    write_jsonl(quarantine_path, sorted(quarantine, key=lambda q: q["id"]))
