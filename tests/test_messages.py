"""Messages that say what is true (issue 28): the gate's fix-it line names the registry the
run uses, `register` refuses an archive it cannot list completely, a sparse member is called
sparse, and "wrong password" is said only when the password check says so."""

import io
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from test_preflight_config import dry_run
from test_unpack import FILES, PASSWORD, zipcrypto_zip
from test_workflow import full_size_config

from humanprep import cli
from humanprep.acquire.gate import check_acceptance
from humanprep.acquire.tarindex import build_index
from humanprep.acquire.unpack import NATIVE_TOOLS, extract
from humanprep.datasets.huge100k import demo as demo_huge100k
from humanprep.errors import HumanprepError

REPO = Path(__file__).resolve().parent.parent
NATIVE = next((t for t in NATIVE_TOOLS if shutil.which(t)), None)
ENGINES = ["python"] + (["native"] if NATIVE else [])


# ------------------------------------------------------------------ the gate's fix-it line


def test_fix_it_line_names_a_registry_dir_only_when_it_is_not_the_default():
    terms = REPO / "terms" / "fdh.md"
    with pytest.raises(HumanprepError) as err:
        check_acceptance("fdh", None, terms, "0" * 64, "/data/my registry")
    assert "--registry-dir '/data/my registry'` and paste" in str(err.value)
    with pytest.raises(HumanprepError) as err:
        check_acceptance("fdh", None, terms, "0" * 64)
    assert "--registry-dir" not in str(err.value)


def test_fix_it_line_followed_literally_is_accepted(tmp_path, capsys, monkeypatch):
    """Before: the line omitted --registry-dir; followed literally with a custom registry_dir,
    it printed an acceptance for registry/upstream, refused again."""
    for name in ("HUMANPREP_SHHQ_PASSWORD", "HUMANPREP_DEEPFASHION2_PASSWORD"):
        monkeypatch.setenv(name, "x")
    config_path = full_size_config(tmp_path)
    config = yaml.safe_load(config_path.read_text())
    del config["agreements"]["fdh"]
    config_path.write_text(yaml.safe_dump(config))
    res = dry_run(tmp_path, "--configfile", config_path)
    assert res.returncode != 0
    command = re.search(r"run `(humanprep accept fdh [^`]*)`", res.stdout + res.stderr).group(1)
    registry = config["registry_dir"]
    assert command == f'humanprep accept fdh --by "Name <email>" --registry-dir {registry}'
    argv = ["accept", "fdh", "--by", "Test User <t@lab.org>", "--registry-dir", registry]
    assert cli.main(argv) == 0
    snippet = capsys.readouterr().out
    config["agreements"]["fdh"] = yaml.safe_load(snippet.split("config.\n", 1)[1])["fdh"]
    config_path.write_text(yaml.safe_dump(config))
    res = dry_run(tmp_path, "--configfile", config_path, "--quiet", "rules")
    assert res.returncode == 0, res.stdout[-2000:]


# ------------------------------------------------------------------ register lists completely


def tar_bytes(sizes):
    """A tar of demo HuGe100K videos (one item each), one member per size."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for i, size in enumerate(sizes):
            mp4 = demo_huge100k.member_paths(*demo_huge100k.SUBJECTS[i])[1]
            info = tarfile.TarInfo(mp4)
            info.size = size
            tar.addfile(info, io.BytesIO(bytes([i + 1]) * size))
    return bytearray(buf.getvalue())


def tar_with_bad_header(path):
    """Three members of two data blocks each; the second one's header checksum is wrong."""
    data = tar_bytes([600, 600, 600])
    at = 512 + 1024  # the second member's header
    data[at + 148 : at + 156] = b"0000000\0"  # its checksum field
    path.write_bytes(bytes(data))
    return path


