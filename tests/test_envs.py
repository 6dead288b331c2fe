"""Every rule runs in a conda env that pins exactly what its code imports, at the versions
this (pip-installed, tested) environment has. Imports are read from the code itself."""

import importlib.metadata
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from humanprep.sources import stage_files, stage_requirements

REPO = Path(__file__).resolve().parent.parent


def rules():
    """(rule name, env file, script stem, code() stage) for every rule with a script."""
    found = []
    for smk in sorted((REPO / "rules").glob("*.smk")):
        parts = re.split(r"\n\s*rule (\w+):", smk.read_text())[1:]
        for name, body in zip(parts[::2], parts[1::2], strict=True):
            body = re.split(r"\n\S", body)[0]
            env = re.search(r'conda:\s*"\.\./(envs/[\w-]+\.yaml)"', body)
            script = re.search(r'script:\s*"\.\./scripts/(\w+)\.py"', body)
            stage = re.search(r'code=code\("(\w+)"\)', body)
            found.append(
                (name, env and env.group(1), script and script.group(1), stage and stage.group(1))
            )
    return found


def pins(env_file):
    doc = yaml.safe_load((REPO / env_file).read_text())
    conda = [d for d in doc["dependencies"] if isinstance(d, str)]
    pip = next((d["pip"] for d in doc["dependencies"] if isinstance(d, dict)), [])
    return conda, dict(p.split("==") for p in pip)


def distributions(module):
    names = importlib.metadata.packages_distributions().get(module, [])
    assert names, f"no installed distribution provides {module}"
    return names


RULES = rules()


def test_rules_found():
    assert len(RULES) >= 15


@pytest.mark.parametrize("rule, env, script, stage", RULES, ids=[r[0] for r in RULES])
def test_rule_env_pins_its_imports(rule, env, script, stage):
    assert env, f"rule {rule} names no conda env"
    assert script and stage == script, f"rule {rule}: code() must name its script's stage"
    conda, pip = pins(env)
    assert "python=3.11" in conda and any(c.startswith("pip=") for c in conda)
    for module in stage_requirements(REPO, stage):
        for dist in distributions(module):
            pinned = {k.lower(): v for k, v in pip.items()}.get(dist.lower())
            assert pinned, f"{env} does not pin {dist} (imported as {module} by {stage})"
            assert pinned == importlib.metadata.version(dist), f"{env}: {dist} version"


def test_every_pin_is_the_tested_version():
    for env in sorted((REPO / "envs").glob("*.yaml")):
        _, pip = pins(env.relative_to(REPO))
        for dist, version in pip.items():
            assert importlib.metadata.version(dist) == version, f"{env.name}: {dist}"


def test_code_inputs_follow_imports_including_dynamic_ones():
    files = stage_files(REPO, "normalise")
    # the dataset modules are imported inside the descriptors' lazy functions, the schema
    # read as package data
    assert "humanprep/datasets/huge100k/normalise.py" in files
    assert "humanprep/datasets/huge100k/torchnpy.py" in files
    assert "scripts/normalise.py" in files and "humanprep/stages/normalise.py" in files
    assert "humanprep/release/build.py" not in files
    # a lazy field's modules only where it is read: normalise reads no contact sheet
    assert "humanprep/datasets/huge100k/sheet.py" not in files
    assert "humanprep/datasets/huge100k/sheet.py" in stage_files(REPO, "report_sheet")
    # a dataset folder's record schema piece: an input of what reads the record schema
    assert "humanprep/datasets/huge100k/schema.json" in stage_files(REPO, "normalise_summary")
    assert "humanprep/datasets/huge100k/schema.json" not in stage_files(REPO, "plan_shards")
    assert "humanprep/schemas/record.schema.json" in stage_files(REPO, "normalise_summary")


def test_code_inputs_follow_an_import_inside_a_function(tmp_path):
    for rel, text in {
        "scripts/s.py": "from humanprep import a\n",
        "scripts/_humanprep.py": "",
        "humanprep/__init__.py": "",
        "humanprep/a.py": "def f():\n    from humanprep.b import g\n    return g\n",
        "humanprep/b.py": "def g():\n    pass\n",
    }.items():
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert "humanprep/b.py" in stage_files(tmp_path, "s")


def test_code_inputs_cached_on_disk_until_a_source_changes(tmp_path, monkeypatch):
    from humanprep import sources

    root = tmp_path / "wf"
    for folder in ("humanprep", "scripts"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache" / "code-inputs.json"
    found = sources.code_inputs(root, str(cache))
    assert found["normalise"] == stage_files(root, "normalise")
    assert set(found) == {p.stem for p in (root / "scripts").glob("*.py")} - {"_humanprep"}
    assert json.loads(cache.read_text())["stages"] == found

    def no_walk(*args):
        raise AssertionError("walked although nothing changed")

    sources.code_inputs.cache_clear()  # a new parse (a new Snakemake process) reads the file
    with monkeypatch.context() as m:
        m.setattr(sources, "stage_files", no_walk)
        assert sources.code_inputs(root, str(cache)) == found

    # an edit (a new import) changes the fingerprint: walked again, and it is seen
    stage = root / "humanprep" / "stages" / "normalise.py"
    stage.write_text(stage.read_text() + "\nimport humanprep.release.build  # noqa\n")
    for cached in (sources.code_inputs, sources.file_imports, sources._edges):
        cached.cache_clear()
    again = sources.code_inputs(root, str(cache))
    assert "humanprep/release/build.py" in again["normalise"]
    assert "humanprep/release/build.py" not in found["normalise"]

    cache.write_text("{not json")  # a damaged cache costs only the walk
    sources.code_inputs.cache_clear()
    assert sources.code_inputs(root, str(cache)) == again
