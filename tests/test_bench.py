"""bench/run.py still runs and reports every stage against a named reference (no speed
targets here: those are the script's to show, never a test's to enforce)."""

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def bench_stages():
    """bench/run.py's ORDER (the one list of its stages), read without running the script;
    demo_slurm is measured only with --slurm."""
    tree = ast.parse((REPO / "bench" / "run.py").read_text())
    assigned = {
        getattr(n.targets[0], "id", None): n.value for n in tree.body if isinstance(n, ast.Assign)
    }
    return [name for name in ast.literal_eval(assigned["ORDER"]) if name != "demo_slurm"]


@pytest.mark.timeout(660)  # about 2 min alone; a loaded machine has taken 4.5
def test_bench_quick_reports_every_stage(tmp_path):
    out = tmp_path / "results.json"
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=640,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["size"] == "quick"
    assert results["machine"]["cpu_count"] >= 1 and results["machine"]["python"]
    stages = bench_stages()
    for name in stages:
        stage = results["stages"][name]
        assert isinstance(stage["ratio"], float | int) and math.isfinite(stage["ratio"]), name
        assert stage["ratio"] > 0, name
        assert isinstance(stage["reference"], str) and stage["reference"], name
        assert stage["reference_seconds"] > 0, name
        assert isinstance(stage["pass"], bool), name
        assert stage["reference"] in res.stdout, name  # each ratio printed with its reference
    for key in ("every_stage_within_1.5x", "dry_run_under_10s", "peak_memory_under_2GB"):
        assert isinstance(results["targets"][key], bool)
    assert results["targets"]["peak_memory_mb"] > 0
    table = (tmp_path / "RESULTS.md").read_text()
    assert all(f"| {name} |" in table for name in stages)


@pytest.mark.timeout(120)
def test_item_cost_reports_every_dataset(tmp_path):
    """bench/item_cost.py at a tiny size: a row per dataset, every item normalised, and the
    raw and store bytes the table divides by are positive."""
    out = tmp_path / "item_cost.json"
    args = ["--items", "2", "--videos", "1", "--json", str(out), "--dir", str(tmp_path)]
    res = subprocess.run(
        [sys.executable, str(REPO / "bench" / "item_cost.py"), *args],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    datasets = ("fdh", "shhq", "deepfashion2", "huge100k", "celeba", "deepfashion_mm")
    rows = json.loads(out.read_text())["datasets"]
    assert sorted(rows) == sorted(datasets)
    for name in datasets:
        row = rows[name]
        assert f"| {name} |" in res.stdout, name
        assert row["records"] == row["items"] >= 1 and row["quarantined"] == 0, name
        assert row["raw_bytes_per_item"] > 0 and row["store_bytes_per_item"] > 0, name
        assert row["cpu_s_per_item"] > 0 and row["files_per_shard"] >= 3, name
    assert not list(tmp_path.glob("item-cost-*"))  # the scratch folder is removed
