"""Count the full-body decisions of every shard, per reason and split."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import read_jsonl, write_json

log = logging.getLogger(__name__)


def summarise(decision_files, rules, dataset):
    counts = dict.fromkeys(DESCRIPTORS[dataset].subset("fullbody").maker().REASONS, 0)
    for path in decision_files:
        for decision in read_jsonl(path):
            counts[decision["reason"]] += 1
    return {
        "dataset": dataset,
        "subset": "fullbody",
        "rules": dict(sorted(rules.items())),
        "decisions": sum(counts.values()),
        "accepted": counts["accepted"],
        "reasons": counts,
    }


def main(smk):
    summary = summarise(smk.input.decisions, smk.params.rules, smk.params.dataset)
    for reason, count in summary["reasons"].items():
        log.info("full-body %s: %d", reason, count)
    write_json(smk.output[0], summary)
