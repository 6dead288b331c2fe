"""Safe, atomic extraction: good archives in both engines, and every kind of bad archive."""

import hashlib
import io
import os
import stat
import struct
import subprocess
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
import pyzipper

from humanprep.acquire import unpack
from humanprep.acquire.unpack import Limits, extract, native_command, native_tool, verify_tree
from humanprep.errors import HumanprepError

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "s3cret-Pa55"
NATIVE = native_tool()
ENGINES = [
    pytest.param("python", id="python"),
    pytest.param(
        "native", id="native", marks=pytest.mark.skipif(NATIVE is None, reason="no 7zz/7z")
    ),
]
FILES = {
    "data/a.txt": b"alpha\n" * 100,
    "data/sub/b.bin": bytes(range(256)) * 40,
    "top.json": b'{"k": 1}\n',
}


# ------------------------------------------------------------------ archive builders


def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


class ZipCrypto:
    """Traditional PKWARE encryption (APPNOTE 6.1), enough to write test archives."""

    def __init__(self, password):
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _crc(self, crc, byte):
        return (crc >> 8) ^ CRC_TABLE[(crc ^ byte) & 0xFF]

    def _update(self, byte):
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data):
        out = bytearray()
        for byte in data:
            t = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def zipcrypto_zip(path, files, password):
    """A deflated, ZipCrypto-encrypted zip written by hand."""
    body, central = bytearray(), bytearray()
    for name, data in files.items():
        raw = name.encode()
        crc = zlib.crc32(data)
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = comp.compress(data) + comp.flush()
        header = os.urandom(11) + bytes([crc >> 24])
        enc = ZipCrypto(password.encode()).encrypt(header + packed)
        fields = (20, 0x1, 8, 0, 0x21, crc, len(enc), len(data), len(raw), 0)
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + raw + enc
        central += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 0x031E, *fields, 0, 0, 0, 0o100644 << 16, offset
        )
        central += raw
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(files), len(files), len(central), len(body), 0
    )
    path.write_bytes(bytes(body + central + end))
    return path


def plain_zip(path, files, modes=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (modes or {}).get(name, 0o100644) << 16
            zf.writestr(info, data)
    return path


def aes_zip(path, files, password):
    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED) as zf:
        zf.setpassword(password.encode())
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def make_tar(path, entries, mode="w"):
    """entries: (name, type, data-or-linkname)."""
    with tarfile.open(path, mode) as tf:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tf.addfile(info, io.BytesIO(payload))
                continue
            info.type = {
                "dir": tarfile.DIRTYPE,
                "sym": tarfile.SYMTYPE,
                "hard": tarfile.LNKTYPE,
                "chr": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }[kind]
            info.mode = 0o755 if kind == "dir" else 0o644
            if kind in ("sym", "hard"):
                info.linkname = payload
            tf.addfile(info)
    return path


