"""The deterministic zip writer: plain, ZipCrypto and WinZip AES-256 members, read back by
independent readers (zipfile, pyzipper, Info-ZIP unzip, 7-Zip) and rebuilt byte for byte."""

import io
import shutil
import struct
import subprocess
import zipfile

import pytest
import pyzipper

from humanprep.demo.ziputil import (
    AES,
    DEFLATED,
    NO_ENCRYPTION,
    STORED,
    ZIPCRYPTO,
    Member,
    write_zip,
    zip_bytes,
)

PASSWORD = "s3cret-demo"
DATA = {
    "top/a/random.bin": bytes(range(256)) * 40,
    "top/a/text.txt": b"hello zip\n" * 300,
    "top/empty.txt": b"",
    "top/b/small.json": b'{"x": 1}',
}
needs_7zz = pytest.mark.skipif(shutil.which("7zz") is None, reason="7zz not installed")
needs_unzip = pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip not installed")


def _archive(tmp_path, encryption, name="a.zip", **options):
    members = list(DATA.items())
    return write_zip(tmp_path / name, members, password=PASSWORD, encryption=encryption, **options)


def _mixed():
    return [
        Member("m/plain-stored.txt", b"plain " * 50, STORED, NO_ENCRYPTION),
        Member("m/plain-deflate.txt", b"plain " * 50, DEFLATED, NO_ENCRYPTION),
        Member("m/zc-stored.txt", b"zipcrypto " * 50, STORED, ZIPCRYPTO),
        Member("m/zc-deflate.txt", b"zipcrypto " * 50, DEFLATED, ZIPCRYPTO),
        Member("m/aes-stored.txt", b"aes " * 50, STORED, AES),
        Member("m/aes-deflate.txt", b"aes " * 50, DEFLATED, AES),
    ]


def test_plain_archive_layout_fixed_dates_and_directories(tmp_path):
    path = _archive(tmp_path, NO_ENCRYPTION)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names == sorted(names)
        assert {"top/", "top/a/", "top/b/"} <= set(names)
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0) and info.create_system == 3
            assert not info.flag_bits & 1
            if info.is_dir():
                assert info.external_attr >> 16 == 0o040755
            else:
                assert info.external_attr >> 16 == 0o100644
                assert zf.read(info) == DATA[info.filename]
    no_dirs = zip_bytes(DATA.items(), directories=False)
    assert zipfile.ZipFile(io.BytesIO(no_dirs)).namelist() == sorted(DATA)


def test_zipcrypto_read_by_zipfile_and_wrong_password_fails(tmp_path):
    path = _archive(tmp_path, ZIPCRYPTO)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            assert bool(info.flag_bits & 1) == (not info.is_dir())
        for name, data in DATA.items():
            assert zf.read(name, pwd=PASSWORD.encode()) == data
        with pytest.raises(RuntimeError, match="password"):
            zf.read("top/a/text.txt")
        with pytest.raises(RuntimeError, match="Bad password"):
            zf.read("top/a/text.txt", pwd=b"wrong")


def test_aes_read_by_pyzipper_and_wrong_password_fails(tmp_path):
    path = _archive(tmp_path, AES)
    with zipfile.ZipFile(path) as zf:  # the standard library sees method 99 and 0x9901
        for info in zf.infolist():
            if info.is_dir():
                assert info.compress_type == 0 and not info.flag_bits & 1
                continue
            assert info.compress_type == 99 and info.flag_bits & 1 and info.CRC == 0
            header, size, version, vendor, strength, method = struct.unpack(
                "<HHH2sBH", info.extra[:11]
            )
            assert (header, size, version, vendor, strength, method) == (
                0x9901, 7, 2, b"AE", 3, 8,
            )  # fmt: skip
    with pyzipper.AESZipFile(path) as zf:
        zf.setpassword(PASSWORD.encode())
        for name, data in DATA.items():
            assert zf.read(name) == data
        zf.setpassword(b"wrong")
        with pytest.raises(RuntimeError, match="[Bb]ad password"):
            zf.read("top/a/text.txt")


def test_mixed_members_per_member_settings(tmp_path):
    path = write_zip(tmp_path / "m.zip", _mixed(), password=PASSWORD)
    with pyzipper.AESZipFile(path) as zf:
        zf.setpassword(PASSWORD.encode())
        for member in _mixed():
            info = zf.getinfo(member.name)
            assert info.compress_type == (0 if member.compression == STORED else 8)
            assert bool(info.flag_bits & 1) == (member.encryption != NO_ENCRYPTION)
            assert zf.read(member.name) == member.data


@needs_7zz
@pytest.mark.parametrize("encryption", [ZIPCRYPTO, AES, "mixed"])
def test_7zz_tests_ok_with_password_and_fails_without(tmp_path, encryption):
    if encryption == "mixed":
        path = write_zip(tmp_path / "m.zip", _mixed(), password=PASSWORD)
    else:
        path = _archive(tmp_path, encryption)
    ok = subprocess.run(["7zz", "t", f"-p{PASSWORD}", str(path)], capture_output=True, text=True)
    assert ok.returncode == 0 and "Everything is Ok" in ok.stdout, ok.stdout + ok.stderr
    bad = subprocess.run(["7zz", "t", "-pwrong", str(path)], capture_output=True, text=True)
    assert bad.returncode != 0
    if encryption == AES:
        listing = subprocess.run(
            ["7zz", "l", "-slt", f"-p{PASSWORD}", str(path)], capture_output=True, text=True
        ).stdout
        assert "Method = AES-256 Deflate" in listing


@needs_unzip
def test_unzip_tests_zipcrypto(tmp_path):
    path = _archive(tmp_path, ZIPCRYPTO)
    ok = subprocess.run(["unzip", "-t", "-P", PASSWORD, str(path)], capture_output=True, text=True)
    assert ok.returncode == 0 and "No errors detected" in ok.stdout, ok.stdout
    bad = subprocess.run(["unzip", "-t", "-P", "wrong", str(path)], capture_output=True, text=True)
    assert bad.returncode != 0


def test_byte_identical_for_a_seed_and_different_salts_across_seeds(tmp_path):
    for encryption in (NO_ENCRYPTION, ZIPCRYPTO, AES):
        a = zip_bytes(DATA.items(), password=PASSWORD, encryption=encryption, seed=0)
        b = zip_bytes(reversed(list(DATA.items())), password=PASSWORD, encryption=encryption)
        c = zip_bytes(DATA.items(), password=PASSWORD, encryption=encryption, seed=1)
        assert a == b, encryption
        assert (a == c) == (encryption == NO_ENCRYPTION), encryption
    path = _archive(tmp_path, AES)
    assert path.read_bytes() == _archive(tmp_path, AES, name="b.zip").read_bytes()


def test_errors():
    with pytest.raises(ValueError, match="duplicate"):
        zip_bytes([("a", b"1"), ("a", b"2")])
    with pytest.raises(ValueError, match="needs a password"):
        zip_bytes([("a", b"1")], encryption=AES)
    with pytest.raises(ValueError, match="has data"):
        zip_bytes([("d/", b"1")])
    with pytest.raises(ValueError, match="unknown encryption"):
        zip_bytes([("a", b"1")], password="x", encryption="rot13")
    with pytest.raises(ValueError, match="unknown compression"):
        zip_bytes([Member("a", b"1", "bzip2")])
