"""What normalisation dropped and repaired: counts by quarantine reason and by fix kind.

Reasons and fixes are sentences that name the item ("image image_000058.jpg does not
decode: ..."); their kind drops the words that name a file, an id or a number, so the same
problem on two items counts once per kind.
"""

import re
from collections import Counter

from humanprep.report.rows import keep_lowest

_NAMED = re.compile(r"\S*\d\S*")  # a word with a digit: an id, a file name, a coordinate
_SPACES = re.compile(r"\s+")


def kind(text):
    """The kind of a reason or fix: its words before any ':' detail, without names."""
    head = str(text).split(":", 1)[0]
    return _SPACES.sub(" ", _NAMED.sub("", head)).strip() or "other"


def quarantine_kinds(quarantined):
    """{kind: count} of quarantine records, most common first (ties by kind)."""
    counts = Counter(kind(q["reason"]) for q in quarantined if q.get("kind") == "quarantined")
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def all_fixes(value):
    """Every fix recorded in a record: its own `fixes` and those of its parts (garments)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "fixes" and isinstance(inner, list):
                yield from (str(f) for f in inner)
            else:
                yield from all_fixes(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from all_fixes(inner)


def fix_kinds(records):
    """{kind: count} of the fixes recorded on kept records, most common first."""
    counts = Counter(kind(f) for r in records for f in all_fixes(r))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def examples(quarantined, per_kind=2):
    """A few quarantine records per kind, by id: [(kind, id, reason)]. The records may
    stream past: each kind keeps only its lowest ids."""
    best = {}
    for seq, q in enumerate(quarantined):
        if q.get("kind") != "quarantined":
            continue
        k = kind(q["reason"])
        best[k] = keep_lowest(best.get(k, []), (q["id"], seq, q["reason"]), per_kind)
    return [(k, i, reason) for k in sorted(best) for i, _, reason in sorted(best[k])[:per_kind]]