def test_register_refuses_a_tar_it_cannot_list_completely(tmp_path, capsys):
    """Before: tarfile stopped silently at the bad header and `register` recorded the items
    before it (0 here, with no warning)."""
    archive = tar_with_bad_header(tmp_path / "flux_batch1.tar")
    registry = tmp_path / "registry"
    argv = ["register", "huge100k", str(archive), "--registry-dir", str(registry)]
    assert cli.main([*argv, "--published-dir", ""]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"humanprep: {archive}: cannot list the archive completely: a bad member header at "
        "byte 1536 after 1 members (damaged or truncated; download it again)"
    )
    assert not (registry / "huge100k.tsv").exists()


def test_register_counts_an_intact_tar(tmp_path, capsys):
    archive = tmp_path / "flux_batch1.tar"
    archive.write_bytes(bytes(tar_bytes([600, 600, 600])))
    registry = tmp_path / "registry"
    argv = ["register", "huge100k", str(archive), "--registry-dir", str(registry)]
    assert cli.main([*argv, "--published-dir", ""]) == 0
    assert ", 3 items, tar)" in capsys.readouterr().out


# ------------------------------------------------------------------ sparse members


@pytest.mark.skipif(shutil.which("tar") is None, reason="needs GNU tar")
@pytest.mark.parametrize("version", ["0.0", "0.1", "1.0"])
def test_pax_sparse_member_is_called_sparse(tmp_path, version):
    """Before: `member 'big.bin': unsupported type b'0'`."""
    big = tmp_path / "src" / "big.bin"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.truncate(1 << 20)
        fh.seek(1 << 19)
        fh.write(b"data")
    archive = tmp_path / "s.tar"
    subprocess.run(
        ["tar", "--sparse", f"--sparse-version={version}", "--format=pax", "-cf", str(archive),
         "-C", str(big.parent), "big.bin"],
        check=True,
    )  # fmt: skip
    with pytest.raises(HumanprepError) as err:
        build_index(archive, tmp_path / "index")
    assert str(err.value) == (
        f"{archive}: member 'big.bin': a sparse file (GNU or pax sparse format), which is not "
        "read in place; re-create the archive without --sparse"
    )
    assert not (tmp_path / "index").exists()


# ------------------------------------------------------------------ wrong password


def damaged_zipcrypto(path):
    """The right password passes the member's check byte, then its data is damaged."""
    zipcrypto_zip(path, FILES, PASSWORD)
    data = bytearray(path.read_bytes())
    first = list(FILES)[0].encode()
    data[30 + len(first) + 12 + 3] ^= 0x55  # inside the first member's encrypted data
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_damaged_member_is_not_called_a_wrong_password(tmp_path, engine):
    """Before: `wrong password`, though the password was right (its check passed)."""
    archive = damaged_zipcrypto(tmp_path / "zc.zip")
    with pytest.raises(HumanprepError) as err:
        extract(archive, tmp_path / "out", password=PASSWORD, engine=engine)
    first = list(FILES)[0]
    assert str(err.value) == f"{archive}: wrong password or damaged member {first!r}"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_failed_password_check_is_a_wrong_password(tmp_path, engine):
    archive = zipcrypto_zip(tmp_path / "zc.zip", FILES, PASSWORD)
    with pytest.raises(HumanprepError) as err:
        extract(archive, tmp_path / "out", password="not-it-0", engine=engine)
    assert str(err.value) == f"{archive}: wrong password"


# ------------------------------------------------------------------ Ctrl-C while importing


def test_ctrl_c_while_a_script_imports_is_quiet(tmp_path):
    """A job interrupted before it reaches humanprep.runner (still importing) stops with
    status 130 and prints nothing: scripts/_humanprep.py, imported first, sees to it."""
    script = tmp_path / "job.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(REPO / 'scripts')!r})\n"
        "import _humanprep  # noqa: F401\n"
        "print('ready', file=sys.stderr, flush=True)\nsys.stdin.read()\n"
    )
    import signal

    proc = subprocess.Popen(
        [sys.executable, str(script)], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == ""
