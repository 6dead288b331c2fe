"""Record the sketch parameters, count the maps of every CelebA shard and total each map's
ink fraction (share of line pixels) over the images."""

import logging

from humanprep.derive.sketch import INK_BANDS, MAPS
from humanprep.io import read_jsonl, write_json, write_text
from humanprep.report.sketch_ink import ink_page

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


def outside_band(entries):
    """[{id, map, ink}] of every map whose ink lies outside its documented band."""
    return [
        {"id": e["id"], "map": name, "ink": e["ink"][name]}
        for e in entries
        for name in MAPS
        if name in e.get("ink", {})
        and not INK_BANDS[name][0] <= e["ink"][name] <= INK_BANDS[name][1]
    ]


def main(smk):
    entries = [e for path in smk.input.index for e in read_jsonl(path)]
    summary = {
        "dataset": smk.params.dataset,
        "subset": "sketch",
        "images": len(entries),
        "maps": list(MAPS),
        "params": smk.params.sketch,
        "ink_fraction": ink_ranges(entries),
        "ink_bands": {name: list(band) for name, band in INK_BANDS.items()},
        "outside_band": outside_band(entries),
    }
    log.info(
        "%s sketches: %d images, ink %s", smk.params.dataset, len(entries), summary["ink_fraction"]
    )
    if summary["outside_band"]:
        log.warning("%d map(s) outside their ink band", len(summary["outside_band"]))
    write_json(smk.output.summary, summary)
    write_text(smk.output.page, ink_page(entries, INK_BANDS))
