"""How fast each stage ran, from Snakemake's `benchmark:` files.

Per stage: jobs, items, wall seconds, items/s (items over the summed job seconds, i.e. per
job slot), MB/s (the jobs' read + written MB, where the machine reports I/O) and the peak
memory of any of its jobs. Items come from the shard plans: a per-shard stage's job handles
its shard's items; per-dataset stages (coco) handle the dataset's kept records.
"""

import csv
from pathlib import Path

from humanprep.datasets import subsets

# Per-shard stages (benchmarks/<stage>/<dataset>/<shard>.tsv): normalise and the rules
# deriving the descriptors' subsets.
SHARD_STAGES = {"normalise", *(subset.rule for _, subset in subsets())}


def read_benchmark(path):
    """The first row of a benchmark TSV as floats (s, max_rss, io_in, io_out, ...)."""
    with open(path, newline="") as f:
        row = next(csv.DictReader(f, delimiter="\t"))
    return {k: float(v) for k, v in row.items() if k != "h:m:s" and v not in ("", "NA", "-")}


def stage_of(rel):
    """The stage a benchmark file belongs to: its folder, or its stem at the top level."""
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def job_items(bench_dir, path, plans, kept):
    """Items one benchmarked job handled, or None where the stage has no item count."""
    rel = Path(path).relative_to(bench_dir)
    stage = stage_of(rel)
    if stage in SHARD_STAGES:
        return plans.get(rel.parts[1], {}).get(rel.stem, 0)
    if stage == "coco":
        return kept.get(rel.stem)
    return None


def stage_table(bench_dir, plans, kept):
    """[{stage, jobs, items, seconds, items_per_s, mb_per_s, peak_mb}], slowest (items/s)
    first among stages with items, then the others by seconds."""
    stages = {}
    for path in sorted(Path(bench_dir).rglob("*.tsv")):
        stage = stage_of(path.relative_to(bench_dir))
        if stage == "report":
            continue
        b = read_benchmark(path)
        row = stages.setdefault(stage, {"stage": stage, "jobs": 0, "items": None,
                                        "seconds": 0.0, "mb": 0.0, "peak_mb": 0.0})  # fmt: skip
        items = job_items(bench_dir, path, plans, kept)
        if items is not None:
            row["items"] = (row["items"] or 0) + items
        row["jobs"] += 1
        row["seconds"] += b.get("s", 0.0)
        row["mb"] += b.get("io_in", 0.0) + b.get("io_out", 0.0)
        row["peak_mb"] = max(row["peak_mb"], b.get("max_rss", 0.0))
    rows = []
    for row in stages.values():
        seconds = row["seconds"]
        row["items_per_s"] = row["items"] / seconds if row["items"] and seconds else None
        row["mb_per_s"] = row.pop("mb") / seconds if seconds else None
        rows.append(row)
    with_items = sorted((r for r in rows if r["items_per_s"]), key=lambda r: r["items_per_s"])
    others = sorted((r for r in rows if not r["items_per_s"]), key=lambda r: -r["seconds"])
    return with_items + others


def _cell(value, digits=1):
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def table_html(rows):
    """The table as a small standalone HTML page, the slowest stage named above it."""
    slowest = next((r["stage"] for r in rows if r["items_per_s"]), None)
    head = ("stage", "jobs", "items", "job seconds", "items/s", "MB/s", "peak MB")
    lines = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Throughput</title>",
        "<style>body{font-family:sans-serif}td,th{padding:2px 10px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style></head><body>",
        f"<p>Slowest stage (fewest items per second): <b>{slowest or 'n/a'}</b></p>",
        "<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>",
    ]
    for r in rows:
        cells = (r["stage"], r["jobs"], r["items"], r["seconds"], r["items_per_s"],
                 r["mb_per_s"], r["peak_mb"])  # fmt: skip
        lines.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>")
    lines.append("</table></body></html>")
    return "\n".join(lines) + "\n"
