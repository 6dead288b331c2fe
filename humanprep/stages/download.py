"""Fetch one registered file from its configured URL into raw_dir."""

import logging
import os
from pathlib import Path

import requests

from humanprep.acquire.download import download
from humanprep.acquire.registry import registered_entry
from humanprep.acquire.urls import token_env_key, url_env_key

log = logging.getLogger(__name__)


class BearerAuth(requests.auth.AuthBase):
    """`Authorization: Bearer <token>` on each request it is given to."""

    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self):  # never the token
        return "BearerAuth(...)"


def auth_for(dataset):
    """The precedence: the dataset's token (HUMANPREP_<DATASET>_TOKEN) when set, given with
    every request; else None, and requests reads ~/.netrc for the host. (A session header
    would not do: requests puts netrc's Basic auth over it, so the server saw Basic only.)"""
    token = os.environ.get(token_env_key(dataset))
    return BearerAuth(token) if token else None


def main(smk):
    dest = Path(smk.output[0])
    dataset = smk.wildcards.download.split("/", 1)[0]
    entry = registered_entry(smk.input.registry, dest, smk.params.local_registry or None)
    opts = smk.params.options
    # The credential-bearing URL, when the config had one, reaches this job by environment.
    url = os.environ.get(url_env_key(dataset, dest.name)) or smk.params.url
    with requests.Session() as session:
        download(
            url,
            dest,
            size=entry.size,
            sha256=entry.sha256,
            md5=entry.md5 or None,
            label=f"{dataset}/{dest.name}",
            session=session,
            auth=auth_for(dataset),
            retries=opts["retries"],
            max_backoff=opts["max_backoff"],
            timeout=(opts["connect_timeout"], opts["read_timeout"]),
            progress_interval=opts["progress_interval"],
        )
