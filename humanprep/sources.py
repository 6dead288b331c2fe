"""Which source files a stage runs, found by following its imports.

Every rule takes these files as inputs (so editing code re-runs what it made), and the
env-consistency test reads the third-party imports from the same walk. Dynamic imports are
followed too: any string constant naming a `humanprep.` module (or a "module:function" in
one) counts as an import, and a package that discovers its modules with pkgutil (the
dataset folders) imports all of them. A descriptor reaches its dataset's heavy modules
through small functions that import them when called (its lazy fields): a file that reads
a lazy field (`.normaliser`, `.coco`, ...) of a descriptor runs what those functions import
in every dataset, a file that reads only plain data does not.
"""

import ast
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

PACKAGE = "humanprep"
_MODULE_NAME = re.compile(rf"^({PACKAGE}(\.\w+)*)(:\w+)?$")
DATA_SUFFIXES = (".json",)
DESCRIPTOR_PACKAGE = f"{PACKAGE}.datasets"
# Modules that read a data file of every dataset's folder (the record schema's pieces).
DATASET_DATA = {f"{PACKAGE}.schemas": "schema.json"}
# Descriptor (and Derived) fields holding functions that import their modules when called.
LAZY_FIELDS = (
    "normaliser",
    "demo",
    "sheet",
    "coco",
    "coco_image_id",
    "summary_counter",
    "release_views",
    "hf_schema",
    "class_labels",
    "maker",
    "pages",
)


def _subset_name(call):
    """The subset a Derived(...) call names (its first argument), else None."""
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) else None


def _lazy_functions(tree, subsets=None):
    """{field: names of the module's functions given to it} of a descriptor module's
    Descriptor(...) and Derived(...) calls (of the Derived ones, those of `subsets` only,
    when given)."""
    found = {}
    for node in ast.walk(tree):
        kind = getattr(node.func, "id", "") if isinstance(node, ast.Call) else ""
        if kind not in ("Descriptor", "Derived"):
            continue
        if kind == "Derived" and subsets is not None and _subset_name(node) not in subsets:
            continue
        for keyword in node.keywords:
            if keyword.arg in LAZY_FIELDS:
                names = {n.id for n in ast.walk(keyword.value) if isinstance(n, ast.Name)}
                found.setdefault(keyword.arg, set()).update(names)
    return found


def _descriptor_modules(root):
    """(path, module) of every dataset folder's __init__.py."""
    base = Path(root, *DESCRIPTOR_PACKAGE.split("."))
    return [
        (p, f"{DESCRIPTOR_PACKAGE}.{p.parent.name}") for p in sorted(base.glob("*/__init__.py"))
    ]


@functools.cache
def lazy_modules(root, field, subsets=None):
    """The modules the lazy `field` of every descriptor imports when called (of derived
    subsets: those named `subsets`, when given)."""
    found = set()
    for path, module in _descriptor_modules(root):
        tree = ast.parse(path.read_text(), filename=str(path))
        wanted = _lazy_functions(tree, subsets).get(field, set())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in wanted:
                found.update(_imports(node, module, True))
    return sorted(found)


def _imports(tree, module, is_package):
    """Absolute names the import statements under `tree` import."""
    package = module if is_package else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _names(root, tree, module, is_package):
    """Absolute module names a file imports (statically or by a literal module name)."""
    lazy = set()
    if is_package and module.startswith(f"{DESCRIPTOR_PACKAGE}."):  # a dataset's descriptor
        lazy = set().union(*_lazy_functions(tree).values())  # followed by their readers
    eager = [n for n in tree.body if not (isinstance(n, ast.FunctionDef) and n.name in lazy)]
    # a file that reads a derived subset by name (`.subset("fullbody")`) runs that one's code
    named = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "subset"
        and node.args and isinstance(node.args[0], ast.Constant)
    }  # fmt: skip
    subsets = frozenset(named) if named else None
    for top in eager:
        yield from _imports(top, module, is_package)
        for node in ast.walk(top):
            if isinstance(node, ast.Constant) and _MODULE_NAME.match(str(node.value)):
                yield _MODULE_NAME.match(node.value).group(1)
            elif isinstance(node, ast.Attribute) and node.attr in LAZY_FIELDS:
                yield from lazy_modules(root, node.attr, subsets)


