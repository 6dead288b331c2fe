"""A user's config never inherits the demo: it starts from the schema's defaults alone, and
every enabled dataset must be registered, present and accepted before any job runs."""

import yaml
from test_workflow import BIN, REPO, full_size_config, run

from humanprep.datasets import DATASETS

PASSWORDS = {"HUMANPREP_SHHQ_PASSWORD": "x", "HUMANPREP_DEEPFASHION2_PASSWORD": "x"}


def dry_run(config, monkeypatch, *extra):
    for key, value in PASSWORDS.items():
        monkeypatch.setenv(key, value)
    return run(BIN / "snakemake", "-n", "--quiet", "rules", "--configfile", config, *extra)


def edit(config, change):
    doc = yaml.safe_load(config.read_text())
    change(doc)
    config.write_text(yaml.safe_dump(doc))


def test_plain_run_is_the_demo(monkeypatch):
    for key in PASSWORDS:
        monkeypatch.delenv(key, raising=False)
    # -F: plan every job, even where a finished demo already sits in results/
    res = run(BIN / "snakemake", "-n", "-F", "--quiet", "rules")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "demo_archives" in res.stdout and "composites" in res.stdout


def test_user_config_without_agreements_stops_at_the_gate(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    edit(config, lambda doc: doc.pop("agreements"))
    res = dry_run(config, monkeypatch)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert f"{len(DATASETS)} problem(s) to fix before anything runs" in out
    for dataset in DATASETS:
        assert f"{dataset}: terms/{dataset}.md: terms of {dataset} not accepted" in out
        assert f'humanprep accept {dataset} --by "Name <email>"' in out
    assert "demo" not in out.lower()


def test_empty_agreements_inherit_nothing(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    edit(config, lambda doc: doc.update(agreements={}))
    res = dry_run(config, monkeypatch)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert all(f"terms of {d} not accepted" in out for d in DATASETS)


def test_demo_acceptances_copied_by_hand_open_no_real_archives(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    folders = REPO / "humanprep" / "datasets"
    pieces = {d: yaml.safe_load((folders / d / "demo.yaml").read_text()) for d in DATASETS}
    agreements = {d: piece["agreements"][d] for d, piece in pieces.items()}
    edit(config, lambda doc: doc.update(agreements=agreements))
    res = dry_run(config, monkeypatch)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    for dataset in DATASETS:
        assert f"the acceptance of {dataset} by humanprep demo" in out
    assert out.count("given for other archives") == len(DATASETS)


def test_user_config_gets_schema_defaults_not_demo_values(tmp_path, monkeypatch):
    # With only what a user wrote, the dry run plans no composites, no webdataset and the
    # schema's shard size: none of the demo's settings reach it.
    config = full_size_config(tmp_path)
    res = dry_run(config, monkeypatch)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "composites" not in res.stdout and "demo_archives" not in res.stdout
    from humanprep.shards import shard_count

    normalise = int(
        next(line.split()[1] for line in res.stdout.splitlines() if line.startswith("normalise "))
    )
    assert normalise == shard_count(40_000, 2000) + 186 + 144 + 100 + 15 + 23


def test_missing_archives_and_registry_listed_together(tmp_path, monkeypatch):
    config = full_size_config(tmp_path)
    (tmp_path / "raw" / "shhq" / "SHHQ-1.0.zip").unlink()
    (tmp_path / "registry" / "celeba.tsv").unlink()
    edit(config, lambda doc: doc["agreements"].pop("deepfashion2"))
    res = dry_run(config, monkeypatch)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert "3 problem(s) to fix before anything runs" in out
    assert "shhq/SHHQ-1.0.zip: missing" in out
    assert "celeba: " in out and "checksum registry not found" in out
    assert "humanprep register" in out
    assert "terms of deepfashion2 not accepted" in out
