"""Draw one dataset's contact sheet for the report: its descriptor's `sheet` function,
given the records, the normalised folder and the derived subsets it draws."""

import logging
from pathlib import Path

from humanprep.datasets import DESCRIPTORS
from humanprep.io import write_bytes
from humanprep.items import png_bytes
from humanprep.report.rows import JsonlRows

log = logging.getLogger(__name__)


def records(paths):
    return JsonlRows(paths)


def build(dataset, smk):
    descriptor = DESCRIPTORS[dataset]
    derived = {
        name: (records(smk.input[name]), str(Path(smk.input[name][0]).parent))
        for name in descriptor.sheet_derived
    }
    return descriptor.sheet(records(smk.input.records), smk.params.normalised, derived)


def main(smk):
    image = build(smk.params.dataset, smk)
    write_bytes(smk.output[0], png_bytes(image))
    log.info("%s contact sheet: %dx%d", smk.params.dataset, image.width, image.height)
