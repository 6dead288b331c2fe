"""One folder per dataset: outside humanprep/datasets/, no module, rule file, script or the
Snakefile names a dataset key in code (comments and docstrings aside), and each dataset's
folder is complete enough to be found, imported lazily and copied."""

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KEYS = ("shhq", "fdh", "deepfashion2", "huge100k", "celeba", "deepfashion_mm")
# a key as a word of an identifier or text: `export_fdh`, "humanprep.datasets.shhq"
KEY = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(KEYS) + r")(?![A-Za-z0-9])")
# Left for now, and named so that neither a new file nor a fixed one goes unnoticed: the
# demo's cross-dataset planted duplicates (which dataset's image is copied into which), a
# plan over several datasets that is still written in one place.
LEFT = {"humanprep/demo/duplicates.py", "humanprep/demo/known_pairs.py"}
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}


def generic_files():
    package = REPO / "humanprep"
    files = [p for p in package.rglob("*.py") if p.relative_to(package).parts[0] != "datasets"]
    files += list((REPO / "rules").glob("*.smk")) + list((REPO / "scripts").glob("*.py"))
    return sorted(files) + [REPO / "Snakefile"]


def _tokens(text):
    return [t for t in tokenize.generate_tokens(io.StringIO(text).readline)]


def key_uses(text):
    """(line, token) of every dataset key in code: names, strings and f-strings, except a
    string that is a statement of its own (a docstring, in Python and in rule files)."""
    tokens = [t for t in _tokens(text) if t.type != tokenize.ENDMARKER]
    found = []
    for i, tok in enumerate(tokens):
        if tok.type in SKIPPED:
            continue
        if tok.type == tokenize.STRING:
            before = next((t for t in reversed(tokens[:i]) if t.type != tokenize.NL), None)
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            alone_before = before is None or before.type in SKIPPED
            alone_after = after is None or after.type in (tokenize.NEWLINE, tokenize.COMMENT)
            if alone_before and alone_after:
                continue  # a docstring
        if KEY.search(tok.string):
            found.append((tok.start[0], tok.string[:60]))
    return found


def test_the_counter_sees_names_and_strings_but_not_docstrings_or_comments():
    text = (
        'def f():\n    """Reads shhq."""\n    # fdh too\n    x = "celeba"\n'
        "    return export_fdh(x) + f'{deepfashion_mm}'\n"
        'y = 1  # huge100k\nz = ("a", "deepfashion2-fullbody")\nw = "SHHQ"\n'
    )
    assert [line for line, _ in key_uses(text)] == [4, 5, 5, 7]


def test_no_generic_file_names_a_dataset():
    bad, left = [], set()
    for path in generic_files():
        name = str(path.relative_to(REPO))
        for line, token in key_uses(path.read_text()):
            if name in LEFT:
                left.add(name)
            else:
                bad.append(f"{name}:{line}: {token}")
    assert not bad, "dataset keys outside humanprep/datasets/:\n" + "\n".join(bad)
    assert left == LEFT, f"no dataset key left in {sorted(LEFT - left)}: take it off LEFT"


def test_each_dataset_is_one_folder_named_by_its_key():
    from humanprep.datasets import DESCRIPTORS

    folders = sorted(p.parent.name for p in (REPO / "humanprep/datasets").glob("*/__init__.py"))
    assert folders == sorted(DESCRIPTORS) and set(KEYS) <= set(folders)
    for name, descriptor in DESCRIPTORS.items():
        assert descriptor.name == name
        assert (REPO / "humanprep/datasets" / name / "schema.json").is_file()
        assert (REPO / "terms" / f"{name}.md").is_file()


def test_descriptors_hold_functions_not_module_strings():
    from humanprep.datasets import DESCRIPTORS
    from humanprep.sources import LAZY_FIELDS

    for descriptor in DESCRIPTORS.values():
        values = [getattr(descriptor, f, None) for f in LAZY_FIELDS]
        values += [getattr(s, f, None) for s in descriptor.derived for f in LAZY_FIELDS]
        for value in values:
            for item in value.values() if isinstance(value, dict) else [value]:
                assert item is None or callable(item), (descriptor.name, item)


def test_a_lazy_function_is_named_apart_from_its_dataset_modules():
    """`from humanprep.datasets.x import coco` must find the module, not a function."""
    for init in (REPO / "humanprep/datasets").glob("*/__init__.py"):
        modules = {p.stem for p in init.parent.glob("*.py")}
        tree = ast.parse(init.read_text())
        functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert not functions & modules, f"{init}: {sorted(functions & modules)}"


@pytest.mark.parametrize("snippet", ["import humanprep.datasets"])
def test_reading_the_descriptors_imports_no_heavy_module(snippet):
    import subprocess

    code = f"import sys; {snippet}; print(sorted({{'numpy', 'PIL', 'cv2'}} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stderr
