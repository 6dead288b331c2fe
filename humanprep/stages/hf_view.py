"""Write the release's Hugging Face view (typed per-split metadata files and the card's
YAML) from the records the release will hold, ahead of the release step."""

import logging
from pathlib import Path

from humanprep.io import atomic_dir
from humanprep.release import hf
from humanprep.release.select import select_shards

log = logging.getLogger(__name__)


def released_records(normalised, datasets, splits, licences):
    """{dataset: records} as the release selects them (humanprep.release.build)."""
    out = {}
    for dataset in datasets:
        shards, _ = select_shards(Path(normalised, dataset), splits, licences.get(dataset, []))
        out[dataset] = [r for records in shards.values() for r in records]
    return out


def main(smk):
    p = smk.params
    records = released_records(p.normalised, p.datasets, p.release["splits"], p.release["licences"])
    derived = {Path(f).parent.name: Path(f).parent for f in smk.input.derived}
    with atomic_dir(smk.output[0]) as tmp:
        meta = hf.build_view(tmp, records, derived)
    log.info("%s: %d configs", smk.output[0], len(meta["configs"]))
