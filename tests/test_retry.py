"""Retries: deterministic failures replayed at once, SLURM end states read from sacct output,
site placeholders refused. (The same against a real cluster: tests/test_slurm.py.)"""

from types import SimpleNamespace

import pytest
from snakemake_interface_executor_plugins.utils import TargetSpec, encode_target_jobs_cli_args

from humanprep import failures, runner, slurm
from humanprep.errors import HumanprepError


def smk(log):
    return SimpleNamespace(log=[str(log)])


def test_recorded_failure_is_replayed_without_running_again(tmp_path, capsys, root_logging):
    log = tmp_path / "logs" / "extract" / "x.log"
    log.parent.mkdir(parents=True)
    calls = []

    def wrong_password(_):
        calls.append(1)
        raise HumanprepError("raw/x.zip", "wrong password (set HUMANPREP_X_PASSWORD)")

    with pytest.raises(SystemExit) as first:
        runner.run(smk(log), wrong_password)
    line = "ERROR humanprep: raw/x.zip: wrong password (set HUMANPREP_X_PASSWORD)"
    assert first.value.code == 1 and log.read_text().strip() == line

    # The retry: main is not called, the same line is logged, same exit status.
    with pytest.raises(SystemExit) as retry:
        runner.run(smk(log), wrong_password)
    assert retry.value.code == 1 and calls == [1]
    assert log.read_text().strip() == line
    assert capsys.readouterr().err.count(line) == 2

    # A new run clears the record: the job is tried afresh (and may now succeed).
    assert failures.clear(tmp_path / "logs") == 1
    runner.run(smk(log), lambda _: calls.append(2))
    assert calls == [1, 2]


def test_transient_errors_and_jobs_without_log_are_not_recorded(tmp_path):
    err = HumanprepError("http://x", "connection reset")
    err.transient = True
    failures.record(tmp_path / "a.log", err)
    failures.record(None, HumanprepError("x", "y"))
    assert list(tmp_path.iterdir()) == []
    failures.replay(tmp_path / "a.log")
    assert failures.clear(tmp_path / "missing") == 0


def test_placeholders_are_named():
    values = [("slurm_partition", "CHANGE_ME_partition"), ("runtime", "30m"), ("qos", None)]
    assert slurm.placeholders(values) == ["slurm_partition=CHANGE_ME_partition"]
    message = slurm.placeholder_message(["slurm_account=CHANGE_ME_account"])
    assert "\n" not in message and "slurm_account=CHANGE_ME_account" in message


@pytest.mark.parametrize(
    "wildcards",
    [
        [("dataset", "shhq"), ("shard", "shard-00000")],
        [("dataset", "fdh"), ("file", "a,b.tar")],
        [],
    ],
)
def test_target_spec_is_how_the_executor_names_the_job(wildcards):
    spec = TargetSpec("normalise", dict(wildcards))
    assert slurm.target_spec("normalise", wildcards) == encode_target_jobs_cli_args([spec])[0]


def test_end_states_from_sacct():
    # Values a job killed by OverMemoryKill showed on the test cluster (no cgroups there).
    assert slurm.classify("FAILED", [("", "100M"), ("10520K", "100M"), ("423028K", "100M")]) == (
        "OUT_OF_MEMORY"
    )
    assert slurm.classify("FAILED", [("10520K", "2000M")]) == "FAILED"
    assert slurm.classify("TIMEOUT", []) == "TIMEOUT"
    assert slurm.classify("OUT_OF_MEMORY", []) == "OUT_OF_MEMORY"
    assert slurm.classify("CANCELLED by 0", []) == "CANCELLED"
    assert slurm.classify("FAILED", [("3G", "2Gn")]) == "OUT_OF_MEMORY"


def test_earlier_ends_finds_this_jobs_attempts_by_their_submit_line():
    def line(jobid, state, target):
        return (
            f'{jobid}|{state}|sbatch --parsable --job-name x --wrap="python -m snakemake '
            f"--target-jobs '{target}' --attempt 1\""
        )

    rows = {
        "-X": [
            line(12, "TIMEOUT", "normalise:dataset=shhq,shard=shard-00000"),
            line(13, "FAILED", "normalise:dataset=shhq,shard=shard-00001"),
            line(15, "FAILED", "normalise:dataset=shhq,shard=shard-00000"),
            line(14, "COMPLETED", "normalise:dataset=shhq,shard=shard-000001"),
        ],
        "15": ["|3000M", "3100000K|3000M"],
    }
    asked = []

    def run(*args):
        asked.append(args)
        return rows["-X" if args[0] == "-X" else args[1]]

    wildcards = [("dataset", "shhq"), ("shard", "shard-00000")]
    ends = slurm.earlier_ends("normalise", wildcards, "2026-11-28T09:00:00", run=run)
    assert ends == ["TIMEOUT", "OUT_OF_MEMORY"]
    assert "2026-11-28T09:00:00" in asked[0]
    assert slurm.grown_attempts(ends) == (2, 2)
    assert slurm.grown_attempts(["FAILED"]) == (1, 1)


def test_job_level_request_against_step_peaks():
    # Job 187 on the test cluster: --mem 1000, its step killed by OverMemoryKill.
    steps = [("", "1000M"), ("141424K", ""), ("1080000K", "")]
    assert slurm.classify("FAILED", steps) == "OUT_OF_MEMORY"
    assert slurm.classify("FAILED", [("", "1000M"), ("141424K", "")]) == "FAILED"


def fake_workflow(main, executor):
    return SimpleNamespace(is_main_process=main, executor_plugin=SimpleNamespace(name=executor))


@pytest.mark.parametrize(
    "main, executor, attempt, looked_up",
    [
        (True, "slurm", 2, True),  # the submitting process sizes the retry
        (False, "local", 2, True),  # the job itself re-evaluates its resources
        (True, "local", 2, False),  # no SLURM: no limit was enforced, nothing grows
        (True, "slurm", 1, False),  # a first attempt has no history
    ],
)
def test_retry_attempts_asks_sacct_only_where_slurm_ran_the_job(
    monkeypatch, main, executor, attempt, looked_up
):
    asked = []

    def earlier_ends(rule, wildcards, since):
        asked.append((rule, wildcards, since))
        return ["TIMEOUT"]

    monkeypatch.setattr(slurm, "earlier_ends", earlier_ends)
    monkeypatch.setattr(slurm, "_ATTEMPTS", {})
    wildcards = {"dataset": "shhq"}
    got = slurm.retry_attempts(fake_workflow(main, executor), "r", wildcards, attempt, "T0")
    assert got == ((2, 1) if looked_up else (1, 1))
    assert asked == ([("r", (("dataset", "shhq"),), "T0")] if looked_up else [])


def test_run_started_is_inherited_by_jobs(monkeypatch):
    monkeypatch.delenv(slurm.RUN_STARTED_ENV, raising=False)
    first = slurm.run_started()
    monkeypatch.setenv(slurm.RUN_STARTED_ENV, "2026-01-01T00:00:00")
    assert slurm.run_started() == "2026-01-01T00:00:00" != first
