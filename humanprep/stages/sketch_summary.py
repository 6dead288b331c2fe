"""Record the sketch parameters and count the maps of every CelebA shard."""

import logging

from humanprep.io import read_jsonl, write_json

log = logging.getLogger(__name__)


def main(smk):
    images = sum(1 for path in smk.input.index for _ in read_jsonl(path))
    summary = {
        "dataset": "celeba",
        "subset": "sketch",
        "images": images,
        "maps": ["canny", "xdog", "photocopy"],
        "params": smk.params.sketch,
    }
    log.info("celeba sketches: %d images", images)
    write_json(smk.output[0], summary)
