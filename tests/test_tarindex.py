"""Plain tars read in place: the index pass against Python's tarfile (an independent
reader) and the unpacking safety rules, member by member."""

import io
import tarfile

import numpy as np
import pytest

from humanprep import listing
from humanprep.acquire import tarindex
from humanprep.acquire.tarindex import build_index, name_hash
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


@pytest.mark.parametrize("chunk", [2, 1 << 16])  # 2: every member crosses chunks
@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_index_matches_tarfile(tmp_path, monkeypatch, fmt, chunk):
    monkeypatch.setattr(tarindex, "CHUNK_BLOCKS", chunk)
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


def test_many_members_take_the_fast_path_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(tarindex, "CHUNK_BLOCKS", 8)  # many chunk boundaries
    members = [(f"s/{i:05d}.{r}", bytes([i % 251]) * (i % 900), R, None)
               for i in range(300) for r in ("png", "npy")]  # fmt: skip
    tar = make_tar(tmp_path / "b.tar", members)
    slow = []
    real_slow = tarindex._Pass.slow

    def counted(self, pos):
        slow.append(pos)
        return real_slow(self, pos)

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


@pytest.mark.parametrize("chunk", [8, 64, 1 << 16])
def test_data_that_looks_like_headers_and_dotted_names(tmp_path, monkeypatch, chunk):
    """Members holding tars (blocks with the ustar magic that are data, not headers) and
    names with dots at their ends: listed as tarfile lists them, in chunks of any size."""
    monkeypatch.setattr(tarindex, "CHUNK_BLOCKS", chunk)
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


def test_compiled_hash_is_the_scalar_hash():
    """The scan's hash of every name and folder equals name_hash of their bytes (names of
    0-100 bytes, across every word boundary)."""
    from humanprep.acquire import tarscan
    from humanprep.acquire.tarscan import Scan

    rng = np.random.default_rng(0)
    names = [b"d/" + bytes(rng.integers(97, 123, n, dtype=np.uint8)) for n in range(1, 99)]
    blocks = []
    for name in names:
        info = tarfile.TarInfo(name.decode())
        info.mtime = 0
        blocks.append(info.tobuf(tarfile.USTAR_FORMAT))
    buf = np.frombuffer(b"".join(blocks) + b"\0" * 1024, dtype=np.uint8)
    scan = Scan(len(names) + 2)
    k, stop, slow = scan.run(buf, len(names) + 2, 0, 4096, 7)
    assert (k, stop, slow) == (len(names), len(names), True)  # stopped at the end blocks
    assert scan.hashes[:k].tolist() == [name_hash(n) for n in names]
    assert scan.phashes[:k].tolist() == [name_hash(b"d")] * k
    assert scan.newp[:k].tolist() == [True] + [False] * (k - 1)
    rec = scan.rec[:k]
    assert scan.names[: rec["name_len"].sum()].tobytes() == b"".join(names)
    lens = [len(n) for n in names]
    assert rec["name_len"].tolist() == lens
    assert rec["name_at"].tolist() == (7 + np.cumsum([0, *lens[:-1]])).tolist()
    assert rec["offset"].tolist() == [4096 + 512 * (i + 1) for i in range(k)]  # no data
    assert rec["size"].tolist() == [0] * k
    ats, lens = rec["name_at"] - 7, rec["name_len"]
    assert tarscan.hash_names(scan.names, ats, lens).tolist() == scan.hashes[:k].tolist()


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
