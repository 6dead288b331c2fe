"""The SLURM profile against a real single-node cluster (tools/slurm-cluster.sh, needs root).

A toy workflow (tests/data/slurm_toy) runs through SLURM and must give the same bytes as a
local run and as the contents computed here; a failing job must be reported with its log
kept; an interrupted run must resume without redoing finished jobs.
"""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from slurm_helpers import (
    FAT_SHARDS,
    INIT_SECONDS,
    PARTITION,
    PROFILE,
    SNAKEMAKE,
    cluster,
    cluster_running,
    cluster_unavailable_reason,
    slurm_profile,
    slurm_profile_config,
)

TOY = Path(__file__).resolve().parent / "data" / "slurm_toy"
SAMPLES = ["alpha", "beta"]
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+)")


@pytest.fixture(scope="session")
def slurm_cluster():
    """The local cluster, started for the session (and stopped only if it was not running)."""
    reason = cluster_unavailable_reason()
    if reason:
        pytest.skip(reason)
    was_running = cluster_running()
    started = time.monotonic()
    cluster("start")
    print(f"SLURM cluster up after {time.monotonic() - started:.1f} s")
    yield
    if not was_running:
        cluster("stop")


def toy_copy(tmp_path, name):
    return Path(shutil.copytree(TOY, tmp_path / name))


def run(workdir, *args, timeout=200):
    cmd = [str(SNAKEMAKE), *map(str, args)]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)


def expected_outputs():
    """The toy's outputs, computed independently of the shell tools the rules use."""
    files = {}
    summary = ""
    for sample in SAMPLES:
        seed = f"{sample}\n{sample}-{sample}\n"
        rev = "".join(line[::-1] + "\n" for line in seed.splitlines())
        rev += hashlib.sha256(seed.encode()).hexdigest() + "  -\n"
        files[f"{sample}.seed"] = seed.encode()
        files[f"{sample}.rev"] = rev.encode()
        summary += f"== work/{sample}.rev\n{rev}"
    files["summary.txt"] = summary.encode()
    return files


def outputs(workdir):
    work = workdir / "work"
    return {p.name: p.read_bytes() for p in sorted(work.iterdir())}


def active_jobs(job_ids):
    res = subprocess.run(["squeue", "-h", "-o", "%i"], capture_output=True, text=True, check=True)
    return set(res.stdout.split()) & set(job_ids)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.5)


def test_profile_fits_the_plugin_without_accounting():
    config = yaml.safe_load(PROFILE.read_text())
    assert config["executor"] == "slurm"
    # Without accounting sacct fails and the plugin loses its jobs: squeue must be used.
    assert config["slurm-status-command"] == "squeue"
    # squeue sees finished jobs for MinJobAge (default 300 s); the plugin wants 3x margin.
    assert 3 * config["slurm-init-seconds-before-status-checks"] <= 300
    assert config["default-resources"]["slurm_partition"].startswith("CHANGE_ME")
    assert config["default-resources"]["slurm_account"].startswith("CHANGE_ME")


def test_test_profile_changes_only_site_placeholders():
    repo, local = yaml.safe_load(PROFILE.read_text()), slurm_profile_config()
    assert set(local) == set(repo)
    assert local["default-resources"] == {
        k: v for k, v in repo["default-resources"].items() if k != "slurm_account"
    } | {"slurm_partition": PARTITION}
    changed = {k for k in repo if repo[k] != local[k]}
    assert changed == {"default-resources", "slurm-init-seconds-before-status-checks"}


