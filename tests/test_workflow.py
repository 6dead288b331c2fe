"""The workflow as Snakemake sees it: lint, formatting, and the DAG at full size."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from humanprep.datasets import DATASETS

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*args, cwd=REPO, timeout=120):
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_snakemake_lint_clean():
    res = run(BIN / "snakemake", "--lint")
    assert res.returncode == 0, res.stdout + res.stderr


def test_snakefmt_clean():
    res = run(BIN / "snakefmt", "--check", ".")
    assert res.returncode == 0, res.stdout + res.stderr


def test_ruff_clean():
    res = run(BIN / "ruff", "check", ".")
    assert res.returncode == 0, res.stdout + res.stderr
    res = run(BIN / "ruff", "format", "--check", ".")
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_rule_has_log_conda_and_existing_env():
    text = "\n".join(p.read_text() for p in sorted((REPO / "rules").glob("*.smk")))
    rules = re.split(r"\n\s*rule (\w+):", text)[1:]
    assert len(rules) >= 10  # name/body pairs
    for name, body in zip(rules[::2], rules[1::2], strict=True):
        body = re.split(r"\n\S", body)[0]
        if name == "all":
            continue
        assert "log:" in body, name
        env = re.search(r'conda:\s*"\.\./(envs/[\w-]+\.yaml)"', body)
        assert env, f"rule {name} names no conda env"
        assert yaml.safe_load((REPO / env.group(1)).read_text())["dependencies"]


# Published sizes (docs/formats.md); HuGe100K as ten 10,000-subject batches.
FULL_SIZE = {
    "shhq": [("SHHQ-1.0.zip", 40_000, "zip")],
    "fdh": [
        ("metadata.json", 0, "file"),
        ("cc-by-nc-sa-2.tar", 816_664, "tar"),
        ("cc-by-2.tar", 440_855, "tar"),
        ("cc-by-sa-2.tar", 236_633, "tar"),
        ("cc-by-nc-2.tar", 365_344, "tar"),
    ],
    "deepfashion2": [
        ("train.zip", 191_961, "zip"),
        ("validation.zip", 32_153, "zip"),
        ("test.zip", 62_629, "zip"),
    ],
    "huge100k": [(f"flux_batch{b}.tar", 10_000, "tar") for b in range(1, 11)],
    "celeba": [("CelebAMask-HQ.zip", 30_000, "zip"), ("multimodal-celeba-hq.zip", 0, "zip")],
    "deepfashion_mm": [("images.zip", 44_096, "zip"), ("captions.json", 0, "file")]
    + [(f"{part}.zip", 0, "zip") for part in ("segm", "keypoints", "densepose", "labels")],
}


def acceptance(dataset, registry):
    """What `humanprep accept` prints for this registry, as a config value."""
    from humanprep.acquire.gate import terms_digest
    from humanprep.acquire.registry import load_registry, registry_digest

    return {
        "accepted_by": "Test User <test@lab.org>",
        "accepted_on": "2026-11-28",
        "terms_sha256": terms_digest(REPO / "terms" / f"{dataset}.md"),
        "registry_sha256": registry_digest(load_registry(registry)),
    }


def full_size_config(tmp_path):
    """A real-data configuration whose registry describes full-size datasets (no data)."""
    registry = tmp_path / "registry"
    registry.mkdir()
    for dataset, files in FULL_SIZE.items():
        lines = ["file\tsize\tsha256\tmd5\titems\tkind"]
        for name, items, kind in files:
            lines.append(f"{name}\t1\t{'0' * 64}\t\t{items}\t{kind}")
            (tmp_path / "raw" / dataset).mkdir(parents=True, exist_ok=True)
            (tmp_path / "raw" / dataset / name).write_bytes(b"x")
        (registry / f"{dataset}.tsv").write_text("\n".join(lines) + "\n")
    # A user's config from scratch: nothing of the demo (config/config.yaml) is in it.
    config = {
        "raw_dir": str(tmp_path / "raw"),
        "registry_dir": str(registry),
        "local_registry_dir": str(tmp_path / "local"),
        "results": str(tmp_path / "results"),
        "agreements": {d: acceptance(d, registry / f"{d}.tsv") for d in DATASETS},
    }
    config["datasets"] = {d: {"enabled": True} for d in DATASETS}
    config["datasets"]["fdh"]["shard_size"] = 10_000  # 288x160 images: small
    config["datasets"]["huge100k"]["shard_size"] = 1000  # 24-view videos: heavy
    path = tmp_path / "full.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_full_size_dag_has_hundreds_of_jobs(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    env_pw = {"HUMANPREP_SHHQ_PASSWORD": "x", "HUMANPREP_DEEPFASHION2_PASSWORD": "x"}
    for key, value in env_pw.items():
        monkeypatch.setenv(key, value)
    res = run(BIN / "snakemake", "-n", "--quiet", "rules", "--configfile", config, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    counts = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\w+)\s+(\d+)$", res.stdout, flags=re.MULTILINE)
    }
    total = counts.pop("total")
    assert counts["verify"] == sum(len(f) for f in FULL_SIZE.values())
    assert counts["plan_shards"] == len(DATASETS)
    # 20 SHHQ + 186 FDH + 144 DeepFashion2 + 100 HuGe100K + 15 CelebA + 23 DF-MultiModal
    assert counts["normalise"] == 20 + 186 + 144 + 100 + 15 + 23
    assert counts["fullbody"] == 144
    assert counts["sketches"] == 15
    assert counts["views"] == 100
    # SHHQ composites are off by default: the demo's `composite: {shhq: true}` never leaks.
    assert "composites" not in counts
    assert total < 1000, counts  # hundreds of jobs for about 2.3 million items


@pytest.mark.parametrize("dataset", DATASETS)
def test_demo_registry_and_terms_exist(dataset):
    assert (REPO / "registry" / "demo" / f"{dataset}.tsv").exists()
    assert (REPO / "terms" / f"{dataset}.md").exists()


def test_missing_archive_stops_with_manual_download_help(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    (tmp_path / "raw" / "deepfashion2" / "train.zip").unlink()
    monkeypatch.setenv("HUMANPREP_SHHQ_PASSWORD", "x")
    monkeypatch.setenv("HUMANPREP_DEEPFASHION2_PASSWORD", "x")
    res = run(BIN / "snakemake", "-n", "--configfile", config)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "1 raw file(s) missing" in out and "deepfashion2/train.zip" in out
    assert "train.zip: missing" in out and "How to obtain it:" in out
    assert "DeepFashion2" in out and "password" in out.lower()


def test_disabled_dataset_needs_no_files_and_no_password(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    doc = yaml.safe_load(config.read_text())
    doc["datasets"]["deepfashion2"]["enabled"] = False
    config.write_text(yaml.safe_dump(doc))
    (tmp_path / "raw" / "deepfashion2" / "train.zip").unlink()
    monkeypatch.setenv("HUMANPREP_SHHQ_PASSWORD", "x")
    monkeypatch.delenv("HUMANPREP_DEEPFASHION2_PASSWORD", raising=False)
    res = run(BIN / "snakemake", "-n", "--quiet", "rules", "--configfile", config)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "missing" not in res.stdout + res.stderr


def test_missing_password_is_one_line_naming_both_ways_and_dry_runs_need_none(
    tmp_path, monkeypatch
):
    config = full_size_config(tmp_path)
    monkeypatch.delenv("HUMANPREP_SHHQ_PASSWORD", raising=False)
    monkeypatch.setenv("HUMANPREP_DEEPFASHION2_PASSWORD", "x")
    dry = run(BIN / "snakemake", "-n", "--quiet", "rules", "--configfile", config)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    res = run(BIN / "snakemake", "--cores", "1", "--configfile", config)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    lines = [line for line in out.splitlines() if "password needed" in line]
    assert lines == [
        "humanprep: archive password needed for shhq: export HUMANPREP_SHHQ_PASSWORD, or set "
        "passwords_file: in your config to a mode-600 file outside the repository with the "
        "line(s) `shhq: <password>` (a dry run, snakemake -n, needs none)"
    ]
    assert "envvars" not in out and "environment variables" not in out
    assert not (tmp_path / "results" / "verified").exists()  # stopped before any job


def test_enabled_dataset_with_nothing_registered_stops_before_any_job(tmp_path, monkeypatch):
    """HuGe100K publishes no file names: without `humanprep register` it has nothing."""
    config = full_size_config(tmp_path)
    (tmp_path / "registry" / "huge100k.tsv").write_text("file\tsize\tsha256\tmd5\titems\tkind\n")
    monkeypatch.setenv("HUMANPREP_SHHQ_PASSWORD", "x")
    monkeypatch.setenv("HUMANPREP_DEEPFASHION2_PASSWORD", "x")
    res = run(BIN / "snakemake", "-n", "--configfile", config)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    (line,) = [line for line in out.splitlines() if "huge100k: nothing to read" in line]
    assert "no file is registered in" in line and str(tmp_path / "local" / "huge100k.tsv") in line
    assert f"`humanprep register huge100k {tmp_path / 'raw'}/huge100k/<archive>`" in line
    assert "0 items" not in out


def test_full_size_dry_run_with_the_slurm_profile_plans_hundreds_of_jobs(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    monkeypatch.setenv("HUMANPREP_SHHQ_PASSWORD", "x")
    monkeypatch.setenv("HUMANPREP_DEEPFASHION2_PASSWORD", "x")
    profile = REPO / "profiles" / "slurm"
    res = run(
        BIN / "snakemake", "-n", "--quiet", "rules", "--profile", profile, "--configfile", config
    )
    assert res.returncode == 0, res.stdout + res.stderr
    total = int(re.search(r"^total\s+(\d+)$", res.stdout, re.M).group(1))
    assert 300 < total < 1000


def test_plain_setup_installs_what_the_report_needs():
    """`bash setup.sh` (no --test) installs the `workflow` extra only: `snakemake --report`
    refuses to run without pygments, which nothing else pulls in."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["optional-dependencies"]["workflow"]
    assert any(d.split("==")[0].lower() == "pygments" for d in deps), deps
    setup = (REPO / "setup.sh").read_text()
    assert 'extras="[workflow]"' in setup and 'pip install -q -e ".${extras}"' in setup


