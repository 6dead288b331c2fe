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


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo workflow run once, end to end, in a fresh copy of the repository."""
    work = copy_workflow(tmp_path_factory.mktemp("demo") / "humanprep")
    res = snakemake(work)
    if res.returncode != 0:
        pytest.fail(f"demo run failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return work, res
