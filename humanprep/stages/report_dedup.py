"""Draw the near-duplicates page: pairs side by side, and counts per dataset pair."""

import logging
from pathlib import Path

from humanprep.io import read_json, read_jsonl, write_bytes
from humanprep.items import png_bytes
from humanprep.report import charts, dedup

log = logging.getLogger(__name__)


def main(smk):
    summary = read_json(smk.input.summary)
    shown = dedup.shown_pairs(read_jsonl(smk.input.pairs))
    keys = {(row[s]["dataset"], row[s]["id"]) for row in shown for s in ("a", "b")}
    paths = dedup.wanted_paths(smk.input.records, keys)
    write_bytes(smk.output.pairs, png_bytes(dedup.pairs_sheet(shown, paths, summary["pairs"])))
    datasets = {Path(p).parent.name for p in smk.input.records}
    names, counts = dedup.count_matrix(summary["pairs_by_dataset_pair"], datasets)
    title = "Near-duplicate pairs per dataset pair"
    write_bytes(smk.output.matrix, charts.matrix_chart(names, counts.tolist(), title))
    log.info("near-duplicates page: %d of %d pairs shown", len(shown), summary["pairs"])
