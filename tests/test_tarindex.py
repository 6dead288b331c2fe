"""Plain tars read in place: the index pass against Python's tarfile (an independent
reader) and the unpacking safety rules, member by member."""

import io
import random
import shutil
import subprocess
import tarfile

import pytest

from humanprep import listing
from humanprep.acquire import tarindex
from humanprep.acquire.tarindex import build_index
from humanprep.acquire.unpack import Limits
from humanprep.errors import HumanprepError
from humanprep.members import TarIndex, member_ref, read_member

R, D, S, H = tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE


def make_tar(path, members, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(path, "w", format=fmt) as tf:
        for name, data, kind, link in members:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, link or ""
            if kind == R:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if kind == R else None)
    return path


MIXED = [
    ("d", b"", D, None),
    ("d/a.png", b"x" * 700, R, None),
    ("./d/b.npy", b"yy", R, None),
    ("d/" + "long" * 40 + ".png", b"z" * 5, R, None),  # pax (or GNU long name) header
    ("d/\u00e9t\u00e9.txt", b"e", R, None),  # non-ASCII: a pax header in PAX format
    ("d/link", b"", S, "a.png"),
    ("d/hard", b"", H, "d/a.png"),
    ("e/./f//g", b"g", R, None),
    ("empty", b"", R, None),
]


def listed(index_dir):
    return {name: (kind, off, size) for name, kind, off, size in TarIndex(index_dir).members()}


@pytest.mark.parametrize("read_size", [1024, 8 << 20])  # 1024: members cross the buffer
@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_index_matches_tarfile(tmp_path, monkeypatch, fmt, read_size):
    monkeypatch.setattr(tarindex, "READ_SIZE", read_size)
    members = [m for m in MIXED if fmt != tarfile.USTAR_FORMAT or len(m[0].encode()) < 100]
    tar = make_tar(tmp_path / "a.tar", members, fmt)
    summary = build_index(tar, tmp_path / "idx")
    got = listed(tmp_path / "idx")
    with tarfile.open(tar) as tf:
        want = {}
        for info in tf.getmembers():
            name = "/".join(p for p in info.name.split("/") if p not in ("", "."))
            want[name] = info
        assert set(got) == set(want)
        for name, (kind, off, size) in got.items():
            info = want[name]
            if kind == "dir":
                assert info.isdir()
                continue
            data = tf.extractfile(info).read()  # links: tarfile follows them too
            assert read_member(member_ref(tar, off, size, name)) == data, name
    assert summary["members"] == len(members)
    assert summary["files"] == sum(1 for m in members if m[2] == R)


