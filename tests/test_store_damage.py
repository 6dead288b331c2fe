"""A damaged container in the store: the stage reading it says so in one line and removes the
shard, and the next run rebuilds it (the release comes out byte-identical)."""

import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def test_cut_container_named_then_rebuilt(plain_run, tmp_path):
    from conftest import snakemake

    work = tmp_path / "humanprep"
    shutil.copytree(plain_run[0], work, symlinks=True)
    # a copy is other files to the archives' recorded identity: they are verified again,
    # and everything after them runs again (the release comes out the same)
    res = snakemake(work)
    assert res.returncode == 0, res.stderr[-3000:]
    shard = work / "results" / "normalised" / "shhq" / "shard-00000"
    tar = shard / "all.tar"
    good = tar.read_bytes()
    tar.write_bytes(good[: len(good) // 2])
    sums = (work / "releases" / "humanprep-demo-0.1.0" / "SHA256SUMS").read_bytes()

    res = snakemake(work, "--forcerun", "composites")  # reads every SHHQ image of a shard
    assert res.returncode != 0
    lines = [line for line in res.stderr.splitlines() if line.startswith("ERROR humanprep")]
    assert lines, res.stderr[-3000:]
    line = lines[0]
    assert "shhq/shard-00000/all.tar" in line and "(item image_" in line
    assert "cut short" in line or "does not hold" in line, line
    assert "so that the next run rebuilds that shard" in line
    assert "Traceback" not in res.stderr
    assert not shard.exists()  # nothing downstream can read the damaged one

    res = snakemake(work)
    assert res.returncode == 0, res.stderr[-3000:]
    assert tar.read_bytes() == good  # rebuilt byte for byte
    release = work / "releases" / "humanprep-demo-0.1.0"
    assert (release / "SHA256SUMS").read_bytes() == sums
    assert Path(work, "results", "derived", "shhq-composite", "shard-00000.jsonl").is_file()
