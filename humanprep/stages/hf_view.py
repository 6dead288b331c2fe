"""The release's Hugging Face view: the card's YAML now comes from the release's own shard
containers (humanprep.release.hf.view_meta, written by the release step), with no files of
its own. This step leaves a note where its folder was, until the rule goes."""

import logging

from humanprep.io import atomic_dir, write_json

log = logging.getLogger(__name__)


def main(smk):
    with atomic_dir(smk.output[0]) as tmp:
        write_json(tmp / "view.json", {"written_by": "the release step (hf.view_meta)"})
    log.info("%s: the release writes its Hugging Face YAML itself", smk.output[0])
