"""Write the release's Hugging Face view (typed per-split metadata files and the card's
YAML) from the records the release will hold, ahead of the release step."""

import logging
from pathlib import Path

from humanprep.io import atomic_dir
from humanprep.release import hf
from humanprep.release.select import Released

log = logging.getLogger(__name__)


def main(smk):
    p = smk.params
    # the records as the release selects them (humanprep.release.build), shard by shard
    records = Released(p.normalised, p.datasets, p.release["splits"], p.release["licences"])
    derived = {Path(f).parent.name: Path(f).parent for f in smk.input.derived}
    with atomic_dir(smk.output[0]) as tmp:
        meta = hf.build_view(tmp, records, derived)
    log.info("%s: %d configs", smk.output[0], len(meta["configs"]))
