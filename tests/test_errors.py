"""Failures reach the user as one line on stderr, with the traceback in the rule's log; the
operating system's refusals (full disk, permission, read-only) are explained."""

import errno
import io
import logging
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import pyzipper

from humanprep import io as hio
from humanprep import oserrors, runner
from humanprep.acquire import unpack
from humanprep.errors import HumanprepError

ENOSPC = OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def disk(monkeypatch):
    """A file system with 3.5 MB free, whatever the path."""
    usage = SimpleNamespace(total=10**9, used=10**9 - 3_500_000, free=3_500_000)
    monkeypatch.setattr(oserrors.shutil, "disk_usage", lambda path: usage)


def run_failing(tmp_path, capsys, error):
    log = tmp_path / "rule.log"

    def main(smk):
        logging.getLogger("humanprep.stages.x").info("started")
        raise error

    with pytest.raises(SystemExit) as exit_:
        runner.run(SimpleNamespace(log=[str(log)], config={}), main)
    assert exit_.value.code == 1
    return capsys.readouterr().err.strip().splitlines(), log.read_text()


def test_unexpected_error_traceback_in_log_one_line_on_stderr(tmp_path, capsys, root_logging):
    """Before: only HumanprepError was caught; the traceback went to Snakemake's console
    and the rule's log stayed empty."""
    stderr, log = run_failing(tmp_path, capsys, TypeError("'>' not supported"))
    assert stderr == [
        "INFO humanprep.stages.x: started",
        "ERROR humanprep: unexpected TypeError: '>' not supported (a bug in humanprep: the "
        f"traceback is in {tmp_path / 'rule.log'}; please report it)",
    ]
    assert "Traceback (most recent call last)" in log and "raise error" in log
    assert log.splitlines()[0] == "INFO humanprep.stages.x: started"


def test_humanprep_error_one_line(tmp_path, capsys, root_logging):
    stderr, log = run_failing(tmp_path, capsys, HumanprepError("a.zip", "wrong password"))
    assert stderr[-1] == "ERROR humanprep: a.zip: wrong password"
    assert "Traceback" not in "\n".join(stderr) and "Traceback" not in log
    assert log.splitlines()[-1] == "ERROR humanprep: a.zip: wrong password"


def test_full_disk_while_writing_is_one_line_with_the_figures(
    tmp_path, capsys, root_logging, disk, monkeypatch
):
    """Before: coco died with a bare `OSError: [Errno 28]` traceback."""

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hio.Path, "write_bytes", full)
    target = tmp_path / "results" / "coco" / "x.json"
    try:
        hio.write_bytes(target, b"x" * 12_000_000)
    except OSError as err:
        error = err
    stderr, log = run_failing(tmp_path, capsys, error)
    assert stderr[-1] == (
        f"ERROR humanprep: no space left on device writing {target}: about 12 MB needed, "
        "4 MB free (free some space, then rerun: finished outputs are kept)"
    )
    # the line is the whole story: Snakemake prints the log of a failed job (show-failed-logs),
    # and a traceback there buried the line (issue 28)
    assert "Traceback" not in log and log.splitlines()[-1] == stderr[-1]
    assert list(target.parent.iterdir()) == []  # no partial file left


@pytest.mark.parametrize(
    "code, line",
    [
        (errno.EACCES, "permission denied on /r/x (make the folder writable for you, or "),
        (errno.EROFS, "read-only file system writing /r/x (write the results to a writable"),
        (errno.EIO, "/r/x: Input/output error"),
    ],
)
def test_other_os_errors_are_described(code, line):
    assert oserrors.describe(OSError(code, os.strerror(code), "/r/x")).startswith(line)


def test_coco_writer_names_its_file_and_size(tmp_path, disk, monkeypatch):
    from humanprep.coco import writer

    coco = writer.CocoFile(tmp_path / "instances_train.json", {"info": {}})
    coco.images.add(1, {"id": 1, "file_name": "a" * 1000})
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd, *a, **k):
            self.out = real_fdopen(fd, *a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.out.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer.os, "fdopen", Full)
    with pytest.raises(OSError) as err:
        coco.write()
    assert oserrors.describe(err.value).startswith(
        f"no space left on device writing {tmp_path / 'instances_train.json'}: about 0.00 MB"
    )
    assert [p.name for p in tmp_path.iterdir()] == []


# ------------------------------------------------------------------ extraction


