"""Chart what normalisation quarantined and repaired per dataset, and list examples."""

import html
import logging
from pathlib import Path

from humanprep.io import write_bytes, write_text
from humanprep.report import charts
from humanprep.report.quarantine import examples, fix_kinds, quarantine_kinds
from humanprep.report.rows import JsonlRows

log = logging.getLogger(__name__)


def by_dataset(paths):
    """{dataset: its rows (JsonlRows, read as they are used)} from shard files under
    results/normalised/<dataset>/."""
    paths_of = {}
    for path in paths:
        paths_of.setdefault(Path(path).parent.name, []).append(path)
    return {dataset: JsonlRows(p) for dataset, p in paths_of.items()}


def chart(quarantined, records):
    groups = {}
    for dataset in sorted(set(quarantined) | set(records)):
        for k, n in quarantine_kinds(quarantined.get(dataset, [])).items():
            groups.setdefault(f"{dataset}: {k}", {})["quarantined"] = n
        for k, n in fix_kinds(records.get(dataset, [])).items():
            groups.setdefault(f"{dataset}: {k}", {})["fixed"] = n
    groups = groups or {"nothing quarantined or fixed": {"quarantined": 0}}
    title = "Items quarantined (with reason) and fixes made, per dataset"
    return charts.bar_chart(groups, title, "items", horizontal=True, size=(9.0, 5.5))


def examples_html(quarantined):
    rows = [
        f"<tr><td>{html.escape(d)}</td><td>{html.escape(k)}</td><td>{html.escape(i)}</td>"
        f"<td>{html.escape(r)}</td></tr>"
        for d in sorted(quarantined)
        for k, i, r in examples(quarantined[d])
    ]
    body = (
        "<table><tr><th>dataset</th><th>kind</th><th>id</th><th>reason</th></tr>"
        + "".join(rows)
        + "</table>"
        if rows
        else "<p>No item was quarantined.</p>"
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Quarantine</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}</style>"
        f"</head><body><h3>Quarantined items: examples per kind</h3>{body}</body></html>\n"
    )


def main(smk):
    quarantined = by_dataset(smk.input.quarantine)
    records = by_dataset(smk.input.records)
    write_bytes(smk.output.chart, chart(quarantined, records))
    write_text(smk.output.examples, examples_html(quarantined))
    log.info("quarantine: %d datasets", len(quarantined))
