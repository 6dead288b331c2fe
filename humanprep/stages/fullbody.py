"""Apply the full-body rule to one normalised shard (of the dataset deriving full-body)."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import read_jsonl, write_jsonl

log = logging.getLogger(__name__)


def main(smk):
    records = list(read_jsonl(smk.input.records))
    filter_records = DESCRIPTORS[smk.wildcards.dataset].subset("fullbody").maker().filter_records
    accepted, decisions = filter_records(records, smk.params.rules)
    write_jsonl(smk.output.accepted, accepted)
    write_jsonl(smk.output.decisions, decisions)
    log.info("%s: %d of %d images accepted", smk.wildcards.shard, len(accepted), len(records))
