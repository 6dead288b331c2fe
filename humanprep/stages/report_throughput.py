"""Tabulate and chart items/s, MB/s and peak memory per stage from the benchmark files."""

import logging
from pathlib import Path

from humanprep.io import read_json, write_bytes, write_text
from humanprep.report import charts
from humanprep.report.throughput import stage_table, table_html

log = logging.getLogger(__name__)


def main(smk):
    plans = {Path(p).name: read_json(Path(p, "plan.json"))["shard_items"] for p in smk.input.plans}
    kept = {Path(p).parent.name: read_json(p)["kept"] for p in smk.input.summaries}
    rows = stage_table(smk.params.benchmarks, plans, kept)
    write_text(smk.output.table, table_html(rows))
    rated = {r["stage"]: {"items/s": round(r["items_per_s"], 1)} for r in rows if r["items_per_s"]}
    slowest = next(iter(rated), "n/a")
    title = f"Items per second per job slot (slowest stage: {slowest})"
    write_bytes(smk.output.chart, charts.bar_chart(rated, title, "items/s", horizontal=True))
    log.info("throughput: %d stages, slowest %s", len(rows), slowest)