@functools.cache
def file_imports(root, path, module):
    tree = ast.parse(Path(path).read_text(), filename=str(path))
    return frozenset(_names(root, tree, module, Path(path).name == "__init__.py"))


@functools.cache
def module_files(root, name):
    """Files that make up a package module: its .py, or its package __init__ and data."""
    path = Path(root, *name.split("."))
    if path.with_suffix(".py").is_file():
        return (path.with_suffix(".py"),)
    if path.is_dir():
        files = [path / "__init__.py"] if (path / "__init__.py").is_file() else []
        if name.startswith(f"{DESCRIPTOR_PACKAGE}."):  # a dataset folder's data: its readers'
            return tuple(files)
        files += sorted(p for p in path.iterdir() if p.suffix in DATA_SUFFIXES)
        if name in DATASET_DATA:
            base = Path(root, *DESCRIPTOR_PACKAGE.split("."))
            files += sorted(base.glob(f"*/{DATASET_DATA[name]}"))
        return tuple(files)
    return ()


def _module_of(root, path):
    rel = Path(path).relative_to(root).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


@functools.cache
def _edges(root, path):
    """(package files `path` runs directly, external top-level modules it imports). Cached:
    every rule's code() walks from its own entry point, and Snakemake parses the workflow
    at the start of every job (28 walks took 0.54 s per parse uncached, now 0.28 s)."""
    module = _module_of(root, path) if path.is_relative_to(root / PACKAGE) else "__main__"
    names = file_imports(root, path, module)
    files, external = [], set()
    if path.name == "__init__.py" and "pkgutil" in names:  # it imports its modules and packages
        files += sorted(path.parent.glob("*.py"))
        for package in sorted(p.parent for p in path.parent.glob("*/__init__.py")):
            files += module_files(root, f"{module}.{package.name}")
    for name in names:
        top = name.split(".")[0]
        if top != PACKAGE:
            external.add(top)
            continue
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # parent packages run their __init__ too
            files += module_files(root, ".".join(parts[:i]))
    return tuple(dict.fromkeys(files)), frozenset(external)


def walk(root, entry_files):
    """(package files reached, external top-level module names) from the entry files."""
    root = Path(root)
    seen, external, todo = set(), set(), [Path(f) for f in entry_files]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if path.suffix != ".py":
            continue
        files, imports = _edges(root, path)
        external |= imports
        todo += [f for f in files if f not in seen]
    return sorted(seen), sorted(external - set(sys.stdlib_module_names) - {"_humanprep"})


def stage_files(root, stage):
    """The files the rule running scripts/<stage>.py executes, relative to root, sorted."""
    root = Path(root)
    entries = [root / "scripts" / f"{stage}.py", root / "scripts" / "_humanprep.py"]
    files, _ = walk(root, entries)
    return [str(Path(f).relative_to(root)) for f in files]


def stage_requirements(root, stage):
    """Top-level third-party modules the stage imports."""
    root = Path(root)
    return walk(root, [root / "scripts" / f"{stage}.py"])[1]


def sources_fingerprint(root):
    """A digest of every package and entry-point source's path, size and mtime (ns)."""
    root = Path(root)
    digest = hashlib.sha256()
    for folder in (root / PACKAGE, root / "scripts"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", *DATA_SUFFIXES):
                st = path.stat()
                digest.update(
                    f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
                )
    return digest.hexdigest()


@functools.cache
def code_inputs(root, cache=None):
    """{stage: stage_files} for every scripts/<stage>.py. Snakemake parses the workflow at
    the start of every job (twice per SLURM job), and the walks cost ~0.3 s of each parse:
    with `cache` (a JSON file) they are reused while no source's size or mtime changed."""
    root = Path(root)
    key = sources_fingerprint(root)
    if cache:
        try:
            saved = json.loads(Path(cache).read_text())
            if saved.get("fingerprint") == key:
                return saved["stages"]
        except (OSError, ValueError, AttributeError):
            pass  # no cache yet, or one being replaced: walk
    stages = sorted(p.stem for p in (root / "scripts").glob("*.py") if p.stem != "_humanprep")
    found = {stage: stage_files(root, stage) for stage in stages}
    if cache:
        _save(Path(cache), {"fingerprint": key, "stages": found})
    return found


def _save(path, doc):
    """Write atomically; a cache that cannot be written is only a missed saving."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
