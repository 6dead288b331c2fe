"""Stop a dataset unless the user has accepted the terms text the repo ships for it."""

import logging

from humanprep.acquire.gate import check_acceptance
from humanprep.acquire.registry import load_registry, registry_digest
from humanprep.io import write_json

log = logging.getLogger(__name__)


def main(smk):
    dataset = smk.wildcards.dataset
    digest = registry_digest(load_registry(smk.input.registry))
    record = check_acceptance(dataset, smk.params.acceptance, smk.input.terms, digest)
    log.info(
        "%s: terms accepted by %s on %s", dataset, record["accepted_by"], record["accepted_on"]
    )
    write_json(smk.output[0], record)
