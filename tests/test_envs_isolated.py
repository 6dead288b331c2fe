"""Each envs/*.yaml checked in isolation, as far as this machine allows: conda channels are out
of reach, so the env's pip block is installed into a fresh venv that cannot see the workflow's
venv, and each of that env's rules runs one demo job there, through its Snakemake entry
point (scripts/<stage>.py), with the very `snakemake` object Snakemake built for that job.

Why not Snakemake itself: its script preamble appends the host's sys.path (for its own
module), so inside a conda env a missing pin silently imports from the workflow's venv.
Here the job runs with `python -I` and the only extra path is the scripts folder (which the
preamble adds too): a missing pin is a ModuleNotFoundError, reported with the module's name.
Each job must also rebuild its outputs byte for byte as the workflow's venv made them.
"""

import ast
import filecmp
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import copy_workflow, run_or_fail
from slurm_helpers import FAT_SHARDS
from test_envs import RULES

from humanprep.datasets import DEMO_PASSWORDS, PASSWORD_ENV

REPO = Path(__file__).resolve().parent.parent
# Runs a job's entry point in an isolated interpreter: argv = spec pickle (plain types only).
DRIVER = """
import pickle, runpy, sys

class Named(list):
    # As Snakemake's Namedlist: items by position, by attribute and by name.
    def __init__(self, items, names):
        super().__init__(items)
        self.__dict__.update(names)

    def __getitem__(self, key):
        return getattr(self, key) if isinstance(key, str) else super().__getitem__(key)

def named(value):
    items, names = value
    return Named(items, names)

spec = pickle.load(open(sys.argv[1], "rb"))
smk = type("Snakemake", (), {})()
for key in ("input", "output", "params", "wildcards", "log", "resources"):
    setattr(smk, key, named(spec[key]))
smk.threads, smk.config, smk.rule = spec["threads"], spec["config"], spec["rule"]
smk.scriptdir = spec["scriptdir"]
sys.path.append(spec["scriptdir"])
runpy.run_path(spec["script"], init_globals={"snakemake": smk}, run_name="__main__")
"""
MISSING = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")


