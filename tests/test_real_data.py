"""The real-data path as the README documents it: archives in the real layouts, no demo
config, registration and acceptance through the documented commands only, a killed run
unlocked, and a release that names only the user's own acceptances."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, copy_workflow

from humanprep.datasets import DEMO_PASSWORDS, DESCRIPTORS, PASSWORD_ENV

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ENABLED = ("shhq", "deepfashion2", "celeba")


def readme_commands():
    """The shell lines of the README's "Using real data" example, in order."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Using real data") :]
    section = section[: section.index("\n## ", 1)]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def shell(work, command, env, timeout=600):
    return subprocess.run(
        ["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=timeout
    )


def kill_midway(work, command, env):
    """Start a run and kill -9 it (and its jobs) once Snakemake holds its lock."""
    proc = subprocess.Popen(
        ["bash", "-c", command], cwd=work, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    locks = Path(work, ".snakemake", "locks")
    deadline = time.monotonic() + 120
    while not (locks.is_dir() and any(locks.iterdir())) and time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.05)
    time.sleep(1.0)  # some jobs under way
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):

    work = copy_workflow(tmp_path_factory.mktemp("real") / "humanprep")
    (work / ".venv").symlink_to(Path(sys.executable).parent.parent)
    # a fresh clone: every file of the workflow known to git before the user adds theirs
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    for dataset in ENABLED:  # the demo generators write the real upstream layouts and names
        DESCRIPTORS[dataset].demo(work / "raw" / dataset)
    env = dict(os.environ)
    for dataset, password in DEMO_PASSWORDS.items():  # what the user exports
        env[PASSWORD_ENV[dataset]] = password
    *setup, run = readme_commands()
    for command in setup:
        res = shell(work, command, env)
        assert res.returncode == 0, f"{command}\n{res.stdout}\n{res.stderr}"
    first_try = run.split(" || ")[0]
    kill_midway(work, first_try, env)
    locked = shell(work, first_try, env)
    res = shell(work, run, env, timeout=800)
    assert res.returncode == 0, f"{run}\n{res.stdout[-3000:]}\n{res.stderr[-6000:]}"
    return work, locked, res


def test_killed_run_is_locked_until_unlocked(real_run):
    _, locked, res = real_run
    assert locked.returncode != 0
    assert "cannot be locked" in locked.stdout + locked.stderr
    assert "humanprep: release in releases/humanprep-0.1.0/" in res.stdout + res.stderr


def test_release_names_only_the_users_acceptances(real_run):
    work = real_run[0]
    release = work / "releases" / "humanprep-0.1.0"
    provenance = json.loads((release / "PROVENANCE.json").read_text())
    accepted = provenance["agreements"]
    assert [a["dataset"] for a in accepted] == sorted(ENABLED)
    assert {a["accepted_by"] for a in accepted} == {"Your Name <you@lab.org>"}
    hits = subprocess.run(["grep", "-rl", "humanprep demo", str(release)], capture_output=True)
    assert hits.stdout == b""
    assert sorted(p.name for p in release.iterdir() if p.is_dir() and p.name in ENABLED) == sorted(
        ENABLED
    )
    assert not (release / "fdh").exists() and not (release / "huge100k").exists()


def test_registration_recorded_what_the_user_holds(real_run):
    import hashlib

    from humanprep.acquire.registry import load_registry

    work = real_run[0]
    for dataset in ENABLED:
        entries = load_registry(work / "registry" / "local" / f"{dataset}.tsv")
        for entry in entries:
            data = (work / "raw" / dataset / entry.file).read_bytes()
            assert entry.size == len(data)
            assert entry.sha256 == hashlib.sha256(data).hexdigest()
    # the shipped registry is never written to
    assert (work / "registry" / "upstream" / "shhq.tsv").read_text() == (
        REPO / "registry" / "upstream" / "shhq.tsv"
    ).read_text()


def test_release_verifies(real_run):
    work = real_run[0]
    res = subprocess.run(
        [str(work / ".venv" / "bin" / "humanprep"), "verify-release", "releases/humanprep-0.1.0"],
        cwd=work, capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr


def test_nothing_gated_is_left_for_git(real_run):
    """After the block (archives, registry, config with acceptances, results, release),
    `git status` lists no new file: none of them is one `git add -A` from a commit."""
    res = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=real_run[0], capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert [line for line in res.stdout.splitlines() if not line.startswith("A  ")] == []
