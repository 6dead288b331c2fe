"""The report's release page: what a release holds and how to check it, as one HTML page."""

import html
from collections import Counter
from pathlib import Path

from humanprep.io import read_json, read_jsonl
from humanprep.release.diff import diff_releases, release_meta


def release_counts(release):
    """Counter of (dataset, split, licence id) over the release's records."""
    counts = Counter()
    for path in sorted(Path(release).glob("*/shard-*[0-9].jsonl")):
        for record in read_jsonl(path):
            licence = (record.get("license") or {}).get("id") or "n/a"
            counts[(record["dataset"], record.get("split") or "n/a", licence)] += 1
    return counts


def previous_release(release):
    """The newest other version of the same release name beside it, or None."""
    meta = release_meta(release)

    def version(path):
        try:
            return tuple(int(x) for x in release_meta(path)["version"].split("."))
        except (OSError, KeyError, ValueError):
            return None

    mine = version(release)
    older = [
        (v, p)
        for p in Path(release).parent.glob(f"{meta['name']}-*")
        if p != Path(release) and (v := version(p)) is not None and v < mine
    ]
    return max(older)[1] if older else None


def _table(head, rows):
    out = ["<table><tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    return "\n".join(out + ["</table>"])


def release_html(release):
    release = Path(release)
    meta = release_meta(release)
    provenance = read_json(release / "PROVENANCE.json")
    counts = release_counts(release)
    left_out = [
        (d, what, n) for d, what, n in provenance.get("counts", []) if n and "left out" in what
    ]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(meta['name'])} {html.escape(meta['version'])}</title>",
        "<style>body{font-family:sans-serif}td,th{padding:2px 10px;text-align:left}</style>",
        "</head><body>",
        f"<h2>Release {html.escape(meta['name'])} {html.escape(meta['version'])}</h2>",
        f"<p>{sum(counts.values())} items in <code>{html.escape(release.name)}/</code></p>",
        "<h3>Items per dataset, split and licence</h3>",
        _table(
            ("dataset", "split", "licence", "items"), [(*k, n) for k, n in sorted(counts.items())]
        ),  # fmt: skip
        "<h3>Left out by the selection</h3>",
        _table(("dataset", "what", "items"), left_out) if left_out else "<p>Nothing.</p>",
    ]
    previous = previous_release(release)
    parts.append("<h3>Changes since the previous release</h3>")
    if previous is None:
        parts.append("<p>No earlier version of this release beside it.</p>")
    else:
        changes, needed = diff_releases(previous, release)
        old = release_meta(previous)["version"]
        summary = ", ".join(f"{len(v)} {k}" for k, v in changes.items())
        parts.append(f"<p>Against {html.escape(old)}: {summary}; needs a {needed} bump.</p>")
    parts += [
        "<h3>How to verify</h3>",
        f"<pre>cd releases/{html.escape(release.name)} &amp;&amp; sha256sum -c SHA256SUMS\n"
        f"humanprep verify-release releases/{html.escape(release.name)}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
