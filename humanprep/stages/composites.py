"""Images composited on white from their segment masks, for one shard."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import write_jsonl

log = logging.getLogger(__name__)


def main(smk):
    entries = (
        DESCRIPTORS[smk.wildcards.dataset]
        .subset("composite")
        .maker()
        .composite_shard(
            smk.input.records, smk.params.normalised, smk.output.images, smk.params.quality
        )
    )
    write_jsonl(smk.output.index, entries)
    log.info("%s: %d composites", smk.wildcards.shard, len(entries))
