"""Sketch maps (Canny, XDoG, photocopy, Sobel) for every image of one normalised shard."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import write_jsonl

log = logging.getLogger(__name__)


def main(smk):
    code = DESCRIPTORS[smk.wildcards.dataset].subset("sketch").maker()
    entries = code.sketch_shard(
        smk.input.records, smk.params.normalised, smk.output.maps, smk.params.sketch
    )
    write_jsonl(smk.output.index, entries)
    log.info("%s: %d images, %d maps each", smk.wildcards.shard, len(entries), len(code.MAPS))
