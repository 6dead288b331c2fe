import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "results",
    "releases",
    ".snakemake",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
)


def copy_workflow(dest):
    """A clean copy of the workflow, as a fresh clone would have it."""
    shutil.copytree(REPO, dest, ignore=IGNORE)
    return dest


def snakemake(workdir, *args, timeout=900):
    cmd = [str(BIN / "snakemake"), "--cores", "2", *map(str, args)]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)


# The FDH tar the served demo drops mid-transfer once, so the workflow must resume it.
DROPPED = "/fdh/cc-by-2.tar"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo workflow run once, end to end, in a fresh copy of the repository.

    FDH comes over HTTP, as users get it: its demo files are served by a real local server
    (loopback, Range support) that drops one transfer half-way.
    """
    from humanprep.demo import fdh
    from humanprep.testing.httpserver import Fault, FileServer

    root = tmp_path_factory.mktemp("demo")
    work = copy_workflow(root / "humanprep")
    served = {f"/fdh/{p.name}": p.read_bytes() for p in fdh.build(root / "served", seed=0)}
    faults = {DROPPED: Fault(drop_after=len(served[DROPPED]) // 2)}
    extra = root / "download.yaml"
    with FileServer(served, faults) as server:
        extra.write_text(f"datasets:\n  fdh:\n    base_url: {server.url('/fdh')}\n")
        res = snakemake(work, "--configfile", "config/config.yaml", extra)
    if res.returncode != 0:
        pytest.fail(f"demo run failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return work, res, server, served


def run_or_fail(work, *args):
    res = snakemake(work, *args)
    if res.returncode != 0:
        pytest.fail(f"run failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return res


@pytest.fixture(scope="session")
def plain_run(tmp_path_factory):
    """The README's main job, `snakemake --cores 2`, in a fresh copy of the repository."""
    work = copy_workflow(tmp_path_factory.mktemp("plain") / "humanprep")
    return work, run_or_fail(work)
