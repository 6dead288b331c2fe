"""Draw the report's count charts: per stage, per category of the full-body subset's dataset,
full-body reasons (accepted and rejected in two colours) and per licence."""

import logging

from humanprep.datasets import DESCRIPTORS, owner
from humanprep.io import read_json, write_bytes
from humanprep.report import charts, counts
from humanprep.report.rows import JsonlRows

log = logging.getLogger(__name__)


def main(smk):
    summaries = [read_json(p) for p in smk.input.summaries]
    records = JsonlRows(smk.input.records)  # read as they are counted, twice
    fullbody = [read_json(p) for p in smk.input.fullbody]
    fullbody = fullbody[0] if fullbody else None
    accepted = {d["id"] for d in JsonlRows(smk.input.decisions) if d["reason"] == "accepted"}
    stages = counts.stage_counts(summaries, fullbody)
    write_bytes(smk.output.stages, charts.bar_chart(stages, "Items per dataset and stage", "items"))

    dataset = owner("fullbody")
    sheets = DESCRIPTORS[dataset].subset("fullbody").pages()
    garments = (r for r in records if r["dataset"] == dataset)
    categories = sheets.category_counts(garments, accepted)
    write_bytes(
        smk.output.categories,
        charts.bar_chart(categories, sheets.CATEGORIES_TITLE, "garments", horizontal=True),
    )
    reasons = counts.reason_counts(fullbody) if fullbody else {}
    write_bytes(
        smk.output.reasons,
        charts.bar_chart(
            {r: {"images": n} for r, n in reasons.items()},
            sheets.REASONS_TITLE,
            "images",
            colours=charts.decision_colours(reasons),
        ),
    )
    licences = counts.licence_counts(records)
    write_bytes(
        smk.output.licences,
        charts.bar_chart(
            {k: {"items": n} for k, n in licences.items()},
            "Kept items per licence",
            "items",
            horizontal=True,
        ),
    )
    log.info(
        "charts: %d datasets, %d records, %d licences",
        len(stages),
        sum(licences.values()),
        len(licences),
    )
