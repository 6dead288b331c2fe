"""Unpack one verified archive of an accepted dataset."""

import logging
import shutil
from pathlib import Path

from humanprep.acquire.identity import check_verified
from humanprep.acquire.secrets import get_password
from humanprep.acquire.unpack import Limits, extract
from humanprep.datasets import DESCRIPTORS

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


def main(smk):
    dataset = smk.wildcards.dataset
    check_verified(smk.input.verified, smk.input.archive)
    password = None
    if smk.params.password_env:
        # the demo's archives are encrypted with documented values, read here and only here
        demo = DESCRIPTORS[dataset].demo_password if smk.config.get("demo") else None
        password = get_password(
            dataset,
            smk.params.password_env,
            smk.params.passwords_file or None,
            repo_dir=REPO,
            demo_password=demo,
        )
    members = extract(
        smk.input.archive,
        smk.output[0],
        password=password,
        limits=Limits(**smk.params.limits),
    )
    try:  # changed while it was read: the tree holds bytes nobody verified
        check_verified(smk.input.verified, smk.input.archive)
    except Exception:
        shutil.rmtree(smk.output[0], ignore_errors=True)
        raise
    log.info("%s: %d members extracted", Path(smk.input.archive).name, len(members))
