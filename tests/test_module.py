"""humanprep used as a Snakemake module by another workflow, with its own config and working
directory: code, registries and terms resolve against the module, outputs land in the caller's
folder, and the release equals the plain run's byte for byte. This is also the check that a
rebuild from scratch (another folder, another run) is byte-identical."""

import shutil

import pytest
from conftest import REPO, copy_workflow, snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

CONSUMER = """configfile: "humanprep.yaml"


module humanprep:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from humanprep as humanprep_*
"""


def test_consumer_workflow_builds_the_demo_release(plain_run, tmp_path):
    module = copy_workflow(tmp_path / "vendor" / "humanprep")
    consumer = tmp_path / "analysis"
    consumer.mkdir()
    shutil.copy(REPO / "config" / "config.yaml", consumer / "humanprep.yaml")
    (consumer / "Snakefile").write_text(CONSUMER.format(snakefile=module / "Snakefile"))
    res = snakemake(consumer)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    sums = "releases/humanprep-demo-0.1.0/SHA256SUMS"
    assert (consumer / sums).read_bytes() == (plain_run[0] / sums).read_bytes()
    # The module's folder stays as shipped: nothing is written beside its code.
    assert not (module / "results").exists() and not (module / "releases").exists()
    assert not (module / ".snakemake").exists()
