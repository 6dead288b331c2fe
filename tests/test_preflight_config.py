"""Before any job, one line each: a read-only working directory, a config that is not a plain
YAML tree or does not validate, and a plan with an unreasonable number of shards."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from test_full_disk import MOUNTS
from test_workflow import full_size_config

from humanprep import preflight, settings
from humanprep.errors import HumanprepError

SNAKEMAKE = Path(sys.executable).parent / "snakemake"
SCHEMA = settings.schema()  # with the datasets' parts
# Nine levels of nine: 387 million strings once the aliases are expanded.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def dry_run(workdir, *args, timeout=180):
    """snakemake -n of this workflow from `workdir`; the timeout only guards against a hang."""
    cmd = [str(SNAKEMAKE), "-s", str(REPO / "Snakefile"), "-n", "--cores", "1", *map(str, args)]
    return subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)


def humanprep_lines(res):
    return [line for line in res.stderr.splitlines() if not line.startswith("Using workflow")]


def test_billion_laughs_is_refused_by_line(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    with pytest.raises(HumanprepError) as err:
        preflight.check_config_file(path)
    assert str(err.value) == (
        f"{path}: line 1: YAML anchors and aliases (&a / *a) are not allowed in a humanprep "
        "config; write the values out"
    )


def test_billion_laughs_stops_the_run_in_one_line(tmp_path):
    """Before: Snakemake's validate formatted the expanded config into its error: 100% CPU,
    no end."""
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    res = dry_run(tmp_path, "--configfile", path)
    assert res.returncode == 1
    assert humanprep_lines(res) == [
        f"humanprep: {path}: line 1: YAML anchors and aliases (&a / *a) are not allowed in a "
        "humanprep config; write the values out"
    ]


def test_a_huge_config_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("results: results\n" + "# padding\n" * 200_000)
    with pytest.raises(HumanprepError, match=r"2000017 bytes: a humanprep config is a few KB"):
        preflight.check_config_file(path)


def test_an_alias_anywhere_is_refused_with_its_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("datasets:\n  fdh: &on {enabled: true}\n  shhq: *on\n")
    with pytest.raises(HumanprepError, match=r"line 2: YAML anchors and aliases \(&on / \*on\)"):
        preflight.check_config_file(path)
    path.write_text("datasets:\n  fdh: {enabled: true}\n")
    preflight.check_config_file(path)  # a plain tree passes


@pytest.mark.parametrize(
    "config, lines",
    [
        ({"shard_sise": 4}, ["shard_sise: unknown key (did you mean 'shard_size'?)"]),
        (
            {"datasets": {"fdh": {"shard_size": "big", "enabeld": True}}},
            [
                "datasets.fdh.enabeld: unknown key (did you mean 'enabled'?)",
                "datasets.fdh.shard_size: 'big' is not of type 'integer'",
            ],
        ),
        ({"release": {"dedup": "most"}}, None),
        ({"results": "r", "max_jobs": 10}, []),
    ],
)
def test_config_problems_name_the_key(config, lines):
    got = preflight.config_problems(config, SCHEMA)
    if lines is None:  # an enum: the key and the allowed values, not the schema
        assert len(got) == 1 and got[0].startswith("release.dedup: 'most' is not one of ")
    else:
        assert got == lines
    assert all("\n" not in line and len(line) < 400 for line in got)


def test_a_typo_is_one_line_not_the_schema(tmp_path):
    """Before: 1,250 lines, the schema and the whole config."""
    path = tmp_path / "typo.yaml"
    path.write_text("shard_sise: 4\n")
    res = dry_run(tmp_path, "--configfile", path)
    assert res.returncode == 1
    assert humanprep_lines(res) == [
        "humanprep: config: 1 problem(s): shard_sise: unknown key (did you mean 'shard_size'?)"
    ]


def test_too_many_jobs_is_refused_with_the_count_and_the_setting(tmp_path, monkeypatch):
    """Before: `shard_size: 4` on FDH had Snakemake planning for 12 minutes at 900 MB, with
    no word to the user."""
    for name in ("HUMANPREP_SHHQ_PASSWORD", "HUMANPREP_DEEPFASHION2_PASSWORD"):
        monkeypatch.setenv(name, "x")
    config_path = full_size_config(tmp_path)
    config = yaml.safe_load(config_path.read_text())
    config["datasets"]["fdh"]["shard_size"] = 4
    config_path.write_text(yaml.safe_dump(config))
    res = dry_run(tmp_path, "--configfile", config_path)
    assert res.returncode == 1
    fdh = -(-1_859_496 // 4)  # FDH's items (test_workflow.FULL_SIZE) in shards of 4
    # the others at their full-size shard counts, times their per-shard steps: normalise,
    # and DeepFashion2's fullbody, HuGe100K's views, CelebA's sketches
    total = fdh + 20 + 144 * 2 + 100 * 2 + 15 * 2 + 23
    (line,) = humanprep_lines(res)
    assert line.startswith(
        f"humanprep: config: {total:,} per-shard jobs planned (fdh: {fdh:,} shards x 1 "
        "steps), more than max_jobs 20,000: Snakemake alone would spend about "
    )
    assert re.search(r"about \d+ CPU-minutes and [\d.]+ GB planning them", line)
    assert line.endswith(
        "Raise datasets.fdh.shard_size (or shard_size), or max_jobs if you mean it"
    )


def test_plan_within_the_limit_passes():
    preflight.check_plan({"fdh": 186, "shhq": 20}, {"fdh": 1, "shhq": 2}, 226)
    with pytest.raises(HumanprepError, match=r"227 per-shard jobs planned \(fdh: 187 shards"):
        preflight.check_plan({"fdh": 187, "shhq": 20}, {"fdh": 1, "shhq": 2}, 226)
    with pytest.raises(HumanprepError, match=r"\(shhq: 100 shards x 2 steps\)"):
        preflight.check_plan({"fdh": 100, "shhq": 100}, {"fdh": 1, "shhq": 2}, 226)


@pytest.mark.skipif(not MOUNTS, reason="needs unshare and a bind mount in a user namespace")
def test_read_only_working_directory_is_one_line(tmp_path):
    """Before: Snakemake's traceback, `OSError: [Errno 30] Read-only file system: .snakemake`."""
    work = tmp_path / "work"
    work.mkdir()
    script = (
        f'mount --bind "{work}" "{work}" && mount -o remount,ro,bind "{work}" && cd "{work}" '
        f'&& exec "{SNAKEMAKE}" -s "{REPO / "Snakefile"}" -n --cores 1'
    )
    res = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=180
    )
    assert res.returncode == 1
    assert humanprep_lines(res) == [
        f"humanprep: {work}: the working directory cannot be written (read-only file system), "
        "and Snakemake keeps its records in .snakemake/ there; run from a writable folder "
        "(snakemake --directory DIR)"
    ]


def test_check_writable_passes_and_names_other_refusals(tmp_path, monkeypatch):
    preflight.check_writable(tmp_path)
    assert (tmp_path / ".snakemake").is_dir()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(preflight.tempfile, "TemporaryFile", refuse)
    with pytest.raises(HumanprepError, match=r"cannot be written \(permission denied\)"):
        preflight.check_writable(tmp_path)
