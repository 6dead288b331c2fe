"""Draw full-body examples for the report: accepted, and rejected with reasons."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import write_bytes
from humanprep.items import png_bytes
from humanprep.report.rows import JsonlRows

log = logging.getLogger(__name__)


def main(smk):
    records = JsonlRows(smk.input.records)
    decisions = JsonlRows(smk.input.decisions)
    sheets = DESCRIPTORS[smk.params.dataset].subset("fullbody").pages()
    accepted, rejected = sheets.fullbody_sheets(records, decisions, smk.params.normalised)
    write_bytes(smk.output.accepted, png_bytes(accepted))
    write_bytes(smk.output.rejected, png_bytes(rejected))
    log.info("full-body examples from %d decision files", len(decisions.paths))
