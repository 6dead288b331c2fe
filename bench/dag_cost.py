"""What Snakemake spends planning this workflow, per thousand jobs, before anything runs.

    python bench/dag_cost.py [fdh shard counts ...]

A full-size registry (no data: one-byte placeholder files, as tests/test_workflow.py's
full_size_config) with FDH's shard_size chosen for each shard count; `snakemake -n --quiet
rules` is timed (wall, and CPU seconds, which a loaded machine stretches less) and its peak
RSS read from getrusage. Prints one JSON line per point and the cost per thousand jobs
between the first and the last point. humanprep refuses plans above `max_jobs` (config)
before Snakemake starts building them (docs/scale.md quotes the figures).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from test_workflow import FULL_SIZE, full_size_config  # noqa: E402

FDH_ITEMS = sum(items for _, items, _ in FULL_SIZE["fdh"])


def dry_run(work, config):
    env = {**os.environ, "HUMANPREP_SHHQ_PASSWORD": "x", "HUMANPREP_DEEPFASHION2_PASSWORD": "x"}
    cmd = [str(Path(sys.executable).parent / "snakemake"), "-n", "--quiet", "rules"]
    started = time.monotonic()
    proc = subprocess.Popen(
        [*cmd, "--configfile", str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"dry run failed: {err[-2000:]}")
    return int(re.search(r"^total\s+(\d+)$", out, flags=re.MULTILINE).group(1)), wall


def point(shards):
    with tempfile.TemporaryDirectory() as tmp:
        config_path = full_size_config(Path(tmp))
        config = yaml.safe_load(config_path.read_text())
        config["datasets"]["fdh"]["shard_size"] = -(-FDH_ITEMS // shards)
        config_path.write_text(yaml.safe_dump(config))
        before = _children()
        total, wall = dry_run(tmp, config_path)
        after = _children()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    rss = after.ru_maxrss if after.ru_maxrss > before.ru_maxrss else None
    return {"fdh_shards": shards, "jobs": total, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2), "peak_rss_mb": rss and round(rss / 1024)}  # fmt: skip


def _children():
    """Resource use of the finished children: CPU seconds add up, ru_maxrss is the largest
    child so far (so points run in ascending size)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN)


def main():
    counts = [int(a) for a in sys.argv[1:]] or [200, 1000, 3000]
    points = []
    for shards in counts:  # ascending: RUSAGE_CHILDREN keeps the largest child so far
        points.append(point(shards))
        print(json.dumps(points[-1]), flush=True)
    (a, b) = points[0], points[-1]
    per_k = 1000 / (b["jobs"] - a["jobs"])
    fit = {
        "wall_s_per_1000_jobs": round((b["wall_s"] - a["wall_s"]) * per_k, 2),
        "cpu_s_per_1000_jobs": round((b["cpu_s"] - a["cpu_s"]) * per_k, 2),
        "mb_per_1000_jobs": round((b["peak_rss_mb"] - a["peak_rss_mb"]) * per_k, 1),
    }
    print(json.dumps(fit))


if __name__ == "__main__":
    main()