def tree(root):
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out[rel] = os.readlink(full) if os.path.islink(full) else Path(full).read_bytes()
    return out


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def work(tmp_path):
    """A folder holding the archive; each test checks nothing else is left beside it."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def assert_refused(archive, dest, match, **kwargs):
    """Refused with one line naming the archive; no dest, no temporary dir, archive intact."""
    before, listing = sha(archive), sorted(os.listdir(dest.parent))
    with pytest.raises(HumanprepError, match=match) as err:
        extract(archive, dest, **kwargs)
    assert str(archive) in str(err.value)
    assert "\n" not in str(err.value)
    assert not dest.exists()
    assert sorted(os.listdir(dest.parent)) == listing, "something was left behind"
    assert sha(archive) == before, "the archive was modified"
    return str(err.value)


# ------------------------------------------------------------------ good archives


@pytest.mark.parametrize("engine", ENGINES)
def test_plain_zip_extracts_exactly(work, engine):
    archive = plain_zip(work / "a.zip", FILES)
    before = sha(archive)
    names = extract(archive, work / "out", engine=engine)
    assert names == list(FILES)
    assert tree(work / "out") == FILES
    assert sha(archive) == before
    assert sorted(os.listdir(work)) == ["a.zip", "out"]


@pytest.mark.parametrize("engine", ENGINES)
def test_zipcrypto_zip_with_password(work, engine):
    archive = zipcrypto_zip(work / "zc.zip", FILES, PASSWORD)
    assert extract(archive, work / "out", password=PASSWORD, engine=engine) == list(FILES)
    assert tree(work / "out") == FILES


@pytest.mark.parametrize("engine", ENGINES)
def test_aes_zip_with_password(work, engine):
    archive = aes_zip(work / "aes.zip", FILES, PASSWORD)
    assert extract(archive, work / "out", password=PASSWORD, engine=engine) == list(FILES)
    assert tree(work / "out") == FILES


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.gz", "w:gz")])
def test_tar_extracts_exactly(work, suffix, mode):
    entries = [("./data", "dir", None)] + [(f"./{n}", "file", d) for n, d in FILES.items()]
    entries.append(("data/link.txt", "sym", "a.txt"))
    entries.append(("data/hard.txt", "hard", "data/a.txt"))
    archive = make_tar(work / f"t{suffix}", entries, mode)
    names = extract(archive, work / "out")
    assert names == ["data", *FILES, "data/link.txt", "data/hard.txt"]
    got = tree(work / "out")
    assert got == {**FILES, "data/link.txt": "a.txt", "data/hard.txt": FILES["data/a.txt"]}


@pytest.mark.parametrize("engine", ENGINES)
def test_zip_symlink_inside_is_kept(work, engine):
    files = {"d/real.txt": b"x", "d/link": b"real.txt"}
    archive = plain_zip(work / "s.zip", files, modes={"d/link": 0o120777})
    extract(archive, work / "out", engine=engine)
    assert os.readlink(work / "out" / "d" / "link") == "real.txt"


def test_existing_dest_is_replaced_only_on_success(work):
    archive = plain_zip(work / "a.zip", FILES)
    dest = work / "out"
    dest.mkdir()
    (dest / "stale.txt").write_text("old")
    extract(archive, dest, engine="python")
    assert tree(dest) == FILES


# ------------------------------------------------------------------ wrong or missing password


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("builder", [zipcrypto_zip, aes_zip], ids=["zipcrypto", "aes"])
def test_wrong_password_is_one_clear_line(work, engine, builder):
    archive = builder(work / "enc.zip", FILES, PASSWORD)
    wrong = "not-the-Pa55word"
    msg = assert_refused(archive, work / "out", "wrong password", password=wrong, engine=engine)
    assert wrong not in msg and PASSWORD not in msg


def test_encrypted_zip_without_password(work):
    archive = aes_zip(work / "enc.zip", FILES, PASSWORD)
    assert_refused(archive, work / "out", "no password")


@pytest.mark.skipif(NATIVE is None, reason="no 7zz/7z")
def test_native_password_goes_on_stdin_never_argv(work, monkeypatch):
    archive = zipcrypto_zip(work / "zc.zip", FILES, PASSWORD)
    calls, sent = [], []

    class Spy(subprocess.Popen):
        def __init__(self, cmd, *args, **kwargs):
            calls.append((list(cmd), kwargs))
            super().__init__(cmd, *args, **kwargs)

        def communicate(self, input=None, timeout=None):  # noqa: A002 (Popen's own name)
            sent.append(input)
            return super().communicate(input, timeout)

    monkeypatch.setattr(unpack.subprocess, "Popen", Spy)
    monkeypatch.setenv("HUMANPREP_SHHQ_PASSWORD", PASSWORD)
    extract(archive, work / "out", password=PASSWORD, engine="native")
    assert len(calls) == 1
    cmd, kwargs = calls[0]
    assert not any(PASSWORD in arg for arg in cmd)
    assert not any(arg.startswith("-p") for arg in cmd)
    assert sent[0] == (PASSWORD + "\n").encode()
    assert "HUMANPREP_SHHQ_PASSWORD" not in kwargs["env"]
    assert PASSWORD not in " ".join(native_command(NATIVE, archive, work / "x"))


def test_auto_engine_uses_native_for_encrypted_when_present(work, monkeypatch):
    archive = aes_zip(work / "enc.zip", FILES, PASSWORD)
    used = []
    monkeypatch.setattr(unpack, "_extract_zip_native", lambda *a: used.append("native"))
    monkeypatch.setattr(unpack, "_extract_zip_python", lambda *a: used.append("python"))
    monkeypatch.setattr(unpack, "verify_tree", lambda *a: None)
    monkeypatch.setattr(unpack, "native_tool", lambda: "/usr/bin/7zz")
    extract(archive, work / "o1", password=PASSWORD)
    monkeypatch.setattr(unpack, "native_tool", lambda: None)
    extract(archive, work / "o2", password=PASSWORD)
    assert used == ["native", "python"]


# ------------------------------------------------------------------ escapes


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "name,match",
    [
        ("/abs/evil.txt", "absolute path"),
        ("../evil.txt", r"'\.\.' path traversal"),
        ("ok/../../evil.txt", r"'\.\.' path traversal"),
        ("C:/evil.txt", "absolute path"),
        ("dir\\evil.txt", "backslash"),
    ],
)
def test_zip_escaping_names_refused(work, engine, name, match):
    archive = plain_zip(work / "bad.zip", {"fine.txt": b"ok", name: b"evil"})
    msg = assert_refused(archive, work / "out", match, engine=engine)
    assert repr(name) in msg
    assert not (work.parent / "evil.txt").exists()


@pytest.mark.parametrize("engine", ENGINES)
def test_zip_symlink_outside_refused(work, engine):
    files = {"link": b"../../etc/passwd", "f.txt": b"x"}
    archive = plain_zip(work / "s.zip", files, modes={"link": 0o120777})
    assert_refused(
        archive, work / "out", "'link': symlink to '../../etc/passwd' leaves", engine=engine
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_zip_fifo_refused(work, engine):
    archive = plain_zip(work / "f.zip", {"p": b""}, modes={"p": 0o010644})
    assert_refused(archive, work / "out", "'p': device, fifo", engine=engine)


@pytest.mark.parametrize(
    "entries,match",
    [
        ([("/etc/evil", "file", b"x")], "absolute path"),
        ([("../evil", "file", b"x")], "traversal"),
        ([("l", "sym", "/etc/passwd")], "symlink to '/etc/passwd' leaves"),
        ([("d/l", "sym", "../../x")], "symlink to '../../x' leaves"),
        # each link stays inside alone; chained, "b" resolves to ../x
        ([("a", "sym", "."), ("b", "sym", "a/../x")], "'b': symlink to 'a/../x' leaves"),
        ([("loop", "sym", "loop")], "'loop': symlink"),
        ([("l", "sym", "sub"), ("l/f", "file", b"x")], "goes through link 'l'"),
        ([("h", "hard", "../outside")], "'h': hard link to '../outside' leaves"),
        ([("h", "hard", "/etc/passwd")], "'h': hard link to '/etc/passwd' leaves"),
        ([("h", "hard", "nothere")], "not a file of the archive"),
        ([("dev", "chr", None)], "'dev': device or fifo"),
        ([("p", "fifo", None)], "'p': device or fifo"),
        ([("f", "file", b"1"), ("f", "file", b"2")], "'f': appears twice"),
    ],
)
def test_bad_tar_refused(work, entries, match):
    archive = make_tar(work / "bad.tar", [("ok.txt", "file", b"ok"), *entries])
    assert_refused(archive, work / "out", match)


# ------------------------------------------------------------------ limits


@pytest.mark.parametrize("engine", ENGINES)
def test_zip_bomb_refused(work, engine):
    archive = plain_zip(work / "bomb.zip", {"zeros.bin": bytes(20 << 20), "a.txt": b"a"})
    assert os.path.getsize(archive) < 100_000
    msg = assert_refused(
        archive, work / "out", "zip bomb", engine=engine, limits=Limits(max_ratio=200)
    )
    assert "'zeros.bin'" in msg


def test_overall_ratio_refused(work):
    files = {f"z{i}.bin": bytes(512 << 10) for i in range(8)}  # each under the per-member floor
    archive = plain_zip(work / "many.zip", files)
    assert_refused(archive, work / "out", "ratio over", limits=Limits(max_ratio=100))


def test_total_size_refused(work):
    archive = plain_zip(work / "a.zip", FILES)
    assert_refused(archive, work / "out", "max_total_bytes", limits=Limits(max_total_bytes=100))


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_too_many_members_refused(work, kind):
    files = {f"f{i}.txt": b"x" for i in range(5)}
    if kind == "zip":
        archive = plain_zip(work / "m.zip", files)
    else:
        archive = make_tar(work / "m.tar", [(n, "file", d) for n, d in files.items()])
    assert_refused(archive, work / "out", "max_members", limits=Limits(max_members=3))


def test_limits_match_config_schema():
    from humanprep.settings import schema

    props = schema()["properties"]["unpack_limits"]["properties"]
    assert {k: v["default"] for k, v in props.items()} == Limits().__dict__


# ------------------------------------------------------------------ failures mid-way


@pytest.mark.parametrize("engine", ENGINES)
def test_corrupt_member_leaves_nothing(work, engine):
    archive = plain_zip(work / "c.zip", {"a.txt": b"first" * 1000, "b.txt": b"second" * 1000})
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("b.txt")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 2
    data[start] ^= 0xFF
    archive.write_bytes(bytes(data))
    assert_refused(archive, work / "out", "b.txt|CRC|corrupt|Data Error|failed", engine=engine)


def test_verify_tree_catches_extra_missing_and_short_files(work):
    archive = plain_zip(work / "a.zip", FILES)
    with zipfile.ZipFile(archive) as zf:
        members = unpack._zip_members(archive, zf, Limits())
    out = work / "out"
    extract(archive, out, engine="python")
    verify_tree(archive, out, members)
    (out / "extra.txt").write_bytes(b"x")
    with pytest.raises(HumanprepError, match="'extra.txt', which the listing does not have"):
        verify_tree(archive, out, members)
    (out / "extra.txt").unlink()
    (out / "top.json").write_bytes(b"short")
    with pytest.raises(HumanprepError, match="'top.json': extracted 5 bytes"):
        verify_tree(archive, out, members)
    (out / "top.json").unlink()
    with pytest.raises(HumanprepError, match="'top.json' was not extracted"):
        verify_tree(archive, out, members)


def test_verify_tree_drops_setid_and_restores_owner_access(work):
    archive = plain_zip(work / "a.zip", {"x.sh": b"#!/bin/sh\n"})
    with zipfile.ZipFile(archive) as zf:
        members = unpack._zip_members(archive, zf, Limits())
    out = work / "out"
    out.mkdir()
    (out / "x.sh").write_bytes(b"#!/bin/sh\n")
    os.chmod(out / "x.sh", 0o4000)
    verify_tree(archive, out, members)
    assert stat.S_IMODE(os.stat(out / "x.sh").st_mode) == 0o600


def test_not_an_archive(work):
    bogus = work / "x.zip"
    bogus.write_bytes(b"not a zip at all")
    assert_refused(bogus, work / "out", "not a readable zip")
    with pytest.raises(ValueError):
        extract(bogus, work / "out", engine="fast")
