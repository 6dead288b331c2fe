"""Check every member of one verified plain tar and index it, to be read in place."""

import logging

from humanprep.acquire.tarindex import build_index
from humanprep.acquire.unpack import Limits

log = logging.getLogger(__name__)


def main(smk):
    build_index(
        smk.input.archive,
        smk.output[0],
        limits=Limits(**smk.params.limits),
        progress_interval=smk.params.progress_interval,
    )
