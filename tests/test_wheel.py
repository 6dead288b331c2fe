"""The package installed from its wheel, not from the source tree, finds its schemas and
defaults: the config schema validates the demo config, refuses a broken one and gives the
documented defaults, and the record schema is assembled."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

from conftest import REPO

CHECK = textwrap.dedent(
    """
    import json, sys
    import yaml
    import humanprep
    from humanprep import preflight, settings
    from humanprep.schemas import record_schema

    config = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    print(json.dumps({
        "file": humanprep.__file__,
        "demo": preflight.config_problems(config, settings.schema()),
        "broken": preflight.config_problems({**config, "shard_szie": 1}, settings.schema()),
        "dedup": settings.defaults("dedup"),
        "datasets": record_schema()["properties"]["dataset"]["enum"],
    }))
    """
)


def run(*cmd, cwd):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return res.stdout


def wheel(tmp_path):
    """The wheel `pip wheel` builds from a copy of the package sources (the build leaves
    build/ and egg-info behind: not in the work tree)."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "pyproject.toml", src)
    shutil.copytree(
        REPO / "humanprep", src / "humanprep", ignore=shutil.ignore_patterns("__pycache__")
    )
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        str(src),
        "--no-deps",
        "-q",
        "-w",
        "dist",
        cwd=tmp_path,
    )
    (found,) = (tmp_path / "dist").glob("humanprep-*.whl")
    return found


def fresh_venv(tmp_path):
    """A new venv holding only the wheel; the test environment's site-packages is added
    after its own (a path in a .pth file: the .pth files there, such as the editable
    install's hook, are not run), so the dependencies need no download."""
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    site = run(
        str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
    )
    Path(site.strip(), "test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv, python


def test_installed_wheel_finds_its_schemas_and_defaults(tmp_path):
    built = wheel(tmp_path)
    venv, python = fresh_venv(tmp_path)
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        str(built),
        cwd=tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "check.py").write_text(CHECK)
    out = run(str(python), "check.py", str(REPO / "config" / "config.yaml"), cwd=elsewhere)
    got = json.loads(out)
    assert Path(got["file"]).is_relative_to(venv), got["file"]
    assert got["demo"] == []
    assert len(got["broken"]) == 1 and "shard_szie" in got["broken"][0], got["broken"]
    assert got["dedup"]["threshold"] == 10 and got["dedup"]["dhash_threshold"] == 16
    assert {"fdh", "shhq", "deepfashion2", "huge100k", "celeba", "deepfashion_mm"} <= set(
        got["datasets"]
    )
