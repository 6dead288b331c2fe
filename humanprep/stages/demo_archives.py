"""Write the embedded demo's archives where a user would place the real downloads."""

import importlib
import logging
from pathlib import Path

log = logging.getLogger(__name__)

DEMO_MODULES = {
    "shhq": "humanprep.demo.shhq",
    "fdh": "humanprep.demo.fdh",
    "deepfashion2": "humanprep.demo.deepfashion2",
    "huge100k": "humanprep.demo.huge100k",
    "celeba": "humanprep.demo.celeba",
}


def build_demo(raw_dir, datasets, seed=0):
    """Generate each dataset's demo archives into raw_dir/<dataset>/."""
    written = []
    for dataset in datasets:
        module = importlib.import_module(DEMO_MODULES[dataset])
        paths = module.build(Path(raw_dir, dataset), seed=seed)
        log.info("%s: wrote %d demo files", dataset, len(paths))
        written += paths
    return sorted(written)


def main(smk):
    build_demo(smk.params.raw_dir, smk.params.datasets)
