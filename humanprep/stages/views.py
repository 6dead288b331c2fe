"""The views of one shard: each view with its camera, the front view, the orbit check."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import write_jsonl

log = logging.getLogger(__name__)


def main(smk):
    entries = (
        DESCRIPTORS[smk.wildcards.dataset]
        .subset("views")
        .maker()
        .views_shard(
            smk.input.records,
            smk.params.normalised,
            smk.output.images,
            smk.params.orbit_tolerance,
            smk.params.materialise,
        )
    )
    for entry in entries:
        for outlier in entry["orbit"]["outliers"]:
            log.warning("%s: camera %s off the orbit: %s", entry["id"], outlier["view"], outlier)
    write_jsonl(smk.output.index, entries)
    log.info("%s: %d subjects", smk.wildcards.shard, len(entries))
