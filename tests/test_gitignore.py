"""Nothing gated is one `git add -A` from a commit: after the files the README's real-data
block makes exist in a clone, `git status` lists none of them."""

import re
import shutil
import subprocess

from conftest import REPO
from test_real_data import readme_commands

# What a run and the README's setup leave besides the block's own files.
MADE_BY_A_RUN = (
    "results/normalised/shhq/shard-00000.jsonl",
    "releases/humanprep-0.1.0/README.md",
    "registry/local/shhq.tsv",
    ".snakemake/log/run.log",
    "report.html",
    "passwords.yaml",  # the README's passwords_file: should sit outside; if not, ignored
    "my/config.yaml",
    "lab-config.yaml",
)


def files_of_the_block():
    """Every path the README's real-data commands name (raw archives, the written config)."""
    paths = set()
    for line in readme_commands():
        paths.update(re.findall(r"\braw/[\w./-]+", line))
        paths.update(re.findall(r"> *([\w./-]+\.yaml)", line))
    return sorted(paths)


def status(work):
    res = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=work, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return res.stdout.splitlines()


def test_nothing_gated_shows_in_git_status(tmp_path):
    block = files_of_the_block()
    assert "my-config.yaml" in block and "raw/shhq/SHHQ-1.0.zip" in block
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    (tmp_path / "README.md").write_text("tracked\n")  # a file git must still see
    for name in (*block, *MADE_BY_A_RUN):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("gated\n")
    assert sorted(status(tmp_path)) == ["?? .gitignore", "?? README.md"]


def test_no_tracked_file_is_ignored():
    """The patterns hide no file of the workflow itself (configs, profiles, registries)."""
    res = subprocess.run(
        ["git", "ls-files", "-i", "-c", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert res.stdout == ""
