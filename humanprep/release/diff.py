"""Compare two releases item by item and say which version bump the change needs."""

import hashlib
from pathlib import Path

from humanprep import store
from humanprep.dedup import policy
from humanprep.io import dumps, read_json, read_jsonl

BUMPS = ("none", "patch", "minor", "major")


def where_free(record):
    """The record with each file reference reduced to its member name and size: a container
    written again (a selection left other items out of it) moves the files, which changes
    no item (the main image's sha256 is in the record itself)."""
    mapping = {}
    for ref in store.refs_in(record):
        _, _, size, member = store.parse_ref(ref)
        mapping[ref] = f"{member} ({size} bytes)"
    return store.replace_refs(record, mapping)


def item_digests(root):
    """{(dataset, id): sha256 of the record, wherever its files sit} over every record file
    of a release."""
    digests = {}
    for path in sorted(Path(root).glob("*/shard-*[0-9].jsonl")):
        for record in read_jsonl(path):
            key = (record["dataset"], record["id"])
            digests[key] = hashlib.sha256(dumps(where_free(record)).encode()).hexdigest()
    return digests


def release_meta(root):
    """{name, version} of a release folder, from its PROVENANCE.json config."""
    config = read_json(Path(root, "PROVENANCE.json"))["config"]["release"]
    return {"name": config["name"], "version": config["version"]}


def dedup_dropped(root):
    """{(dataset, id): why} of the items the release's dedup policy dropped."""
    dedup = read_json(Path(root, "PROVENANCE.json")).get("dedup", {})
    return {(w["dataset"], w["id"]): w for w in dedup.get("dropped", [])}


def diff_releases(old, new):
    a, b = item_digests(old), item_digests(new)
    changes = {
        "added": sorted(set(b) - set(a)),
        "removed": sorted(set(a) - set(b)),
        "changed": sorted(k for k in set(a) & set(b) if a[k] != b[k]),
    }
    dropped = dedup_dropped(new)
    if dropped:  # listed with why in CHANGES.md
        changes["dedup_dropped"] = dropped
    same_files = Path(old, "SHA256SUMS").read_bytes() == Path(new, "SHA256SUMS").read_bytes()
    if changes["removed"] or changes["changed"]:
        bump = "major"
    elif changes["added"]:
        bump = "minor"
    else:
        bump = "none" if same_files else "patch"
    return changes, bump


def version_bump(old_version, new_version):
    """The bump between two semantic versions: none, patch, minor or major (or "down")."""
    a = tuple(int(x) for x in old_version.split("."))
    b = tuple(int(x) for x in new_version.split("."))
    if b < a:
        return "down"
    for level, x, y in zip(("major", "minor", "patch"), a, b, strict=True):
        if y != x:
            return level
    return "none"


def changes_markdown(old_meta, new_meta, changes, needed):
    given = version_bump(old_meta["version"], new_meta["version"])
    title = f"{old_meta['name']} {old_meta['version']} -> {new_meta['name']} {new_meta['version']}"
    lines = [f"# Changes: {title}", ""]
    lines.append(f"Required version bump: **{needed}**; this release made: **{given}**.")
    if given == "down" or BUMPS.index(given) < BUMPS.index(needed):
        lines.append("")
        lines.append(f"WARNING: the version bump is smaller than the {needed} bump the data needs.")
    for kind in ("added", "removed", "changed"):
        items = changes[kind]
        lines += ["", f"## {kind.capitalize()}: {len(items)}", ""]
        lines += [f"- {dataset} {item}" for dataset, item in items]
    dropped = changes.get("dedup_dropped", {})
    if dropped:
        lines += ["", f"## Dropped as near-duplicates (release.dedup): {len(dropped)}", ""]
        lines += [f"- {policy.describe(dropped[k])}" for k in sorted(dropped)]
    return "\n".join(lines) + "\n"
