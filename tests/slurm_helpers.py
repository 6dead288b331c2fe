"""Helpers for tests that run workflows through the local SLURM cluster (tools/slurm-cluster.sh).

`slurm_profile(tmp_path)` gives a copy of profiles/slurm fitted to that cluster; the cluster
functions start/stop it and tell why it cannot run here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CLUSTER_SCRIPT = REPO / "tools" / "slurm-cluster.sh"
PROFILE = REPO / "profiles" / "slurm" / "config.yaml"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
# The partition and the account tools/slurm-cluster.sh creates.
PARTITION = "local"
ACCOUNT = "humanprep"
# Config for demo runs on the cluster: one shard per dataset keeps the SLURM job count modest.
FAT_SHARDS = "shard_size: 100\ndatasets:\n  huge100k:\n    shard_size: 100\n"
# Short status polls: the plugin checks this long after a finished job, then each idle check
# waits 10 s longer than the last (checks at 7, 24, 51 s). A demo job here takes 5-15 s: the
# last steps (coco, release) take 5-6 s each and are caught at the first check
# (with 4, at 18 s: the demo took 160 s, with 7 144.5 s).
INIT_SECONDS = 7


def cluster_unavailable_reason():
    """Why the local cluster cannot be started here, or None when it can."""
    if os.geteuid() != 0:
        return "SLURM tests need root (tools/slurm-cluster.sh installs and starts daemons)"
    if shutil.which("slurmctld") is None and shutil.which("apt-get") is None:
        return "SLURM is not installed and apt-get is unavailable to install it"
    return None


def cluster_running():
    return subprocess.run([str(CLUSTER_SCRIPT), "status"], capture_output=True).returncode == 0


def cluster(action):
    """Run `tools/slurm-cluster.sh start|stop`; raise with its output when it fails."""
    res = subprocess.run([str(CLUSTER_SCRIPT), action], capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(f"slurm-cluster.sh {action} failed:\n{res.stdout}\n{res.stderr}")
    return res.stdout


def slurm_profile_config():
    """profiles/slurm/config.yaml with the site placeholders set to the local cluster's
    partition and account, and short status polls (a test's jobs take seconds)."""
    config = yaml.safe_load(PROFILE.read_text())
    resources = config["default-resources"]
    resources["slurm_partition"] = PARTITION
    resources["slurm_account"] = ACCOUNT
    config["slurm-init-seconds-before-status-checks"] = INIT_SECONDS
    return config


def slurm_profile(tmp_path) -> Path:
    """A profile directory for `snakemake --profile DIR` against the local cluster."""
    profile = Path(tmp_path) / "slurm-profile"
    profile.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(slurm_profile_config(), sort_keys=False)
    (profile / "config.yaml").write_text(text)
    return profile