@pytest.mark.slurm
@pytest.mark.timeout(120)
def test_cluster_matches_this_machine(slurm_cluster):
    node = subprocess.run(
        ["scontrol", "show", "node"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(rf"\bCPUTot={os.cpu_count()}\b", node)
    config = subprocess.run(
        ["scontrol", "show", "config"], capture_output=True, text=True, check=True
    ).stdout
    min_job_age = int(re.search(r"^MinJobAge\s*=\s*(\d+)", config, re.M).group(1))
    assert min_job_age >= 3 * INIT_SECONDS
    assert re.search(r"^AccountingStorageType\s*=\s*accounting_storage/none", config, re.M)


@pytest.mark.slurm
@pytest.mark.timeout(300)
def test_toy_through_slurm_equals_local_run(slurm_cluster, tmp_path):
    local, remote = toy_copy(tmp_path, "local"), toy_copy(tmp_path, "slurm")
    started = time.monotonic()
    res = run(local, "--cores", "2")
    assert res.returncode == 0, res.stderr[-4000:]
    local_s = time.monotonic() - started

    started = time.monotonic()
    res = run(remote, "--profile", slurm_profile(tmp_path))
    assert res.returncode == 0, res.stderr[-6000:]
    print(f"toy workflow: local {local_s:.1f} s, SLURM {time.monotonic() - started:.1f} s")

    # seed x2, transform x2, combine: every non-local job went through sbatch.
    assert len(SUBMITTED.findall(res.stderr)) == 5
    assert outputs(remote) == outputs(local) == expected_outputs()


@pytest.mark.slurm
@pytest.mark.timeout(200)
def test_failing_job_is_reported_and_its_log_kept(slurm_cluster, tmp_path):
    work = toy_copy(tmp_path, "toy")
    res = run(work, "--profile", slurm_profile(tmp_path), "work/broken.txt")
    assert res.returncode != 0
    assert "Error in rule broken" in res.stderr
    logs = sorted((work / ".snakemake" / "slurm_logs" / "rule_broken").rglob("*.log"))
    # retries: 1 in the profile, so two SLURM jobs, each log kept.
    assert len(logs) == 2, res.stderr[-4000:]
    for log in logs:
        assert "toy job failing on purpose" in log.read_text()
    assert not (work / "work" / "broken.txt").exists()


@pytest.mark.slurm
@pytest.mark.timeout(300)
def test_interrupted_run_resumes_without_redoing_finished_jobs(slurm_cluster, tmp_path):
    work = toy_copy(tmp_path, "toy")
    profile = slurm_profile(tmp_path)
    log_path = tmp_path / "interrupted.log"
    # transform sleeps long enough to be running when the run is interrupted.
    cmd = [str(SNAKEMAKE), "--profile", str(profile), "--config", "delay=120"]
    with open(log_path, "w") as log:
        # Own session: only the one SIGINT below reaches Snakemake (a second one would abort
        # the plugin's scancel and leave jobs running).
        proc = subprocess.Popen(cmd, cwd=work, stdout=log, stderr=log, start_new_session=True)
        try:
            wait_for(
                lambda: log_path.read_text().count("rule_transform/") == 2,
                120,
                "both transform jobs to be submitted",
            )
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=120) != 0
        finally:
            if proc.poll() is None:
                proc.kill()
    first = log_path.read_text()
    assert first.count("Finished jobid") == 2 and "(Rule: seed)" in first
    job_ids = SUBMITTED.findall(first)
    # Snakemake cancelled the running transform jobs on its way out.
    wait_for(lambda: not active_jobs(job_ids), 30, "the interrupted run's jobs to end")
    seeds = {s: (work / "work" / f"{s}.seed").stat().st_mtime_ns for s in SAMPLES}

    res = run(work, "--profile", profile, "--config", "delay=0")
    assert res.returncode == 0, res.stderr[-6000:]
    assert "rule seed:" not in res.stderr
    assert re.findall(r"^rule (\w+):", res.stderr, re.M) == ["transform", "transform", "combine"]
    assert {s: (work / "work" / f"{s}.seed").stat().st_mtime_ns for s in SAMPLES} == seeds
    assert outputs(work) == expected_outputs()


@pytest.mark.slurm
@pytest.mark.timeout(900)
def test_demo_release_through_slurm_equals_local_run(slurm_cluster, tmp_path):
    from conftest import copy_workflow

    fat = tmp_path / "fat.yaml"
    fat.write_text(FAT_SHARDS)
    local = copy_workflow(tmp_path / "local")
    remote = copy_workflow(tmp_path / "slurm")
    configs = ["--configfile", "config/config.yaml", fat]

    started = time.monotonic()
    res = run(local, "--cores", "2", *configs, timeout=600)
    assert res.returncode == 0, res.stderr[-4000:]
    local_s = time.monotonic() - started

    started = time.monotonic()
    res = run(remote, "--profile", slurm_profile(tmp_path), *configs, timeout=840)
    assert res.returncode == 0, res.stderr[-6000:]
    submitted = len(SUBMITTED.findall(res.stderr))
    slurm_s = time.monotonic() - started
    print(f"demo: local {local_s:.1f} s; SLURM {slurm_s:.1f} s, {submitted} jobs")

    release = Path("releases", "humanprep-demo-0.1.0", "SHA256SUMS")
    assert (remote / release).read_bytes() == (local / release).read_bytes()
    # every remote job went through sbatch, a modest number: one per file, archive or shard
    assert 20 <= submitted <= 60
