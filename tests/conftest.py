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

# A session fixture that runs the whole workflow is built inside the first test that asks
# for it, and pytest-timeout counts that setup against the test: such tests get this bound
# unless they set their own (the default timeout, pyproject.toml, is for unit tests).
WORKFLOW_RUN_FIXTURES = {"demo_run", "plain_run"}
WORKFLOW_RUN_TIMEOUT = 900


def pytest_collection_modifyitems(items):
    for item in items:
        runs = WORKFLOW_RUN_FIXTURES & set(getattr(item, "fixturenames", ()))
        if runs and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(WORKFLOW_RUN_TIMEOUT))


@pytest.fixture
def root_logging():
    """runner.run() configures the root logger; put pytest's handlers back afterwards and
    close only the handlers the test made (never logging.shutdown(): it closes pytest's)."""
    import logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved


def copy_workflow(dest):
    """A clean copy of the workflow, as a fresh clone would have it."""
    shutil.copytree(REPO, dest, ignore=IGNORE)
    return dest


def snakemake(workdir, *args, timeout=900, umask=-1):
    cmd = [str(BIN / "snakemake"), "--cores", "2", *map(str, args)]
    return subprocess.run(
        cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout, umask=umask
    )


# The FDH tar the served demo drops mid-transfer once, so the workflow must resume it.
DROPPED = "/fdh/cc-by-2.tar"
# Canary credentials written into the demo's download URL: none may be recorded anywhere.
URL_USER, URL_PASSWORD, URL_TOKEN = "canaryuser7q", "canarypass9x", "canarytoken4k"


class CommandLines:
    """Every process command line seen (ps, every 50 ms) while a run goes on."""

    def __init__(self):
        import threading

        self.seen, self.stop = set(), threading.Event()
        self.thread = threading.Thread(target=self.poll, daemon=True)

    def poll(self):
        while not self.stop.wait(0.05):
            out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
            self.seen.update(out.splitlines())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo workflow run once, end to end, in a fresh copy of the repository.

    FDH comes over HTTP, as users get it: its demo files are served by a real local server
    (loopback, Range support) that drops one transfer half-way. Its URL carries canary
    credentials (userinfo and a query token) and the archive passwords come from a private
    file, so the tests can look for all of them in everything the run wrote.
    """
    from httpserver import Fault, FileServer

    from humanprep.datasets import DEMO_PASSWORDS
    from humanprep.datasets.fdh import demo as fdh

    root = tmp_path_factory.mktemp("demo")
    work = copy_workflow(root / "humanprep")
    served = {f"/fdh/{p.name}": p.read_bytes() for p in fdh.build(root / "served", seed=0)}
    faults = {DROPPED: Fault(drop_after=len(served[DROPPED]) // 2)}
    secrets = root / "private" / "passwords.yaml"
    secrets.parent.mkdir(mode=0o700)
    secrets.write_text("".join(f"{d}: {p}\n" for d, p in DEMO_PASSWORDS.items()))
    secrets.chmod(0o600)
    extra = root / "download.yaml"
    with FileServer(served, faults) as server, CommandLines() as ps:
        url = server.url("/fdh").replace("://", f"://{URL_USER}:{URL_PASSWORD}@")
        extra.write_text(
            f"passwords_file: {secrets}\ndatasets:\n  fdh:\n    base_url: {url}?token={URL_TOKEN}\n"
        )
        res = snakemake(work, "--configfile", "config/config.yaml", extra)
    if res.returncode != 0:
        pytest.fail(f"demo run failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return work, res, server, served, ps.seen


def run_or_fail(work, *args, umask=-1):
    res = snakemake(work, *args, umask=umask)
    if res.returncode != 0:
        pytest.fail(f"run failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return res


@pytest.fixture(scope="session")
def plain_run(tmp_path_factory):
    """The README's main job, `snakemake --cores 2`, in a fresh copy of the repository, by
    a user whose umask keeps everything private (077): the release must be readable anyway."""
    work = copy_workflow(tmp_path_factory.mktemp("plain") / "humanprep")
    return work, run_or_fail(work, umask=0o077)
