"""Canny, XDoG, photocopy and Sobel maps for every image of one normalised CelebA shard."""

import logging

from humanprep.derive.sketch import MAPS, sketch_shard
from humanprep.io import write_jsonl

log = logging.getLogger(__name__)


def main(smk):
    entries = sketch_shard(
        smk.input.records, smk.params.normalised, smk.output.maps, smk.params.sketch
    )
    write_jsonl(smk.output.index, entries)
    log.info("%s: %d images, %d maps each", smk.wildcards.shard, len(entries), len(MAPS))
