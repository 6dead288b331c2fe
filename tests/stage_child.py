"""Run one stage's main through humanprep.runner.run, as its Snakemake script would, in a
process of its own: `python stage_child.py spec.json`.

The spec names the stage module and the smk object (input, output, params, wildcards, log:
a name -> value mapping, or a list). With `fail` = an errno name, every write under `under`
is refused with that error (the kernel's answer on a full disk, a quota, a folder the user
may not write, a read-only mount); without it the caller mounts something real there.
"""

import builtins
import errno
import importlib
import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from humanprep.runner import run  # noqa: E402


class Named(list):
    """Snakemake's Namedlist, enough of it: items by position and by name."""

    def __init__(self, value):
        if isinstance(value, dict):
            super().__init__(value.values())
            self.__dict__.update(value)
            self._names = list(value)
        else:
            super().__init__(value)
            self._names = []

    def keys(self):
        return self._names


def refuse_writes(code, under):
    """Every write (open for writing, create, mkdir, rename) below `under` fails with `code`."""
    under = str(Path(under).absolute())

    def inside(path):
        return isinstance(path, (str, os.PathLike)) and str(Path(path).absolute()).startswith(under)

    def refuse(path):
        raise OSError(code, os.strerror(code), str(path))

    real_open, real_os_open, real_mkdir, real_replace = builtins.open, os.open, os.mkdir, os.replace

    def open_(file, mode="r", *args, **kwargs):
        if inside(file) and any(c in mode for c in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def os_open(path, flags, *args, **kwargs):
        if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if inside(path):
            refuse(path)
        return real_mkdir(path, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        if inside(dst):
            refuse(dst)
        return real_replace(src, dst, *args, **kwargs)

    builtins.open = io.open = open_
    os.open, os.mkdir, os.replace, os.rename = os_open, mkdir, replace, replace


def main():
    spec = json.loads(Path(sys.argv[1]).read_text())
    if spec.get("fail"):
        refuse_writes(getattr(errno, spec["fail"]), spec["under"])
    smk = type("Smk", (), {})()
    for key in ("input", "output", "params", "wildcards", "log"):
        setattr(smk, key, Named(spec.get(key, {})))
    smk.config, smk.threads = {}, 1
    print("started", file=sys.stderr, flush=True)
    stage = importlib.import_module(f"humanprep.stages.{spec['stage']}")
    run(smk, stage.main)


if __name__ == "__main__":
    main()