def test_plain_headers_are_read_without_tarfile(tmp_path, monkeypatch):
    monkeypatch.setattr(tarindex, "READ_SIZE", 4096)  # many buffer boundaries
    members = [(f"s/{i:05d}.{r}", bytes([i % 251]) * (i % 900), R, None)
               for i in range(300) for r in ("png", "npy")]  # fmt: skip
    tar = make_tar(tmp_path / "b.tar", members)
    slow = []
    real_slow = tarindex._Pass.slow

    def counted(self, pos, head):
        slow.append(pos)
        return real_slow(self, pos, head)

    monkeypatch.setattr(tarindex._Pass, "slow", counted)
    build_index(tar, tmp_path / "idx")
    with tarfile.open(tar) as tf:
        last = tf.getmembers()[-1]
    end = last.offset_data + -(-last.size // 512) * 512
    assert slow == [end]  # tarfile only for the end-of-archive blocks
    got = listed(tmp_path / "idx")
    with tarfile.open(tar) as tf:
        for info in tf.getmembers():
            kind, off, size = got[info.name]
            assert (off, size) == (info.offset_data, info.size)
    assert len(got) == len(members)


@pytest.mark.parametrize("read_size", [4096, 32768, 8 << 20])
def test_data_that_looks_like_headers_and_dotted_names(tmp_path, monkeypatch, read_size):
    """Members holding tars (blocks with the ustar magic that are data, not headers) and
    names with dots at their ends: listed as tarfile lists them, whatever the buffer."""
    monkeypatch.setattr(tarindex, "READ_SIZE", read_size)
    inner = make_tar(tmp_path / "inner.tar", [(f"i{i}", b"q" * i, R, None) for i in range(9)],
                     tarfile.USTAR_FORMAT).read_bytes()  # fmt: skip
    members = []
    for i in range(40):
        members.append((f"t/{i:03d}.tar", inner[: 512 * (i % 7 + 1)], R, None))
        members.append((f"t/.hidden{i}", b"h", R, None))
        members.append((f"t/x{i}.", b"", R, None))
        members.append((f"t/a..b{i}", b"ab" * i, R, None))
    tar = make_tar(tmp_path / "c.tar", members, tarfile.USTAR_FORMAT)
    build_index(tar, tmp_path / "idx")
    got = listed(tmp_path / "idx")
    with tarfile.open(tar) as tf:
        want = {i.name: (i.offset_data, i.size) for i in tf.getmembers()}
    assert {n: (off, size) for n, (_, off, size) in got.items()} == want


BAD = [
    ([("../x", b"", R, None)], "'..' path traversal"),
    ([("/abs", b"", R, None)], "absolute path"),
    ([("a\\b", b"", R, None)], "backslash"),
    ([("x/..", b"", R, None)], "'..' path traversal"),
    ([("a", b"1", R, None), ("a", b"2", R, None)], "appears twice"),
    ([("a", b"1", R, None), ("./a", b"2", R, None)], "appears twice"),
    ([("a", b"1", R, None), ("a/b", b"2", R, None)], "parent 'a' is a file"),
    ([("l", b"", S, "../../etc")], "leaves the archive"),
    ([("l", b"", S, "d"), ("l/x", b"1", R, None)], "path goes through link 'l'"),
    ([("h", b"", H, "nope")], "not a file of the archive"),
    ([("h", b"", H, "../x")], "leaves the archive"),
    ([("dev", b"", tarfile.CHRTYPE, None)], "device or fifo"),
    ([("fifo", b"", tarfile.FIFOTYPE, None)], "device or fifo"),
]


@pytest.mark.parametrize("members, problem", BAD, ids=[b[1] for b in BAD])
def test_unsafe_members_are_refused(tmp_path, members, problem):
    tar = make_tar(tmp_path / "bad.tar", members)
    with pytest.raises(HumanprepError, match=problem):
        build_index(tar, tmp_path / "idx")
    assert not (tmp_path / "idx").exists()


def _kind(info):
    tests = {"file": info.isreg, "dir": info.isdir, "symlink": info.issym, "hardlink": info.islnk}
    return next((kind for kind, test in tests.items() if test()), "other")


def tarfile_listing(path):
    """{normalised name: (kind, data offset, size)} as tarfile reads the archive, or None
    when tarfile refuses it or stops before its end (at a header it cannot read)."""
    try:
        with tarfile.open(path) as tf:
            infos = tf.getmembers()
            end = tf.offset
    except tarfile.TarError:
        return None
    data = path.read_bytes()
    if any(data[end : end + 512]):
        return None
    return {
        "/".join(p for p in i.name.split("/") if p not in ("", ".")): (
            _kind(i),
            i.offset_data,
            i.size if i.isreg() else 0,
        )
        for i in infos
    }


def refused_or_as_tarfile(tar, dest):
    """Index `tar`: True when refused, else assert it is listed as tarfile lists it."""
    try:
        build_index(tar, dest)
    except HumanprepError:
        return True
    want = tarfile_listing(tar)
    assert want is not None, "indexed a tar tarfile does not read to its end"
    got = listed(dest)
    assert {n: k for n, (k, _, _) in got.items()} == {n: k for n, (k, _, _) in want.items()}
    plain = {n: v for n, v in want.items() if v[0] in ("file", "dir")}  # links: resolved
    assert {n: got[n] for n in plain} == plain
    return False


@pytest.mark.parametrize("glob", [{"path": "same"}, {"size": "1"}, {"comment": "git"}])
def test_a_pax_global_header_applies_to_every_later_member(tmp_path, glob):
    """tarfile applies a global header's fields to every member after it, plain ustar
    headers too: two members become 'same' (refused), or a size changes (indexed so)."""
    members = [("a", b"xyz", R, None), ("b", b"xyz", R, None)]
    tar = tmp_path / "g.tar"
    with tarfile.open(tar, "w", format=tarfile.PAX_FORMAT, pax_headers=glob) as tf:
        for name, data, _, _ in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    refused = refused_or_as_tarfile(tar, tmp_path / "idx")
    assert refused == ("path" in glob)
    if "size" in glob:
        assert [m[3] for m in TarIndex(tmp_path / "idx").members()] == [1, 1]


def test_byte_sum_is_the_sum_of_the_bytes():
    rng = random.Random(0)
    blocks = [bytes(512), b"\xff" * 512, *(rng.randbytes(512) for _ in range(100))]
    assert [tarindex._byte_sum(b) for b in blocks] == [sum(b) for b in blocks]


def _with_checksum(head):
    head[148:156] = b" " * 8
    head[148:156] = b"%06o\x00 " % sum(head)
    return head


# bytes of a header tarfile reads: name, number fields, type, magic, device numbers, prefix
MUTATED_AT = [0, 1, 99, *range(100, 148), 156, *range(257, 265), *range(329, 346)]


@pytest.mark.parametrize("at", MUTATED_AT)
def test_a_changed_header_byte_is_refused_or_read_as_tarfile_reads_it(tmp_path, at):
    """The second of three members' header with one byte changed (its checksum made
    right again): whatever the byte, the tar is refused or indexed exactly as tarfile
    lists it (and never indexed where tarfile stops reading)."""
    tar = make_tar(tmp_path / "a.tar", [(f"d/m{i}", b"abc" * i, R, None) for i in (1, 2, 3)],
                   tarfile.USTAR_FORMAT)  # fmt: skip
    data = bytearray(tar.read_bytes())
    indexed = 0
    for value in b"78 \x00x/.\xff":
        changed = bytearray(data)
        changed[1024 + at] = value
        changed[1024:1536] = _with_checksum(changed[1024:1536])
        path = tmp_path / f"{value}.tar"
        path.write_bytes(changed)
        indexed += not refused_or_as_tarfile(path, tmp_path / f"idx{value}")
    if 100 <= at < 124 or 136 <= at < 148:  # mode, uid, gid, mtime: an octal digit is fine
        assert indexed >= 1


def libarchive_layout(tar):
    """Rewrite the number fields of a one-member tar as libarchive (bsdtar) lays them out:
    "000644 \\0" where tarfile writes "0000644\\0", "00000000005 " for "00000000005\\0"."""
    data = bytearray(tar.read_bytes())
    info = tarfile.TarInfo.frombuf(bytes(data[:512]), "utf-8", "surrogateescape")
    for at, value in ((100, info.mode), (108, info.uid), (116, info.gid), (329, 0), (337, 0)):
        data[at : at + 8] = b"%06o \x00" % value
    data[124:136], data[136:148] = b"%011o " % info.size, b"%011o " % info.mtime
    data[:512] = _with_checksum(data[:512])
    tar.write_bytes(data)


def gnu_tar(tar, fmt):
    src = tar.parent / "src"
    (src / "d").mkdir(parents=True)
    (src / "d" / "x").write_bytes(b"12345")
    subprocess.run(["tar", f"--format={fmt}", "-cf", str(tar), "-C", str(src), "d"], check=True)


WRITERS = {
    "libarchive": libarchive_layout,
    "gnu tar, gnu": lambda tar: gnu_tar(tar, "gnu"),
    "gnu tar, ustar": lambda tar: gnu_tar(tar, "ustar"),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_headers_as_other_writers_fill_them_are_read_here(tmp_path, monkeypatch, writer):
    """Number fields as libarchive and GNU tar lay them out (GNU tar leaves the device
    numbers empty): read without tarfile, as tarfile reads them."""
    if writer.startswith("gnu") and shutil.which("tar") is None:
        pytest.skip("needs GNU tar")
    tar = make_tar(tmp_path / "a.tar", [("x", b"12345", R, None)], tarfile.USTAR_FORMAT)
    WRITERS[writer](tar)
    slow = []
    monkeypatch.setattr(tarindex._Pass, "slow", lambda self, pos, head: slow.append(pos))
    assert not refused_or_as_tarfile(tar, tmp_path / "idx")
    assert len(slow) == 1 and not any(tar.read_bytes()[slow[0] : slow[0] + 512])  # the end


def test_limits_and_damage(tmp_path):
    tar = make_tar(tmp_path / "a.tar", [(f"{i}", b"x", R, None) for i in range(5)])
    with pytest.raises(HumanprepError, match="max_members"):
        build_index(tar, tmp_path / "i1", Limits(max_members=4))
    with pytest.raises(HumanprepError, match="max_total_bytes"):
        build_index(tar, tmp_path / "i2", Limits(max_total_bytes=4))
    data = bytearray(tar.read_bytes())
    data[148 + 512 * 2] ^= 1  # the third member's checksum field
    (tmp_path / "c.tar").write_bytes(bytes(data))
    with pytest.raises(HumanprepError, match="checksum|invalid header"):
        build_index(tmp_path / "c.tar", tmp_path / "i3")
    (tmp_path / "t.tar").write_bytes(tar.read_bytes()[: 512 * 3 + 100])
    with pytest.raises(HumanprepError, match="truncated|readable"):
        build_index(tmp_path / "t.tar", tmp_path / "i4")
    gz = tmp_path / "g.tar"
    with tarfile.open(gz, "w:gz") as tf:
        tf.addfile(tarfile.TarInfo("x"), io.BytesIO(b""))
    with pytest.raises(HumanprepError, match="compressed"):
        build_index(gz, tmp_path / "i5")


def test_listing_of_an_index_and_of_a_tree_agree(tmp_path):
    members = [("top/a.png", b"a", R, None), ("top/sub/b.npy", b"bb", R, None)]
    tar = make_tar(tmp_path / "a.tar", members)
    build_index(tar, tmp_path / "idx")
    with tarfile.open(tar) as tf:
        tf.extractall(tmp_path / "tree", filter="data")
    from_index = {n: read_member(r) for n, r in listing.files(tmp_path / "idx")}
    from_tree = {n: read_member(r) for n, r in listing.files(tmp_path / "tree")}
    assert from_index == from_tree == {"top/a.png": b"a", "top/sub/b.npy": b"bb"}


def test_zip_read_in_place_matches_zipfile(tmp_path):
    import zipfile

    from humanprep.acquire.zipindex import build_zip_index

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("top/stored.txt", b"s" * 100, compress_type=zipfile.ZIP_STORED)
        zf.writestr("top/deflated.bin", bytes(range(256)) * 50, zipfile.ZIP_DEFLATED)
        zf.writestr("top/sub/", b"")
    summary = build_zip_index(path, tmp_path / "idx")
    assert summary["files"] == 2
    got = {n: read_member(r) for n, r in listing.files(tmp_path / "idx")}
    with zipfile.ZipFile(path) as zf:
        assert got == {n: zf.read(n) for n in ("top/stored.txt", "top/deflated.bin")}
    ref = dict(listing.files(tmp_path / "idx"))["top/stored.txt"]
    data = bytearray(path.read_bytes())
    data[data.index(b"s" * 100)] = ord("t")  # one byte of the stored member's data
    path.write_bytes(bytes(data))
    with pytest.raises(OSError, match="CRC"):
        read_member(ref)


def test_zip_unsafe_member_is_refused(tmp_path):
    import zipfile

    from humanprep.acquire.zipindex import build_zip_index

    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../evil", b"x")
    with pytest.raises(HumanprepError, match="path traversal"):
        build_zip_index(path, tmp_path / "idx")
    assert not (tmp_path / "idx").exists()
