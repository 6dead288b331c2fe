"""Where a release came from: inputs, acceptances, config, code and tool versions."""

import hashlib
import importlib.metadata
import platform
import subprocess
from pathlib import Path

from humanprep.acquire.urls import sanitise_url

SOURCE_GLOBS = (
    "Snakefile",
    "rules/*.smk",
    "scripts/*.py",
    "humanprep/**/*.py",
    "humanprep/**/*.json",
    "humanprep/**/*.yaml",
    "envs/*.yaml",
    "terms/*.md",
)
TOOLS = (
    "snakemake",
    "numpy",
    "pillow",
    "opencv-python-headless",
    "pycocotools",
    "pyzipper",
    "requests",
    "jsonschema",
)


def sources_digest(repo):
    """sha256 over the workflow's sources (path and bytes of each, sorted)."""
    repo = Path(repo)
    paths = sorted({p for g in SOURCE_GLOBS for p in repo.glob(g) if p.is_file()})
    digest = hashlib.sha256()
    for path in paths:
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(repo).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def git_commit(repo):
    """(commit, dirty) of a git checkout, or (None, None) outside one."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return commit, bool(status.strip())


def code_version(repo):
    from humanprep import __version__

    commit, dirty = git_commit(repo)
    return {
        "package_version": __version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "sources_sha256": sources_digest(repo),
    }


def tool_versions():
    versions = {"python": platform.python_version()}
    for name in TOOLS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def public_config(config):
    """The run's config without secrets: the passwords file location is masked and
    download URLs lose credentials, queries and fragments."""
    out = {k: v for k, v in config.items() if k != "passwords_file"}
    out["passwords_file"] = "<set>" if config.get("passwords_file") else ""
    datasets = {}
    for name, settings in config.get("datasets", {}).items():
        settings = dict(settings)
        if settings.get("base_url"):
            settings["base_url"] = sanitise_url(settings["base_url"])
        settings["urls"] = {f: sanitise_url(u) for f, u in settings.get("urls", {}).items()}
        datasets[name] = settings
    out["datasets"] = datasets
    return out
