"""Draw originals beside their composites on white, for the report."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import write_bytes
from humanprep.items import png_bytes
from humanprep.report.rows import JsonlRows

log = logging.getLogger(__name__)


def main(smk):
    records = JsonlRows(smk.input.records)
    composites = JsonlRows(smk.input.composites)
    sheets = DESCRIPTORS[smk.params.dataset].subset("composite").pages()
    image = sheets.composites_sheet(
        records, smk.params.normalised, composites, smk.params.composites
    )
    write_bytes(smk.output[0], png_bytes(image))
    log.info("composites sheet: %dx%d", image.width, image.height)
