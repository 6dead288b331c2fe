"""Export one dataset as COCO JSON files (with the derived subsets its descriptor adds)."""

import logging

from humanprep.coco import export
from humanprep.io import atomic_dir, write_json

log = logging.getLogger(__name__)


def run_export(
    dataset, record_paths, normalised_dir, out_dir, summary_path, derived_paths=(), options=None
):
    """Write every COCO file into out_dir (atomically, nothing else in it) and the
    export summary to summary_path; return the summary."""
    with atomic_dir(out_dir) as tmp:
        summary = export(dataset, record_paths, normalised_dir, tmp, derived_paths, options)
    write_json(summary_path, summary)
    return summary


def main(smk):
    dataset = smk.wildcards.dataset
    summary = run_export(
        dataset,
        list(smk.input.records),
        smk.params.normalised,
        smk.output.coco,
        smk.output.summary,
        list(smk.input.derived),
        smk.params.options,
    )
    for file, stats in summary["files"].items():
        log.info("%s: %d images, %d annotations", file, stats["images"], stats["annotations"])
    log.info("%s counts: %s", dataset, summary["counts"])
