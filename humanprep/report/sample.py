"""Which items a contact sheet shows: representative, not the first by id.

Items are grouped into strata (split, then category where the dataset has one), annotated
items first within each stratum, and picked round-robin across strata, so a sheet of 8 shows
every split and category it can before repeating one. Deterministic: ties go by id.
"""

from itertools import zip_longest


def stratum(record):
    """(split, category) of a record: DeepFashion2's first garment category, else none."""
    garments = (record.get("deepfashion2") or {}).get("garments") or []
    category = garments[0]["category_name"] if garments else ""
    return (record.get("split") or "", category)


def annotated(record):
    """Whether the record carries annotations worth drawing."""
    if "deepfashion2" in record:
        return bool(record["deepfashion2"].get("garments"))
    return True


def _order(record):
    return (not annotated(record), record["id"])


def representative(records, n, key=stratum):
    """Up to `n` records, spread over strata round-robin, annotated ones first. Records
    may stream past: each stratum keeps only its first `n` (no stratum gives more)."""
    groups = {}
    for record in records:
        group = groups.setdefault(key(record), [])
        group.append(record)
        if len(group) > 4 * n + 8:
            group.sort(key=_order)  # stable: ties keep their order, as one sort of all
            del group[max(n, 1) :]
    for group in groups.values():
        group.sort(key=_order)
    ordered = [groups[k] for k in sorted(groups, key=lambda k: (not annotated(groups[k][0]), k))]
    picked = [r for row in zip_longest(*ordered) for r in row if r is not None]
    return picked[:n]
