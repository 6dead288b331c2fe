"""Draw DeepFashion2 full-body examples for the report: accepted, and rejected with reasons."""

import logging

from humanprep.io import read_jsonl, write_bytes
from humanprep.items import png_bytes
from humanprep.report.sheets import fullbody_sheets

log = logging.getLogger(__name__)


def main(smk):
    records = [r for path in smk.input.records for r in read_jsonl(path)]
    decisions = [d for path in smk.input.decisions for d in read_jsonl(path)]
    accepted, rejected = fullbody_sheets(records, decisions, smk.params.normalised)
    write_bytes(smk.output.accepted, png_bytes(accepted))
    write_bytes(smk.output.rejected, png_bytes(rejected))
    log.info("full-body examples from %d decisions", len(decisions))
