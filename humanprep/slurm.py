"""What the workflow asks of SLURM: site placeholders checked before any job is submitted, and
retries sized by why the previous attempt ended, as SLURM accounting (sacct) recorded it.

A retry gets more time only after SLURM ended the job at its time limit (TIMEOUT), more
memory only after a memory kill (OUT_OF_MEMORY, or a FAILED job whose peak memory reached
its request, which is how SLURM reports it where no cgroup enforces memory). Any other
failure is retried with the same resources.
"""

import os
import re
import subprocess
import time

PLACEHOLDER = "CHANGE_ME"
TIMEOUT = "TIMEOUT"
OUT_OF_MEMORY = "OUT_OF_MEMORY"
RUN_STARTED_ENV = "HUMANPREP_RUN_STARTED"
_UNITS_MB = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}


def placeholders(settings):
    """`name=value` for each (name, value) whose value still holds the CHANGE_ME placeholder."""
    return [f"{name}={value}" for name, value in settings if PLACEHOLDER in str(value)]


def placeholder_message(found):
    return (
        f"humanprep: the SLURM profile still has placeholder values ({', '.join(found)}): "
        "set them to your site's values (profiles/slurm/config.yaml) before submitting"
    )


def target_spec(rule, wildcards):
    """How the executor names a job on the sbatch line (`--target-jobs rule:key=value,...`)."""
    items = ",".join(f'{k}="{v}"' if "," in str(v) else f"{k}={v}" for k, v in wildcards)
    return f"{rule}:{items}"


def _mb(text):
    match = re.fullmatch(r"([\d.]+)([KMGT]?)[nc]?", text.strip())
    return float(match.group(1)) * _UNITS_MB[match.group(2) or "M"] if match else 0.0


def classify(state, steps):
    """TIMEOUT, OUT_OF_MEMORY or the plain state of one finished job.

    `steps` are (MaxRSS, ReqMem) strings of the job and its steps, as sacct prints them (the
    request on the job's line, the peaks on its steps' lines)."""
    state = state.split()[0] if state else ""
    if state in (TIMEOUT, OUT_OF_MEMORY):
        return state
    requested = max((_mb(req) for _, req in steps), default=0.0)
    peak = max((_mb(rss) for rss, _ in steps), default=0.0)
    if state == "FAILED" and requested and peak >= requested:
        return OUT_OF_MEMORY
    return state


def _sacct(*args):
    try:
        res = subprocess.run(
            ["sacct", "--noheader", "--parsable2", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return res.stdout.splitlines() if res.returncode == 0 else []


def earlier_ends(rule, wildcards, since, run=_sacct):
    """How this run's earlier SLURM jobs for rule+wildcards ended, oldest first.

    A job is found by its `--target-jobs` entry on the submit line (grouped jobs list every
    member there); `since` is the run's start, so older runs' jobs are not counted."""
    spec = re.compile(re.escape(target_spec(rule, wildcards)) + r"""(?=['"\s\\]|$)""")
    ends = []
    for line in run("-X", "--starttime", since, "--format", "JobIDRaw,State,SubmitLine"):
        jobid, state, submit = (line.split("|", 2) + ["", ""])[:3]
        if not spec.search(submit) or not jobid.isdigit():
            continue
        steps = []
        if state.startswith("FAILED"):
            steps = [
                tuple(s.split("|")[:2]) for s in run("--jobs", jobid, "--format", "MaxRSS,ReqMem")
            ]
        ends.append((int(jobid), classify(state, steps)))
    return [end for _, end in sorted(ends)]


def grown_attempts(ends):
    """(attempt for time, attempt for memory): 1 plus the earlier ends for that reason."""
    return 1 + ends.count(TIMEOUT), 1 + ends.count(OUT_OF_MEMORY)


_ATTEMPTS = {}


def run_started():
    """When this run started, on sacct's clock: SLURM jobs since then are this run's attempts.
    Set by the main Snakemake process; its jobs inherit it (sbatch --export=ALL)."""
    return os.environ.setdefault(RUN_STARTED_ENV, time.strftime("%Y-%m-%dT%H:%M:%S"))


def retry_attempts(workflow, rulename, wildcards, attempt, since):
    """(attempt for time, attempt for memory) of a job at its `attempt`, for resource functions
    (`lambda wc, attempt, rulename: ...`): a retry grows only what SLURM found exhausted; and
    nothing outside SLURM, where neither limit is enforced. Looked up once per attempt, by
    the main process submitting to SLURM and by the job itself (which re-evaluates its
    resources and must see the same values)."""
    plugin = workflow.executor_plugin
    submitting = workflow.is_main_process and plugin is not None and plugin.name == "slurm"
    if attempt == 1 or not (submitting or not workflow.is_main_process):
        return 1, 1
    key = (rulename, tuple(wildcards.items()), attempt)
    if key not in _ATTEMPTS:
        _ATTEMPTS[key] = grown_attempts(earlier_ends(rulename, key[1], since))
    return _ATTEMPTS[key]


def site_values(workflow):
    """(name, value) of every default resource, per-rule resource and executor setting."""
    settings = workflow.resource_settings
    args = list(getattr(settings.default_resources, "args", []))
    for rule, resources in (settings.overwrite_resources or {}).items():
        args += [f"{rule}:{arg}" for arg in resources.args]
    values = [tuple(arg.split("=", 1)) for arg in args]
    executor = workflow.executor_settings
    return values + [(f"slurm-{k}", v) for k, v in (vars(executor) if executor else {}).items()]
