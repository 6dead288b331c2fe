"""The files of an unpacked tree or of an archive read in place, as (name, ref) pairs.

`name` is the path relative to the root ("/"-separated); `ref` is what a stage passes to
`read_member`: a plain path for an extracted file, a member reference for a file inside a
plain tar or an unencrypted zip read in place (humanprep.acquire.tarindex, zipindex).
Hidden files are skipped (Snakemake marks directory outputs with one).
"""

import json
import os
from pathlib import Path

from humanprep.members import TarIndex, member_ref


def is_index(root):
    return Path(root, "index.json").is_file()


def _tree(root):
    root = str(root)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        rel = os.path.relpath(folder, root)
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(folder, name)
            yield (name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")), path


def _zip_indexed(root):
    with open(Path(root, "members.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            name, ref = json.loads(line)
            if not Path(name).name.startswith("."):
                yield name, ref


def _indexed(root):
    index = TarIndex(root)
    archive = index.summary["path"]
    for name, kind, offset, size in index.members():
        if kind != "dir" and offset and not Path(name).name.startswith("."):
            yield name, member_ref(archive, offset, size, name)


def files(root):
    """(name, ref) of every regular file under `root`: a tree, or an archive's index."""
    if not is_index(root):
        return _tree(root)
    return _zip_indexed(root) if Path(root, "members.jsonl").is_file() else _indexed(root)
