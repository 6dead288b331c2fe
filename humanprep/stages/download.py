"""Fetch one registered file from its configured URL into raw_dir."""

import logging
from pathlib import Path

from humanprep.acquire.download import download
from humanprep.acquire.registry import registered_entry

log = logging.getLogger(__name__)


def main(smk):
    dest = Path(smk.output[0])
    dataset = smk.wildcards.download.split("/", 1)[0]
    entry = registered_entry(smk.input.registry, dest)
    opts = smk.params.options
    download(
        smk.params.url,
        dest,
        size=entry.size,
        sha256=entry.sha256,
        md5=entry.md5 or None,
        label=f"{dataset}/{dest.name}",
        retries=opts["retries"],
        max_backoff=opts["max_backoff"],
        timeout=(opts["connect_timeout"], opts["read_timeout"]),
        progress_interval=opts["progress_interval"],
    )
