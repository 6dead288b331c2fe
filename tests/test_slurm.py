"""The SLURM profile against a real single-node cluster (tools/slurm-cluster.sh, needs root).

A toy workflow (tests/data/slurm_toy) runs through SLURM and must give the same bytes as a
local run and as the contents computed here; a failing job must be reported with its log
kept; an interrupted run must resume without redoing finished jobs; a job over its time or
memory limit must be reported with SLURM's reason and retried with more of that resource
only; a deterministic failure must not run again; the unedited profile must be refused.
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
    ACCOUNT,
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
REPO_PROFILE_DIR = PROFILE.parent
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


def test_profile_fits_a_site_with_accounting():
    config = yaml.safe_load(PROFILE.read_text())
    assert config["executor"] == "slurm"
    # The plugin's default status command (sacct) reports why jobs failed.
    assert "slurm-status-command" not in config
    assert config["keep-going"] is True and config["retries"] >= 1
    assert config["slurm-logdir"] and config["slurm-delete-logfiles-older-than"] > 0
    assert config["slurm-efficiency-report"] is True
    assert config["default-resources"]["slurm_partition"].startswith("CHANGE_ME")
    assert config["default-resources"]["slurm_account"].startswith("CHANGE_ME")
    # The opt-ins for sites without accounting, qos and extra sbatch options, commented out.
    text = PROFILE.read_text()
    for line in ("# slurm-status-command: squeue", "# slurm-qos: ", "# slurm_extra: "):
        assert line in text


def test_test_profile_changes_only_site_placeholders():
    repo, local = yaml.safe_load(PROFILE.read_text()), slurm_profile_config()
    assert set(local) == set(repo)
    assert local["default-resources"] == repo["default-resources"] | {
        "slurm_partition": PARTITION,
        "slurm_account": ACCOUNT,
    }
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
    assert re.search(r"^AccountingStorageType\s*=\s*accounting_storage/slurmdbd", config, re.M)
    # Accounting answers, and knows the account the test profile charges.
    subprocess.run(["sacct", "-X", "-n"], capture_output=True, check=True)
    assoc = subprocess.run(
        ["sacctmgr", "-n", "-P", "show", "assoc", "format=account,user"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{ACCOUNT}|root" in assoc.splitlines()


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


# Every failure the tests look at, in one keep-going run: its chains run side by side, so the
# run takes as long as the slowest (the time limit and its retry), not their sum.
FAILURE_TARGETS = [
    "work/broken.txt",
    "work/overtime.txt",
    "work/overmemory.txt",
    "work/alpha.rev",
    "work/unpacked.txt",
]


@pytest.fixture(scope="module")
def failures_run(slurm_cluster, tmp_path_factory):
    """The toy's failing, over-limit and deterministic-failure targets in one SLURM run."""
    root = tmp_path_factory.mktemp("failures")
    work = toy_copy(root, "toy")
    profile = slurm_profile(root)
    res = run(work, "--profile", profile, *FAILURE_TARGETS, timeout=400)
    # The run fails (broken, wrong_password) but keep-going finished everything else.
    assert res.returncode != 0
    return work, res, profile


@pytest.mark.slurm
@pytest.mark.timeout(420)
def test_failing_job_is_reported_and_its_log_kept(failures_run):
    work, res, _ = failures_run
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
    # The release and what it is made of (the report's pictures are not part of it).
    target = "results/release/humanprep-demo-0.1.0.json"
    configs = [target, "--configfile", "config/config.yaml", fat]

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
    assert 20 <= submitted <= 50


def sacct_state(job_id):
    res = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-j", job_id, "-o", "State"],
        capture_output=True,
        text=True,
        check=True,
    )
    return res.stdout.strip()


@pytest.mark.slurm
@pytest.mark.timeout(420)
def test_limits_reported_with_reason_and_retried_with_more_of_that_only(failures_run):
    work, res, _ = failures_run
    # SLURM's reason in Snakemake's output and in the kept job log.
    assert re.search(r"SLURM-job '\d+' failed, SLURM status is: 'TIMEOUT'", res.stderr)
    (log,) = (work / ".snakemake" / "slurm_logs" / "rule_overtime").rglob("*.log")
    assert "DUE TO TIME LIMIT" in log.read_text()
    assert sacct_state(log.stem) == "TIMEOUT"
    # No cgroups here: SLURM's sampling kills the step (OverMemoryKill) and the job ends
    # FAILED, the memory reason in its log; where cgroups enforce memory it is OUT_OF_MEMORY.
    (log,) = (work / ".snakemake" / "slurm_logs" / "rule_overmemory").rglob("*.log")
    assert "Exceeded job memory limit" in log.read_text()
    assert sacct_state(log.stem) in ("FAILED", "OUT_OF_MEMORY")
    # Each retry got more of what ran out, and only that: "runtime mem_mb" of the attempt.
    assert (work / "work" / "overtime.txt").read_text() == "2 1000\n"
    assert (work / "work" / "overmemory.txt").read_text() == "5 2000\n"


@pytest.mark.slurm
@pytest.mark.timeout(600)
def test_deterministic_failure_not_rerun_and_others_finish(failures_run):
    work, res, profile = failures_run
    # keep-going: the independent jobs finished.
    assert outputs(work)["alpha.rev"] == expected_outputs()["alpha.rev"]
    # retries: 1 resubmitted it, but the work ran once; both attempts say the same line.
    line = "ERROR humanprep: raw/toy.zip: wrong password (set HUMANPREP_TOY_PASSWORD)"
    logs = sorted((work / ".snakemake" / "slurm_logs" / "rule_wrong_password").rglob("*.log"))
    assert len(logs) == 2, res.stderr[-4000:]
    assert all(line in log.read_text() for log in logs)
    assert (work / "work" / "wrong_password.calls").read_text() == "ran\n"
    assert (work / "logs" / "wrong_password.log").read_text().strip() == line
    # The next run tries it afresh (once: the retry would replay it, as above).
    res = run(work, "--profile", profile, "work/unpacked.txt", "--retries", "0", timeout=150)
    assert (work / "work" / "wrong_password.calls").read_text() == "ran\nran\n"


@pytest.mark.slurm
@pytest.mark.timeout(120)
def test_unedited_profile_refused_in_one_line_before_any_sbatch(slurm_cluster, tmp_path):
    from conftest import copy_workflow

    work = copy_workflow(tmp_path / "humanprep")
    res = run(work, "--profile", REPO_PROFILE_DIR, timeout=100)
    assert res.returncode == 1
    lines = [ln for ln in res.stderr.splitlines() if "CHANGE_ME" in ln]
    assert lines == [
        "humanprep: the SLURM profile still has placeholder values "
        "(slurm_partition=CHANGE_ME_partition, slurm_account=CHANGE_ME_account): "
        "set them to your site's values (profiles/slurm/config.yaml) before submitting"
    ], res.stderr[-3000:]
    assert "has been submitted" not in res.stderr and "sbatch" not in res.stderr
    assert not (work / ".snakemake" / "slurm_logs").exists()
