"""Stop a dataset unless the user has accepted the terms text the repo ships for it."""

import logging

from humanprep.acquire.gate import check_acceptance
from humanprep.io import write_json

log = logging.getLogger(__name__)


def main(smk):
    dataset = smk.wildcards.dataset
    record = check_acceptance(dataset, smk.params.acceptance, smk.input.terms)
    log.info(
        "%s: terms accepted by %s on %s", dataset, record["accepted_by"], record["accepted_on"]
    )
    write_json(smk.output[0], record)
