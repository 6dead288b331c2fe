"""Check every member of one verified plain tar or unencrypted zip and index it, so that
its items are read in place."""

import shutil

from humanprep.acquire.identity import check_verified
from humanprep.acquire.tarindex import build_index
from humanprep.acquire.unpack import Limits, archive_kind
from humanprep.acquire.zipindex import build_zip_index


def main(smk):
    limits = Limits(**smk.params.limits)
    archive = smk.input.archive
    check_verified(smk.input.verified, archive)
    if archive_kind(archive) == "zip":
        build_zip_index(archive, smk.output[0], limits=limits)
    else:
        build_index(archive, smk.output[0], limits, smk.params.progress_interval)
    try:  # changed while it was read: the index describes bytes nobody verified
        check_verified(smk.input.verified, archive)
    except Exception:
        shutil.rmtree(smk.output[0], ignore_errors=True)
        raise
