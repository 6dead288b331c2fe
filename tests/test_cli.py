"""The `humanprep` command: no traceback for a user's mistake, help for everything."""

import argparse
import subprocess
import sys

import pytest

from humanprep import __version__, cli


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"humanprep {__version__}\n"


def subcommands():
    parser = cli.build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices


def test_every_subcommand_and_argument_is_described():
    choices = subcommands()
    assert set(choices) == {"register", "accept", "verify-release", "export", "diff"}
    for name, sub in choices.items():
        assert sub.description and len(sub.description) > 40, name
        for action in sub._actions:
            assert action.help, (name, action.dest)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["diff", "/no/such/old", "/no/such/new"], "argument old: /no/such/old does not exist"),
        (["verify-release", "/no/such/release"], "/no/such/release does not exist"),
        (["register", "fdh", "/no/such.tar"], "argument files: /no/such.tar: no such file"),
    ],
)
def test_missing_paths_are_a_usage_line_not_a_traceback(argv, message, capsys):
    """Before: a raw FileNotFoundError traceback."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and "Traceback" not in err


def test_folder_that_is_not_a_release(tmp_path, capsys):
    assert cli.main(["verify-release", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"humanprep: {tmp_path}: no manifest.json here: not a release folder\n"
    )
    assert cli.main(["diff", str(tmp_path), str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"humanprep: {tmp_path}: no manifest.json here: not a release folder\n"
    )


def test_the_installed_command_shows_no_traceback(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "humanprep", "diff", str(tmp_path / "a"), str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.splitlines()[-1].startswith("humanprep diff: error: argument old:")
