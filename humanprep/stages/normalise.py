"""Normalise one shard of one dataset."""

import logging
from pathlib import Path

from humanprep.acquire.identity import check_all_verified
from humanprep.io import read_json
from humanprep.normalise.shard import normalise_shard, write_shard_outputs
from humanprep.stages.plan_shards import shard_entries

log = logging.getLogger(__name__)


def main(smk):
    dataset, shard = smk.wildcards.dataset, smk.wildcards.shard
    # members are read in place from the archives, side files from raw_dir
    check_all_verified(smk.input.verified)
    shards_dir = Path(smk.input.shards)
    plan = read_json(shards_dir / "plan.json")
    records, quarantine = normalise_shard(
        dataset,
        shard,
        shard_entries(shards_dir, plan, shard),
        plan["side_files"],
        smk.params.options,
        smk.output.files,
    )
    write_shard_outputs(records, quarantine, smk.output.records, smk.output.quarantine)
    log.info("%s %s: %d records, %d quarantined", dataset, shard, len(records), len(quarantine))
