"""The numbers behind the report's charts, from summaries and records."""

from collections import Counter

STAGES = ("kept", "quarantined", "removed", "full-body filtered")


def stage_counts(summaries, fullbody=None):
    """{dataset: {stage: count}} from normalise summaries (dataset order kept) and the
    full-body summary (its rejected images are "full-body filtered")."""
    counts = {}
    for summary in summaries:
        row = {stage: summary.get(stage, 0) for stage in STAGES[:3]}
        row["full-body filtered"] = 0
        if fullbody and summary["dataset"] == fullbody["dataset"]:
            row["full-body filtered"] = fullbody["decisions"] - fullbody["accepted"]
        counts[summary["dataset"]] = row
    return counts


def reason_counts(fullbody):
    """{reason: count} of the full-body decisions that occurred, accepted first."""
    reasons = fullbody["reasons"]
    order = ["accepted"] + sorted(r for r in reasons if r != "accepted")
    return {r: reasons[r] for r in order if reasons.get(r)}


def licence_counts(records):
    """{licence id: kept records}, most common first (ties by id)."""
    counts = Counter(r["license"]["id"] for r in records)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
