"""Record the sketch parameters, count the maps of every CelebA shard and total each map's
ink fraction (share of line pixels) over the images."""

import logging

from humanprep.derive.sketch import MAPS
from humanprep.io import read_jsonl, write_json

log = logging.getLogger(__name__)


def ink_ranges(entries):
    """{map: {min, median, max}} of the entries' ink fractions."""
    out = {}
    for name in MAPS:
        values = sorted(e["ink"][name] for e in entries if name in e.get("ink", {}))
        if values:
            mid = values[len(values) // 2]
            out[name] = {"min": values[0], "median": mid, "max": values[-1]}
    return out


def main(smk):
    entries = [e for path in smk.input.index for e in read_jsonl(path)]
    summary = {
        "dataset": smk.params.dataset,
        "subset": "sketch",
        "images": len(entries),
        "maps": list(MAPS),
        "params": smk.params.sketch,
        "ink_fraction": ink_ranges(entries),
    }
    log.info(
        "%s sketches: %d images, ink %s", smk.params.dataset, len(entries), summary["ink_fraction"]
    )
    write_json(smk.output[0], summary)