def small_tar(path):
    data = b"z" * 2_000_000
    with tarfile.open(path, "w") as tf:
        info = tarfile.TarInfo("data/a.bin")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return path


def test_tar_on_a_full_disk_says_so_not_corrupt(tmp_path, disk, monkeypatch):
    """Before: `corrupt: OSError ...`."""

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    archive = small_tar(tmp_path / "a.tar")
    monkeypatch.setattr(tarfile, "copyfileobj", full)
    with pytest.raises(HumanprepError) as err:
        unpack.extract(archive, tmp_path / "out")
    assert str(err.value) == (
        f"{archive}: cannot extract: no space left on device writing {tmp_path / 'out'}: "
        "about 2 MB needed, 4 MB free (free some space, then rerun: finished outputs are kept)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar"]


def test_tar_truly_corrupt_still_says_corrupt(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    archive = small_tar(tmp_path / "a.tar")
    monkeypatch.setattr(tarfile, "copyfileobj", broken)
    with pytest.raises(HumanprepError, match="corrupt: OSError"):
        unpack.extract(archive, tmp_path / "out")


SEVEN_ZIP_ENOSPC = """
7-Zip (z) 23.01 (x64) : Copyright (c) 1999-2023 Igor Pavlov : 2023-06-20

Scanning the drive for archives:
1 file, 52000 bytes (51 KiB)

Extracting archive: a.zip

ERROR: a.bin : Can not open output file : No space left on device
System ERROR:
errno=28 : No space left on device
"""


def test_seven_zip_failure_keeps_the_os_error_text(tmp_path, disk, monkeypatch):
    """Before: `7zz failed (exit 2): System ERROR:`, the errno line dropped."""
    tool = tmp_path / "7zz"
    (tmp_path / "said.txt").write_text(SEVEN_ZIP_ENOSPC)
    tool.write_text(f"#!/bin/sh\ncat {tmp_path / 'said.txt'} >&2\nexit 2\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(unpack, "native_tool", lambda: str(tool))
    archive = tmp_path / "a.zip"
    with pyzipper.AESZipFile(archive, "w", encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"pw")
        zf.writestr("a.bin", b"z" * 5_000_000)
    with pytest.raises(HumanprepError) as err:
        unpack.extract(archive, tmp_path / "out", password="pw", engine="native")
    assert str(err.value) == (
        f"{archive}: 7zz failed (exit 2): ERROR: a.bin : Can not open output file : No space "
        "left on device; System ERROR:; errno=28 : No space left on device: no space left on "
        f"device writing {tmp_path / 'out'}: about 5 MB needed, 4 MB free (free some space, "
        "then rerun: finished outputs are kept)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["7zz", "a.zip", "said.txt"]


def test_seven_zip_other_failure_is_one_line(tmp_path):
    tool = tmp_path / "7zz"
    tool.write_text("#!/bin/sh\necho 'ERROR: Data Error : a.bin' >&2\nexit 2\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(HumanprepError, match=r"^a.zip: 7zz failed \(exit 2\): ERROR: Data Error"):
        unpack._extract_zip_native(tool, "a.zip", tmp_path, None)


def test_a_real_snakemake_rule_gets_the_traceback_in_its_log(tmp_path):
    """Before: in every crash the rule's log: file was empty."""
    repo = Path(__file__).resolve().parent.parent
    (tmp_path / "Snakefile").write_text(
        'rule boom:\n    output:\n        "x.txt",\n    log:\n        "logs/boom.log",\n'
        '    script:\n        "boom.py"\n'
    )
    (tmp_path / "boom.py").write_text(
        f"import sys\nsys.path.insert(0, {str(repo)!r})\n"
        "from humanprep.runner import run\n\n\n"
        "def main(smk):\n    raise TypeError(\"'>' not supported between 'int' and 'str'\")\n\n\n"
        "run(snakemake, main)\n"
    )
    snakemake = Path(sys.executable).parent / "snakemake"
    res = subprocess.run(
        [str(snakemake), "--cores", "1", "--nolock"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode != 0
    log = (tmp_path / "logs" / "boom.log").read_text()
    assert "Traceback (most recent call last)" in log and "raise TypeError" in log
    line = (
        "ERROR humanprep: unexpected TypeError: '>' not supported between 'int' and 'str' "
        "(a bug in humanprep: the traceback is in logs/boom.log; please report it)"
    )
    assert line in res.stderr and log.startswith(line + "\n")
