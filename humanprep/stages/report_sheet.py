"""Draw one dataset's contact sheet for the report (which one: params.dataset)."""

import logging

from humanprep.io import write_bytes
from humanprep.report import sheets
from humanprep.report.draw import png_bytes
from humanprep.report.rows import JsonlRows

log = logging.getLogger(__name__)


def records(paths):
    return JsonlRows(paths)


def build(dataset, smk):
    root = smk.params.normalised
    if dataset == "celeba":
        return sheets.celeba_sheet(
            records(smk.input.records), root, records(smk.input.sketches), smk.params.sketches
        )
    if dataset == "huge100k":
        return sheets.huge100k_sheet(records(smk.input.views), root)
    draw_sheet = {
        "shhq": sheets.shhq_sheet,
        "fdh": sheets.fdh_sheet,
        "deepfashion2": sheets.deepfashion2_sheet,
    }[dataset]
    return draw_sheet(records(smk.input.records), root)


def main(smk):
    image = build(smk.params.dataset, smk)
    write_bytes(smk.output[0], png_bytes(image))
    log.info("%s contact sheet: %dx%d", smk.params.dataset, image.width, image.height)
