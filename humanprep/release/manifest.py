"""SHA256SUMS (`sha256sum -c` format) and manifest.json over a release tree, and checks."""

import heapq
import json
import os
from pathlib import Path

from humanprep.datasets import DATASETS
from humanprep.io import read_json, sha256_file, tmp_beside

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
TOP_KINDS = {
    "README.md": "card",
    "PROVENANCE.json": "provenance",
    "ATTRIBUTION.csv": "attribution",
    "CHANGES.md": "changes",
    "croissant.json": "croissant",
}
SUFFIX_KINDS = {
    ".jsonl": "records",
    ".jpg": "image",
    ".png": "image",
    ".npy": "array",
    ".tar": "container",
    ".parquet": "croissant-rows",
}


def list_files(root):
    """Every regular file under root, as sorted POSIX paths relative to it."""
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def classify(path):
    """(dataset or None, kind) of a release path."""
    parts = path.split("/")
    if len(parts) == 1:
        return None, TOP_KINDS.get(path, "other")
    if parts[0] == "terms":
        return Path(parts[1]).stem, "terms"
    if parts[0] == "deepprivacy2":
        return parts[1], "deepprivacy2"
    if parts[0] == "coco":
        return parts[1], "coco"
    if parts[0] == "derived":
        kind = SUFFIX_KINDS.get(Path(path).suffix) if path.endswith((".tar", ".parquet")) else None
        return parts[1].split("-", 1)[0], kind or "derived"
    dataset = parts[0] if parts[0] in DATASETS else None
    if path.endswith(".quarantine.jsonl"):
        return dataset, "quarantine"
    return dataset, SUFFIX_KINDS.get(Path(path).suffix, "other")


def entry(root, path):
    """The manifest entry of one file (path relative to root)."""
    dataset, kind = classify(path)
    full = Path(root) / path
    return {
        "path": path,
        "size": full.stat().st_size,
        "sha256": sha256_file(full),
        "dataset": dataset,
        "kind": kind,
    }


def manifest_entries(root, skip=(SUMS, MANIFEST)):
    return [entry(root, path) for path in list_files(root) if path not in skip]


def with_entry(entries, root, path):
    """entries plus that of one more file, in path order (as list_files gives them)."""
    return sorted([*entries, entry(root, path)], key=lambda e: e["path"])


def walk_files(root, prefix=""):
    """Every regular file under root as list_files gives them (sorted POSIX paths), one
    directory listing in memory at a time: a folder sorts as its name plus "/"."""
    with os.scandir(root) as it:
        found = [(e.name + "/" if e.is_dir(follow_symlinks=False) else e.name, e) for e in it]
    for key, e in sorted(found, key=lambda f: f[0]):
        if key.endswith("/"):
            yield from walk_files(e.path, prefix + key)
        elif e.is_file():
            yield prefix + e.name


def spill_entries(root, spill, keep, skip=(SUMS, MANIFEST)):
    """The manifest entries of every file under root, in path order, written one JSON line
    each to the file `spill`; returns the entries `keep(entry)` selects."""
    kept = []
    with open(spill, "w", encoding="utf-8") as fh:
        for path in walk_files(root):
            if path in skip:
                continue
            e = entry(root, path)
            fh.write(json.dumps(e, sort_keys=True) + "\n")
            if keep(e):
                kept.append(e)
    return kept


def spilled(spill, extra=()):
    """The entries of a spill file merged with `extra` entries, in path order."""

    def read():
        with open(spill, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)

    return heapq.merge(read(), sorted(extra, key=lambda e: e["path"]), key=lambda e: e["path"])


def _write_stream(path, chunks):
    tmp = tmp_beside(path)
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(chunks)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_manifest(path, release, entries):
    """manifest.json from streamed entries: the bytes write_json gives for
    {"release": release, "files": entries}."""

    def chunks():
        yield '{"files": ['
        for i, e in enumerate(entries):
            text = json.dumps(e, sort_keys=True, ensure_ascii=False, allow_nan=False)
            yield (", " if i else "") + text
        yield '], "release": ' + json.dumps(release, ensure_ascii=False) + "}\n"

    _write_stream(path, chunks())


def write_sums(path, entries):
    _write_stream(path, (f"{e['sha256']}  {e['path']}\n" for e in entries))


def sums_text(entries):
    return "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)


def parse_sums(text):
    sums = {}
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        sums[path] = digest
    return sums


def verify_release(root):
    """Problems found checking a release against its manifest: missing, extra, changed."""
    root = Path(root)
    manifest = read_json(root / MANIFEST)
    expected = {e["path"]: e for e in manifest["files"]}
    sums = parse_sums((root / SUMS).read_text())
    problems = []
    present = set(list_files(root)) - {SUMS, MANIFEST}
    for path in sorted(set(expected) - present):
        problems.append(f"missing: {path}")
    for path in sorted(present - set(expected)):
        problems.append(f"extra: {path}")
    for path in sorted(present & set(expected)):
        entry, full = expected[path], root / path
        if full.stat().st_size != entry["size"] or sha256_file(full) != entry["sha256"]:
            problems.append(f"changed: {path}")
        elif sums.get(path) != entry["sha256"]:
            problems.append(f"SHA256SUMS disagrees with manifest.json: {path}")
    if sums.get(MANIFEST) != sha256_file(root / MANIFEST):
        problems.append(f"changed: {MANIFEST}")
    return problems
