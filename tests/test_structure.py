"""The package's import graph, read with ast: no import circles, and no arrow back up from a
low-level module to a higher one. Imports inside functions count as much as those at the
top: both run, and both tie the two modules together. (An import of a.b.c also runs a and
a.b's __init__; those implicit edges are left out, as structure tools do.)"""

import ast
from collections import deque
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Low-level modules: they import only each other.
LOW = {
    "humanprep.errors",
    "humanprep.oserrors",
    "humanprep.failures",
    "humanprep.io",
    "humanprep.tarutil",
    "humanprep.store",
    "humanprep.members",
    "humanprep.items",
    "humanprep.progress",
    "humanprep.settings",
    "humanprep.video",
}
# High-level packages and modules: only they import them (a dataset's own folder under
# humanprep.datasets may too: it holds the dataset's demo maker, sheet...).
HIGH = ("stages", "cli", "__main__", "runner", "release", "report", "demo")


def modules(root, package):
    """{module name: file} of every module of `package` under `root`."""
    found = {}
    for path in sorted(Path(root, package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _targets(node, package, known):
    """Module names an import statement names (`from a import b`: a.b if it is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parts, base] if base else parts)
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def imports(name, path, known):
    """The package's modules that module `name` (file `path`) imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, package, known):
                while target and target not in known:  # a name inside a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
    return found


def import_graph(root, package):
    known = modules(root, package)
    return {name: imports(name, path, known) for name, path in known.items()}


def _reachable(graph, start):
    seen, todo = set(), list(graph[start])
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo += graph[node]
    return seen


def _shortest_cycle(graph, start, within):
    """start -> ... -> start, by the fewest imports, through modules of `within`."""
    before, todo = {}, deque([start])
    while todo:
        node = todo.popleft()
        for nxt in sorted(graph[node] & within):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(before[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if nxt not in before:
                before[nxt] = node
                todo.append(nxt)
    raise AssertionError(f"{start} is in no cycle")


def cycles(graph):
    """{frozenset of modules that import each other in a circle: the shortest circle
    through each of them (one listing for circles that go through several)}."""
    reach = {name: _reachable(graph, name) for name in graph}
    found = {}
    for name in sorted(graph):
        if name in reach[name]:
            group = frozenset(m for m in reach[name] if name in reach[m])
            circles = found.setdefault(group, [])
            circle = _shortest_cycle(graph, name, group)
            if not any(set(circle) == set(c) for c in circles):
                circles.append(circle)
    return found


def _is_high(name):
    return any(name == f"humanprep.{h}" or name.startswith(f"humanprep.{h}.") for h in HIGH)


def test_no_import_cycles():
    found = cycles(import_graph(REPO, "humanprep"))
    named = [" -> ".join(circle) for circles in found.values() for circle in circles]
    assert not named, "import cycles:\n" + "\n".join(named)


def test_low_level_modules_import_only_each_other():
    graph = import_graph(REPO, "humanprep")
    assert not LOW - set(graph), LOW - set(graph)  # a renamed module is named here, not skipped
    arrows = [f"{low} -> {t}" for low in sorted(LOW) for t in sorted(graph[low] - LOW)]
    assert not arrows, arrows


def test_only_high_level_modules_import_high_level_ones():
    graph = import_graph(REPO, "humanprep")
    arrows = [
        f"{name} -> {t}"
        for name, targets in sorted(graph.items())
        if not _is_high(name) and not name.startswith("humanprep.datasets.")
        for t in sorted(targets)
        if _is_high(t)
    ]
    assert not arrows, arrows


def test_cycles_are_found_through_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("from . import c\n")
    (pkg / "sub" / "b.py").write_text("from ..a import f\n")
    (pkg / "sub" / "c.py").write_text("import pkg.a as a\nfrom pkg.sub.b import g\n")
    (pkg / "d.py").write_text("from pkg import a\n")  # imports into the circle: not in it
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.sub"] == {"pkg.sub.c"} and graph["pkg.sub.b"] == {"pkg.a"}
    assert cycles(graph) == {frozenset({"pkg.a", "pkg.sub.b"}): [["pkg.a", "pkg.sub.b", "pkg.a"]]}
    graph["pkg.a"].add("pkg.d")
    assert cycles(graph) == {
        frozenset({"pkg.a", "pkg.sub.b", "pkg.d"}): [
            ["pkg.a", "pkg.d", "pkg.a"],
            ["pkg.sub.b", "pkg.a", "pkg.sub.b"],
        ],
    }
