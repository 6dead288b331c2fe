"""SHA256SUMS (`sha256sum -c` format) and manifest.json over a release tree, and checks."""

from pathlib import Path

from humanprep.datasets import DATASETS
from humanprep.io import read_json, sha256_file

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
    ".parquet": "hf-metadata",
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
    if parts[0] == "webdataset":
        return parts[1].split("-shard-", 1)[0], "webdataset"
    if parts[0] == "deepprivacy2":
        return parts[1], "deepprivacy2"
    if parts[0] == "coco":
        return parts[1], "coco"
    if parts[0] == "derived":
        return parts[1].split("-", 1)[0], "derived"
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
