"""Count subjects, front views and off-orbit cameras over every shard of a views subset."""

import logging

from humanprep.io import read_jsonl, write_json

log = logging.getLogger(__name__)


def main(smk):
    entries = [e for path in smk.input.views for e in read_jsonl(path)]
    summary = {
        "dataset": smk.params.dataset,
        "subset": "views",
        "subjects": len(entries),
        "orbit_tolerance": smk.params.orbit_tolerance,
        "front_views": {e["id"]: e["front_view"] for e in sorted(entries, key=lambda e: e["id"])},
        "off_orbit": {
            e["id"]: [o["view"] for o in e["orbit"]["outliers"]]
            for e in sorted(entries, key=lambda e: e["id"])
            if e["orbit"]["outliers"]
        },
    }
    log.info(
        "%s: %d subjects, %d with off-orbit cameras",
        smk.params.dataset,
        len(entries),
        len(summary["off_orbit"]),
    )
    write_json(smk.output[0], summary)
