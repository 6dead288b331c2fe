"""Fetch one registered file from its configured URL into raw_dir."""

import logging
import os
from pathlib import Path

import requests

from humanprep.acquire.download import download
from humanprep.acquire.registry import registered_entry
from humanprep.acquire.urls import token_env_key, url_env_key

log = logging.getLogger(__name__)


def session_for(dataset):
    """A session with the dataset's bearer token, if its variable is set. Without one,
    requests reads ~/.netrc for the host, so config URLs can stay credential-free."""
    session = requests.Session()
    token = os.environ.get(token_env_key(dataset))
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


def main(smk):
    dest = Path(smk.output[0])
    dataset = smk.wildcards.download.split("/", 1)[0]
    entry = registered_entry(smk.input.registry, dest, smk.params.local_registry or None)
    opts = smk.params.options
    # The credential-bearing URL, when the config had one, reaches this job by environment.
    url = os.environ.get(url_env_key(dataset, dest.name)) or smk.params.url
    with session_for(dataset) as session:
        download(
            url,
            dest,
            size=entry.size,
            sha256=entry.sha256,
            md5=entry.md5 or None,
            label=f"{dataset}/{dest.name}",
            session=session,
            retries=opts["retries"],
            max_backoff=opts["max_backoff"],
            timeout=(opts["connect_timeout"], opts["read_timeout"]),
            progress_interval=opts["progress_interval"],
        )
