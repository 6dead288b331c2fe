"""Record the sketch parameters, count the maps of every shard of the dataset deriving
sketches and total each map's ink fraction (share of line pixels) over the images."""

import logging

from humanprep.datasets import DESCRIPTORS
from humanprep.io import read_jsonl, write_json, write_text

log = logging.getLogger(__name__)


def ink_ranges(entries, maps):
    """{map: {min, median, max}} of the entries' ink fractions."""
    out = {}
    for name in maps:
        values = sorted(e["ink"][name] for e in entries if name in e.get("ink", {}))
        if values:
            mid = values[len(values) // 2]
            out[name] = {"min": values[0], "median": mid, "max": values[-1]}
    return out


def outside_band(entries, bands):
    """[{id, map, ink}] of every map whose ink lies outside its documented band."""
    return [
        {"id": e["id"], "map": name, "ink": e["ink"][name]}
        for e in entries
        for name in bands
        if name in e.get("ink", {}) and not bands[name][0] <= e["ink"][name] <= bands[name][1]
    ]


def main(smk):
    subset = DESCRIPTORS[smk.params.dataset].subset("sketch")
    code, page = subset.maker(), subset.pages()
    maps, bands = code.MAPS, code.INK_BANDS
    entries = [e for path in smk.input.index for e in read_jsonl(path)]
    summary = {
        "dataset": smk.params.dataset,
        "subset": "sketch",
        "images": len(entries),
        "maps": list(maps),
        "params": smk.params.sketch,
        "ink_fraction": ink_ranges(entries, maps),
        "ink_bands": {name: list(band) for name, band in bands.items()},
        "outside_band": outside_band(entries, bands),
    }
    log.info(
        "%s sketches: %d images, ink %s", smk.params.dataset, len(entries), summary["ink_fraction"]
    )
    if summary["outside_band"]:
        log.warning("%d map(s) outside their ink band", len(summary["outside_band"]))
    write_json(smk.output.summary, summary)
    write_text(smk.output.page, page.ink_page(entries, bands))