CONSUMER_CHECKING = """import os

BEFORE = dict(os.environ)


configfile: "humanprep.yaml"


module humanprep:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from humanprep as humanprep_*


URL = config["datasets"]["fdh"]["base_url"]
assert URL == "{url}", f"the caller's config was changed: {{URL}}"
CHANGED = sorted(k for k in {{*BEFORE, *os.environ}} if BEFORE.get(k) != os.environ.get(k))
assert not CHANGED, f"the environment was changed: {{CHANGED}}"
"""


def test_planning_changes_neither_the_callers_config_nor_the_environment(tmp_path):
    """A workflow using humanprep as a module keeps its config as written (the URL with its
    credentials) and its environment, through the whole parse and plan of a dry run."""
    from conftest import copy_workflow

    module = copy_workflow(tmp_path / "vendor" / "humanprep")
    consumer = tmp_path / "analysis"
    consumer.mkdir()
    doc = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    url = "http://canaryuser:canarypass@127.0.0.1:9/fdh?token=canarytoken"
    doc.setdefault("datasets", {}).setdefault("fdh", {})["base_url"] = url
    (consumer / "humanprep.yaml").write_text(yaml.safe_dump(doc))
    snakefile = CONSUMER_CHECKING.format(snakefile=module / "Snakefile", url=url)
    (consumer / "Snakefile").write_text(snakefile)
    res = run(BIN / "snakemake", "-n", "--quiet", "rules", cwd=consumer)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "humanprep_download" in res.stdout  # the FDH files are fetched from the URL
    assert "canarypass" not in res.stdout + res.stderr
