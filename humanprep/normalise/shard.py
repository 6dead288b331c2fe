"""Normalise one shard: every item becomes a record, or a quarantine entry with its reason.

Each dataset module exposes `load_context(side_files, options)` (dataset-level data read
once per shard) and `normalise(entry, ctx, writer)` returning the record, or raising
`BadItem(reason)`; an unexpected error in one item is not caught: it is a bug, not bad data.
"""

import hashlib
import importlib
import logging
import re
import shutil
from pathlib import Path

from humanprep.io import atomic_dir, read_jsonl, write_bytes, write_jsonl
from humanprep.progress import Progress

log = logging.getLogger(__name__)

MODULES = {
    "shhq": "humanprep.normalise.shhq",
    "fdh": "humanprep.normalise.fdh",
    "deepfashion2": "humanprep.normalise.deepfashion2",
    "huge100k": "humanprep.normalise.huge100k",
    "celeba": "humanprep.normalise.celeba",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class BadItem(Exception):
    """This item's data is unusable; the message is the quarantine reason."""


class Removed(Exception):
    """This item must not be written at all (e.g. its author opted out); says why."""


def safe_name(item_id):
    """A file-system-safe, collision-free name for an item id."""
    name = _UNSAFE.sub("_", item_id)
    if name != item_id:
        name += "-" + hashlib.sha256(item_id.encode()).hexdigest()[:8]
    return name


class ItemWriter:
    """Writes one item's output files under <shard dir>/<safe id>/ and returns the paths
    relative to the dataset's normalised folder (what records store)."""

    def __init__(self, shard_dir, shard, item_id):
        self.root = Path(shard_dir, safe_name(item_id))
        self.prefix = Path(shard, safe_name(item_id))

    def write(self, name, data):
        write_bytes(self.root / name, data)
        return str(self.prefix / name)


def checked(record):
    """The record, unless it holds a NaN or infinity (which JSON cannot carry)."""
    from humanprep.normalise.checks import non_finite_path

    where = non_finite_path(record)
    if where:
        raise BadItem(f"record holds a value that is not finite: {where}")
    return record


def normalise_shard(dataset, shard, manifest, side_files, options, out_dir):
    """Normalise the manifest's items into out_dir (atomically); return (records, quarantine).

    Quarantine entries say `kind`: "quarantined" (bad data) or "removed" (by policy)."""
    module = importlib.import_module(MODULES[dataset])
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
