"""Per-dataset totals of a normalisation run, checked against the quarantine limit."""

import jsonschema

from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError
from humanprep.io import read_jsonl
from humanprep.schemas import record_schema


def summarise(dataset, record_files, quarantine_files, max_fraction):
    """Validate every record, count them, and fail when too many items were quarantined."""
    validator = jsonschema.Draft202012Validator(record_schema())
    splits, kept, reasons = {}, 0, {}
    counter = DESCRIPTORS[dataset].summary_counter  # e.g. splits under each split rule
    by_policy = counter() if counter else None
    for path in record_files:
        for record in read_jsonl(path):
            error = jsonschema.exceptions.best_match(validator.iter_errors(record))
            if error is not None:
                raise HumanprepError(path, f"record {record.get('id')} invalid: {error.message}")
            splits[record["split"]] = splits.get(record["split"], 0) + 1
            kept += 1
            if by_policy:
                by_policy.add(record)
    entries = [q for path in quarantine_files for q in read_jsonl(path)]
    quarantined = [q for q in entries if q["kind"] == "quarantined"]
    removed = [q for q in entries if q["kind"] == "removed"]
    for q in entries:
        key = f"{q['kind']}: {q['reason']}"
        reasons[key] = reasons.get(key, 0) + 1
    total = kept + len(quarantined)
    fraction = len(quarantined) / total if total else 0.0
    summary = {
        "dataset": dataset,
        "kept": kept,
        "quarantined": len(quarantined),
        "quarantined_ids": sorted(q["id"] for q in quarantined),
        "removed": len(removed),
        "quarantine_reasons": dict(sorted(reasons.items())),
        "splits": dict(sorted(splits.items())),
        **(by_policy.summary() if by_policy else {}),
    }
    if fraction > max_fraction:
        raise HumanprepError(
            dataset,
            f"{len(quarantined)} of {total} items quarantined ({fraction:.1%}), "
            f"above max_quarantine_fraction {max_fraction:.1%}; see the quarantine files",
        )
    return summary