def plain(value):
    """Builtin types only, so the isolated interpreter can unpickle without snakemake."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return type(value)(value) if value is not None else None
    return str(value)


def named(namedlist):
    names = dict(namedlist.items()) if hasattr(namedlist, "items") else {}
    return plain(list(namedlist)), {k: plain(v) for k, v in names.items()}


def job_spec(generated):
    """The `snakemake` object and entry point from a script Snakemake generated for a job."""
    preamble = generated.read_text().split("\n######## snakemake preamble end")[0]
    found = {}
    for node in ast.walk(ast.parse(preamble.split("\n", 1)[1])):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    smk = pickle.loads(found["snakemake"].args[0].value)
    params = {k: getattr(smk.params, k) for k in smk.params._names}
    return {
        "rule": smk.rule,
        "script": ast.literal_eval(found["__file__"]),
        "scriptdir": str(Path(ast.literal_eval(found["__file__"])).parent),
        "input": named(smk.input),
        "output": named(smk.output),
        "params": (plain(list(smk.params)), plain(params)),
        "wildcards": named(smk.wildcards),
        "log": named(smk.log),
        "resources": named(smk.resources),
        "threads": smk.threads,
        "config": plain(smk.config),
    }


def env_pins(env_file):
    doc = yaml.safe_load(env_file.read_text())
    return next(d["pip"] for d in doc["dependencies"] if isinstance(d, dict))


def make_venv(path, pins):
    """A venv without the workflow's packages (no system site-packages), pins installed by
    pip with their dependencies, from the pip cache where it can. No bytecode compiled at
    install (more than half the install time here): the job compiles what it imports."""
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    if pins:
        cmd = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
        cmd += ["--no-compile", "--disable-pip-version-check", *pins]
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    return python


def run_isolated(python, spec, workdir, tmp_path):
    spec_file = tmp_path / f"{spec['rule']}.spec.pkl"
    spec_file.write_bytes(pickle.dumps(spec))
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    cmd = [str(python), "-I", str(driver), str(spec_file)]
    # The demo's documented passwords, as a user's environment would give them.
    env = os.environ | {PASSWORD_ENV[d]: pw for d, pw in DEMO_PASSWORDS.items()}
    return subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=300)


def missing_module(res):
    found = MISSING.findall(res.stderr)
    return found[-1] if found else None


def same_tree(a, b):
    """Paths (relative) that differ between two files or folders; empty when identical."""
    a, b = Path(a), Path(b)
    if a.is_file() or b.is_file():
        return [] if a.is_file() and b.is_file() and filecmp.cmp(a, b, shallow=False) else ["."]
    # Snakemake stamps directory outputs itself; the job's own files are what count.
    cmp = filecmp.dircmp(a, b, ignore=[".snakemake_timestamp"])
    diff = cmp.left_only + cmp.right_only + cmp.funny_files
    diff += [f for f in cmp.common_files if not filecmp.cmp(a / f, b / f, shallow=False)]
    for sub in cmp.common_dirs:
        diff += [f"{sub}/{d}" for d in same_tree(a / sub, b / sub)]
    return diff


@pytest.fixture(scope="module")
def demo_jobs(tmp_path_factory):
    """The fat-shard demo run once in the workflow's venv, FDH served over HTTP (so the
    download rule runs too), keeping the scripts Snakemake generated; one job per rule."""
    from httpserver import FileServer

    from humanprep.datasets.fdh import demo as fdh

    root = tmp_path_factory.mktemp("envs")
    work = copy_workflow(root / "humanprep")
    served = {f"/fdh/{p.name}": p.read_bytes() for p in fdh.build(root / "served", seed=0)}
    with FileServer(served) as server:
        fdh_url = f"datasets:\n  fdh:\n    base_url: {server.url('/fdh')}\n"
        extra = root / "extra.yaml"
        extra.write_text(FAT_SHARDS.replace("datasets:\n", fdh_url))
        # --notemp: temporary outputs (extracted archives) stay, so their jobs can rerun them
        args = ("--configfile", "config/config.yaml", extra, "--skip-script-cleanup", "--notemp")
        run_or_fail(work, *args)
        specs = [job_spec(p) for p in (work / ".snakemake" / "scripts").glob("*.py")]
        VERIFY_SPECS[:] = sorted(
            (s for s in specs if s["rule"] == "verify"), key=lambda s: s["output"][0]
        )
        jobs = {}
        for spec in sorted(specs, key=lambda s: (s["rule"], s["output"][0])):
            dataset = spec["wildcards"][1].get("dataset", "")
            jobs.setdefault(spec["rule"], {}).setdefault(dataset, spec)
        yield work, {rule: list(by.values()) for rule, by in jobs.items()}, root


ENVS = sorted({env for _, env, _, _ in RULES if env})


def check_job(env, spec, python, work, tmp_path):
    """The workflow's outputs move aside; the job must make them again, byte for byte."""
    rule = spec["rule"]
    made = [Path(p) for p in spec["output"][0]]
    if rule == "release":
        made.append(Path(spec["params"][1]["dest"]))
    host = tmp_path / "host" / str(made[0]).replace("/", "_")
    for i, path in enumerate(made):
        host.mkdir(parents=True, exist_ok=True)
        shutil.move(work / path, host / str(i))
    res = run_isolated(python, spec, work, tmp_path)
    module = missing_module(res)
    assert not module, f"{env} does not provide module {module!r}, needed by rule {rule}"
    assert res.returncode == 0, f"rule {rule} ({made[0]}) in {env}:\n{res.stderr[-3000:]}"
    for i, path in enumerate(made):
        diff = same_tree(host / str(i), work / path)
        assert not diff, f"rule {rule} in {env}: {path} differs from the host's ({diff[:5]})"
    if rule in RAW_MAKERS:  # new raw files (same bytes, new inodes): verified again, as
        reverify(work, tmp_path)  # Snakemake would (later jobs check their identity)


# Rules that write raw files, and the verification records that then go stale.
RAW_MAKERS = ("demo_archives", "download")
VERIFY_SPECS = []


def reverify(work, tmp_path):
    for spec in VERIFY_SPECS:
        res = run_isolated(sys.executable, spec, work, tmp_path)
        assert res.returncode == 0, f"verify again: {res.stderr[-2000:]}"


@pytest.mark.e2e
@pytest.mark.timeout(900)
@pytest.mark.parametrize("env", ENVS, ids=[Path(e).stem for e in ENVS])
def test_env_runs_its_rules_in_isolation(env, demo_jobs, tmp_path):
    work, jobs, root = demo_jobs
    rules = [name for name, rule_env, _, _ in RULES if rule_env == env]
    python = make_venv(tmp_path / "venv", env_pins(REPO / env))
    checked = []
    for rule in rules:
        for spec in jobs.get(rule, []):
            check_job(env, spec, python, work, tmp_path)
        if rule in jobs:
            checked.append(rule)
    # Every rule of the env had a demo job (download: FDH is served over HTTP here).
    assert checked == rules


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_a_missing_pin_fails_and_names_the_module(demo_jobs, tmp_path):
    work, jobs, _ = demo_jobs
    python = make_venv(tmp_path / "empty", [])
    res = run_isolated(python, jobs["views"][0], work, tmp_path)
    assert res.returncode != 0
    # The first import the views entry point makes that only a pin could satisfy.
    assert missing_module(res) in {"numpy", "jsonschema", "cv2", "PIL"}
