"""Write the embedded demo's archives where a user would place the real downloads."""

import logging
from pathlib import Path

from humanprep.datasets import DESCRIPTORS

log = logging.getLogger(__name__)


def build_demo(raw_dir, datasets, seed=0):
    """Generate each dataset's demo archives into raw_dir/<dataset>/ (its descriptor's
    `demo`)."""
    written = []
    for dataset in datasets:
        paths = DESCRIPTORS[dataset].demo(Path(raw_dir, dataset), seed=seed)
        log.info("%s: wrote %d demo files", dataset, len(paths))
        written += paths
    return sorted(written)


def main(smk):
    build_demo(smk.params.raw_dir, smk.params.datasets)
