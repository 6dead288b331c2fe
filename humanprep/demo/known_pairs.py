"""The demo's planted pairs as record ids (humanprep.demo.duplicates plants them), and a
dedup run's score against them."""

from humanprep.datasets.fdh import demo as fdh
from humanprep.datasets.huge100k import demo as huge100k
from humanprep.demo.duplicates import CROSS, DF2_SAME_CLOTHES, FDH_COPIES, FDH_LOOKALIKES

LOOKALIKE_KINDS = ("same_pose", "same_background", "same_clothes")


def _record_id(dataset, key):
    if dataset != "huge100k":
        return key
    batch, group, name = huge100k.SUBJECTS[key]
    return f"{batch}/{group}/{name}"


def pairs():
    """Every planted pair as (dataset a, id a, dataset b, id b, kind): kind is an edit for
    a duplicate, else the look-alike's shared aspect."""
    out = [(da, _record_id(da, a), db, _record_id(db, b), kind) for da, a, db, b, kind in CROSS]
    for copy, (original, edit) in FDH_COPIES.items():
        out.append(("fdh", fdh.key_of(original), "fdh", fdh.key_of(copy), edit))
    for lookalike, (other, kind) in FDH_LOOKALIKES.items():
        out.append(("fdh", fdh.key_of(other), "fdh", fdh.key_of(lookalike), kind))
    for a, b in DF2_SAME_CLOTHES:
        out.append(("deepfashion2", a, "deepfashion2", b, "same_clothes"))
    return out


def score(found, mirror=False):
    """Scores of a dedup run's pairs against `pairs()`: `found` is a set of frozensets of
    two (dataset, id). Recall over the planted duplicates (the mirrored one counts only
    with dedup.mirror), the share of look-alike pairs not reported (precision on them),
    per-kind results, and how many reported pairs were not planted at all."""
    planted = pairs()
    kinds, expected, hits, lookalikes, false = {}, 0, 0, 0, 0
    for da, a, db, b, kind in planted:
        hit = frozenset({(da, a), (db, b)}) in found
        kinds.setdefault(kind, []).append(hit)
        if kind in LOOKALIKE_KINDS:
            lookalikes += 1
            false += hit
        elif kind != "mirror" or mirror:
            expected += 1
            hits += hit
    known = {frozenset({(da, a), (db, b)}) for da, a, db, b, _ in planted}
    return {
        "recall": hits / expected,
        "lookalike_precision": 1 - false / lookalikes,
        "kinds": {k: sum(v) / len(v) for k, v in kinds.items()},
        "unplanted_pairs": len(found - known),
    }
