"""Write the embedded demo's archives where a user would place the real downloads."""

import importlib
import logging
from pathlib import Path

from humanprep.datasets import DESCRIPTORS

log = logging.getLogger(__name__)


def build_demo(raw_dir, datasets, seed=0):
    """Generate each dataset's demo archives into raw_dir/<dataset>/ (its descriptor's
    `demo` module)."""
    written = []
    for dataset in datasets:
        module = importlib.import_module(DESCRIPTORS[dataset].demo)
        paths = module.build(Path(raw_dir, dataset), seed=seed)
        log.info("%s: wrote %d demo files", dataset, len(paths))
        written += paths
    return sorted(written)


def main(smk):
    build_demo(smk.params.raw_dir, smk.params.datasets)
