"""CPU seconds (user + sys) of `snakemake -n --quiet` on the demo, side by side with one-rule
Snakefiles: what humanprep's parse and plan cost on top of Snakemake's own start.

    python bench/parse_cpu.py [--runs 5] [--ref main] [SETTLED_DIR]

Each figure is the best of --runs (a loaded machine only ever adds CPU time). Measured:
a one-rule Snakefile with a shell rule, one with a script rule (Snakemake imports nbformat,
and with it jsonschema, for any workflow with a script: rule), a fresh clone of this
checkout's commit --ref (HEAD; nothing built: the demo's 110 jobs planned), and SETTLED_DIR when
given (a demo already built there: nothing to do). Prints one JSON line.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-n", "--quiet"]
SHELL_RULE = 'rule all:\n    output:\n        "a.txt",\n    shell:\n        "touch {output}"\n'
SCRIPT_RULE = 'rule all:\n    output:\n        "a.txt",\n    script:\n        "s.py"\n'


def cpu_seconds(folder):
    """User + sys CPU of one dry run in `folder` (the child's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(SNAKEMAKE, cwd=folder, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_rule(folder, text):
    folder.mkdir()
    (folder / "Snakefile").write_text(text)
    (folder / "s.py").write_text("")
    return folder


def fresh_clone(folder, ref):
    """A commit's tree, as a clone has it (no .snakemake, no results)."""
    folder.mkdir()
    tar = subprocess.run(["git", "archive", ref], cwd=REPO, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=tar.stdout, check=True)
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settled", nargs="?", help="a folder where the demo was built")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ref", default="HEAD", help="the commit cloned (default HEAD)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folders = {
            "one_rule_shell": one_rule(Path(tmp, "shell"), SHELL_RULE),
            "one_rule_script": one_rule(Path(tmp, "script"), SCRIPT_RULE),
            "demo_fresh_clone": fresh_clone(Path(tmp, "clone"), args.ref),
        }
        if args.settled:
            folders["demo_settled"] = Path(args.settled)
        # interleaved rounds: a burst of load on the machine hits every case alike
        found = {name: float("inf") for name in folders}
        for _ in range(args.runs):
            for name, folder in folders.items():
                if name == "demo_fresh_clone":  # as cloned: no code walks cached yet
                    shutil.rmtree(folder / ".snakemake", ignore_errors=True)
                found[name] = min(found[name], cpu_seconds(folder))
    found = {name: round(seconds, 2) for name, seconds in found.items()}
    base = found["one_rule_shell"]
    extra = {
        f"{k}_over_shell": round(v - base, 2) for k, v in found.items() if k != "one_rule_shell"
    }
    load = round(os.getloadavg()[0], 1)
    print(json.dumps({**found, **extra, "ref": args.ref, "runs": args.runs, "load": load}))


if __name__ == "__main__":
    main()
