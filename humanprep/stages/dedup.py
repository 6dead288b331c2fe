"""Near-duplicate pairs and clusters within and across every enabled dataset."""

import logging

from humanprep.dedup import find
from humanprep.io import write_json, write_jsonl

log = logging.getLogger(__name__)


def main(smk):
    settings = dict(smk.params.settings)
    items = find.load_items(smk.input.records)
    crops = (settings["crop_threshold"], settings["crop_dhash_threshold"])
    pairs = find.find_pairs(
        items,
        settings["threshold"],
        settings["dhash_threshold"],
        settings["mirror"],
        crops if settings["crops"] else None,
        processes=smk.threads,
    )
    groups = find.clusters(len(items), pairs)
    write_jsonl(smk.output.pairs, find.pair_rows(items, pairs))
    write_jsonl(smk.output.clusters, find.cluster_rows(items, groups))
    summary = find.summarise(items, pairs, groups, settings)
    write_json(smk.output.summary, summary)
    log.info("%d images: %d near pairs (%d crops) in %d clusters", len(items), len(pairs),
             summary["crop_pairs"], len(groups))  # fmt: skip
    for key, count in summary["pairs_by_dataset_pair"].items():
        log.info("%s: %d pairs", key, count)
