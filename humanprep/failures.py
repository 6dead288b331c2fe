"""Deterministic failures are not worth a retry: the same input fails the same way again.

When a job fails with a `HumanprepError` (checksum mismatch, wrong password, terms not
accepted, quarantine threshold exceeded, ...) the runner records the error beside the rule's
log. A retry of that job within the same Snakemake run finds the record and fails at once
with the same line, whatever the profile's `retries`; it neither reruns the work nor asks
for more time or memory. Each new run starts clean: the workflow's `onstart` handler clears
the records, so a fixed input (the right password, the accepted terms) is tried afresh.
"""

import json
from pathlib import Path

from humanprep.errors import HumanprepError

SUFFIX = ".failed.json"


def record_path(log_path):
    return Path(f"{log_path}{SUFFIX}")


def record(log_path, err):
    """Write `err` beside the log (atomically: a half-written record is never replayed)."""
    if not log_path or getattr(err, "transient", False):
        return
    path = record_path(log_path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"where": err.where, "problem": err.problem}, sort_keys=True))
    tmp.replace(path)


def replay(log_path):
    """Raise the error recorded for this job earlier in the run, if there is one."""
    if not log_path:
        return
    try:
        recorded = json.loads(record_path(log_path).read_text())
    except (FileNotFoundError, ValueError):
        return
    raise HumanprepError(recorded["where"], recorded["problem"])


def clear(logs_dir):
    """Remove every record under the logs folder; returns how many there were."""
    found = sorted(Path(logs_dir).rglob(f"*{SUFFIX}")) if Path(logs_dir).is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)
