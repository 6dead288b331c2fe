"""Apply each one-line mutant of the protective code (docs/mutants.md) in turn, run the tests
that cover it, and report how many fail: every mutant must be killed by at least two.

    .venv/bin/python tools/mutants.py            # all mutants
    .venv/bin/python tools/mutants.py M1 M5      # some

Each mutant is an exact text replacement in one file, undone afterwards (also on Ctrl-C or
an error); a mutant whose text is no longer found is reported as stale, so the list is kept
in step with the code. Exit status 1 when any mutant is killed by fewer than two tests or is
stale. Run it from a clean checkout: it edits the package files in place while it runs.
"""

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEEDED = 2


@dataclass(frozen=True)
class Mutant:
    key: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple


MUTANTS = [
    Mutant(
        "M1",
        "record_first_use overwrites a complete overlay record (conflict check inverted)",
        "humanprep/acquire/registry.py",
        "if old and old.complete and (old.size, old.sha256)",
        "if old and not old.complete and (old.size, old.sha256)",
        ("tests/test_registry.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M2",
        "the published md5 is not compared at verify",
        "humanprep/acquire/registry.py",
        'for name in ("sha256", "md5"):',
        'for name in ("sha256",):',
        ("tests/test_registry.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M2b",
        "register records a file that contradicts the published md5",
        "humanprep/acquire/registry.py",
        'for name in ("size", "sha256", "md5"):\n        want = getattr(published, name)',
        'for name in ("size", "sha256"):\n        want = getattr(published, name)',
        ("tests/test_registry.py", "tests/test_cli.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M3",
        "the passwords file's mode check ignores group bits",
        "humanprep/acquire/secrets.py",
        "if info.st_mode & 0o077:",
        "if info.st_mode & 0o007:",
        ("tests/test_secrets.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M4",
        "duplicate members are let through (extract and the zip index)",
        "humanprep/acquire/unpack.py",
        'if previous is not None and not (previous == m.kind == "dir"):',
        "if False:",
        ("tests/test_unpack.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M5",
        "the tar header checksum is not checked (headers read without tarfile)",
        "humanprep/acquire/tarindex.py",
        "if _value(head[148:156]) != _byte_sum(head) - sum(head[148:156]) + 8 * 32:",
        "if False:",
        ("tests/test_tarindex.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M6",
        "DeepFashion2 boxes go to COCO as x2, y2 instead of width, height",
        "humanprep/coco/deepfashion2.py",
        "w, h = num(x2 - x1), num(y2 - y1)",
        "w, h = num(x2), num(y2)",
        ("tests/test_coco.py", "tests/test_coco_df2_official.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M7",
        "a changed release under the same version is accepted",
        "humanprep/release/build.py",
        "if not same_release(built, dest):",
        "if False:",
        ("tests/test_release.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M8",
        "FDH's NSID opt-out is ignored",
        "humanprep/normalise/fdh.py",
        'if meta.get("user_nsid") in ctx["opt_out"]:',
        "if False:",
        ("tests/test_normalise_shhq_df2.py", "tests/test_second_catch.py"),
    ),
    Mutant(
        "M9",
        "a raw file changed since it was verified is read anyway (issue 28)",
        "humanprep/acquire/identity.py",
        "    if differ:",
        "    if False:",
        ("tests/test_identity.py",),
    ),
]


def failed_tests(tests):
    """The node ids pytest reports as failed (or erroring) for these test files."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider", *tests]
    res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    return re.findall(r"^(?:FAILED|ERROR) (\S+)", res.stdout, flags=re.MULTILINE)


def run(mutant):
    path = REPO / mutant.path
    original = path.read_text()
    if original.count(mutant.old) != 1:
        return None
    try:
        path.write_text(original.replace(mutant.old, mutant.new))
        return failed_tests(mutant.tests)
    finally:
        path.write_text(original)


def main(keys):
    chosen = [m for m in MUTANTS if not keys or m.key in keys]
    bad = 0
    for mutant in chosen:
        killers = run(mutant)
        if killers is None:
            print(f"{mutant.key} STALE: {mutant.old!r} not found once in {mutant.path}")
            bad += 1
            continue
        verdict = "ok" if len(killers) >= NEEDED else "WEAK"
        bad += verdict != "ok"
        print(f"{mutant.key} {verdict}: killed by {len(killers)} test(s): {mutant.what}")
        for test in killers:
            print(f"    {test}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
