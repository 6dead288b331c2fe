"""Which items a contact sheet shows: representative, not the first by id.

Items are grouped into strata (split, then category where the dataset has one), annotated
items first within each stratum, and picked round-robin across strata, so a sheet of 8 shows
every split and category it can before repeating one. Deterministic: ties go by id.
"""

from itertools import zip_longest

from humanprep.datasets import DESCRIPTORS
from humanprep.report.rows import keep_lowest


def _category_of(record):
    """The descriptor's `sheet_category` for the record's dataset (named by its `dataset`,
    or by its dataset sub-record), or None where the dataset has no categories."""
    name = record.get("dataset") or next((d for d in DESCRIPTORS if d in record), None)
    descriptor = DESCRIPTORS.get(name)
    return descriptor.sheet_category if descriptor else None


def stratum(record):
    """(split, category) of a record: its dataset's sheet category (DeepFashion2: its first
    garment's), else none."""
    category_of = _category_of(record)
    category = category_of(record) if category_of else None
    return (record.get("split") or "", category or "")


def annotated(record):
    """Whether the record carries annotations worth drawing: a dataset with sheet
    categories has them only where a category is found."""
    category_of = _category_of(record)
    return category_of is None or category_of(record) is not None


def _order(record):
    return (not annotated(record), record["id"])


def representative(records, n, key=stratum):
    """Up to `n` records, spread over strata round-robin, annotated ones first. Records
    may stream past: each stratum keeps only its first `n` (no stratum gives more)."""
    groups = {}
    for record in records:
        k = key(record)
        groups[k] = keep_lowest(groups.get(k, []), record, max(n, 1), _order)
    for group in groups.values():
        group.sort(key=_order)
    ordered = [groups[k] for k in sorted(groups, key=lambda k: (not annotated(groups[k][0]), k))]
    picked = [r for row in zip_longest(*ordered) for r in row if r is not None]
    return picked[:n]
