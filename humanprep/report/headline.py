"""The report's first screen: the release in a few lines. Items per dataset and split, what
was dropped and why, and a strip of pictures, one per released dataset; every dataset the
workflow knows is named, released or not. An HTML fragment (pictures inline as data URIs)
that report/workflow.rst embeds, so it shows above Snakemake's own landing page."""

import base64
import html
import io
from collections import Counter
from pathlib import Path

from humanprep import store
from humanprep.datasets import DESCRIPTORS
from humanprep.dedup import policy
from humanprep.io import read_json, read_jsonl
from humanprep.release.diff import release_meta

SPLITS = ("train", "val", "test", "all")
THUMB_HEIGHT = 96


def split_counts(release):
    """{dataset: Counter(split)} of the release's records."""
    counts = {}
    for path in sorted(Path(release).glob("*/shard-*[0-9].jsonl")):
        for record in read_jsonl(path):
            counts.setdefault(record["dataset"], Counter())[record["split"]] += 1
    return counts


def first_images(release, datasets):
    """{dataset: its first released record's image (decoded from the release's store)}."""
    found = {}
    for dataset in datasets:
        for path in sorted(Path(release, dataset).glob("shard-*[0-9].jsonl")):
            records = read_jsonl(path)
            if records:
                found[dataset] = store.record_image(Path(release, dataset), records[0])
                break
    return found


def thumbnail_uri(image, height=THUMB_HEIGHT):
    """A small JPEG of the picture (a Pillow image), as a data URI."""
    from PIL import Image

    image = image.convert("RGB")
    width = max(1, round(image.width * height / image.height))
    small = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def dropped_rows(summaries, provenance):
    """(dataset, what, items, why) of everything that did not reach the release."""
    rows = []
    for dataset, summary in sorted(summaries.items()):
        reasons = summary.get("quarantine_reasons") or {}
        if summary.get("quarantined"):
            why = "; ".join(
                f"{r.removeprefix('quarantined: ')} ({n})" for r, n in sorted(reasons.items())
            )
            rows.append((dataset, "quarantined", summary["quarantined"], why))
        if summary.get("removed"):
            why = DESCRIPTORS[dataset].removed_why if dataset in DESCRIPTORS else ""
            rows.append((dataset, "removed", summary["removed"], why or "removed by policy"))
    for dataset, what, n in provenance.get("counts", []):
        if n and "left out" in what:
            rows.append((dataset, "left out", n, "release.splits / release.licences"))
        elif n and what == "filtered out":
            rows.append((dataset, "not in the subset", n, "the subset's rule (see its page)"))
    drops = (provenance.get("dedup") or {}).get("dropped") or []
    for why in drops:
        rows.append((why.get("dataset", ""), "dropped", 1, policy.describe(why)))
    return rows


CSS = (
    "#humanprep-headline{font-family:sans-serif}"
    "#humanprep-headline table{border-collapse:collapse}"
    "#humanprep-headline td,#humanprep-headline th"
    "{padding:2px 10px;text-align:left;border-bottom:1px solid #ddd}"
)


def _table(head, rows):
    out = ["<table><tr>", *(f"<th>{html.escape(str(h))}</th>" for h in head), "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    return "".join(out) + "</table>"


def headline_html(release, summaries, enabled):
    """The fragment: release name, counts per dataset and split (every dataset named),
    what was dropped and why, a strip of pictures. `summaries`: {dataset: normalise
    summary} of the enabled datasets; `enabled`: the run's enabled datasets."""
    release = Path(release)
    meta = release_meta(release)
    provenance = read_json(release / "PROVENANCE.json")
    counts = split_counts(release)
    total = sum(sum(c.values()) for c in counts.values())
    rows = []
    for name, d in DESCRIPTORS.items():
        got = counts.get(name, Counter())
        state = "released" if got else ("enabled, none released" if name in enabled else "off")
        rows.append(
            (d.title, *(got.get(s, "") for s in SPLITS), sum(got.values()), state)
        )  # fmt: skip
    dropped = dropped_rows(summaries, provenance)
    title = f"{meta['name']} {meta['version']}"
    parts = [
        f"<style>{CSS}</style><div id='humanprep-headline'>",
        f"<h2>Release {html.escape(title)}: {total} items</h2>",
        _table(("dataset", *SPLITS, "items", ""), rows),
        "<h3>Dropped, and why</h3>",
        _table(("dataset", "what", "items", "why"), dropped) if dropped else "<p>Nothing.</p>",
        "<div style='display:flex;flex-wrap:wrap;gap:8px;margin-top:10px'>",
    ]
    for dataset, image in first_images(release, [d for d in DESCRIPTORS if d in counts]).items():
        title = html.escape(DESCRIPTORS[dataset].title)
        parts.append(
            f"<figure style='margin:0'><img alt='{title}' title='{title}' "
            f"src='{thumbnail_uri(image)}' height='{THUMB_HEIGHT}'>"
            f"<figcaption style='font-size:small'>{dataset}</figcaption></figure>"
        )
    parts += ["</div>", f"<p>Folder: <code>{html.escape(release.name)}/</code></p>", "</div>"]
    return "\n".join(parts) + "\n"
