"""Check and total a dataset's normalised shards."""

import logging

from humanprep.io import write_json
from humanprep.normalise.summary import summarise

log = logging.getLogger(__name__)


def main(smk):
    dataset = smk.wildcards.dataset
    summary = summarise(
        dataset,
        smk.input.records,
        smk.input.quarantine,
        smk.params.max_quarantine_fraction,
    )
    for reason, count in summary["quarantine_reasons"].items():
        log.warning("%s: %d %s", dataset, count, reason)
    log.info(
        "%s: %d records kept, %d quarantined", dataset, summary["kept"], summary["quarantined"]
    )
    write_json(smk.output[0], summary)
