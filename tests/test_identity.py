"""Nothing reads a raw file that is not the one verified: an archive swapped in place (same
size, old mtime restored) is refused by every step that reads it, in one line, leaving
nothing behind, and its changed identity makes Snakemake verify it again."""

import hashlib
import io
import os
import random
import tarfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from httpserver import Fault, FileServer

from humanprep.acquire import download as dl
from humanprep.acquire.identity import identity_key
from humanprep.acquire.registry import register
from humanprep.errors import HumanprepError
from humanprep.io import read_json
from humanprep.stages import extract, index_archive, normalise, plan_shards, verify

LIMITS = {"max_total_bytes": 10**9, "max_ratio": 1000, "max_members": 1000}


def tar_bytes(seed):
    rng = random.Random(seed)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in ("a/1.png", "a/2.png"):
            data = rng.randbytes(3000)
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(seed):
    rng = random.Random(seed)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in ("a/1.png", "a/2.png"):
            zf.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), rng.randbytes(3000))
    return buf.getvalue()


def verified(tmp_path, raw):
    """Register `raw` and run the verify stage on it: the path of its verification record."""
    registry = tmp_path / "registry.tsv"
    register(registry, [raw], items=2)
    out = tmp_path / "results" / "verified" / f"{raw.name}.json"
    smk = SimpleNamespace(
        input=SimpleNamespace(file=str(raw), registry=str(registry)),
        params=SimpleNamespace(local_registry=""),
        output=[str(out)],
    )
    verify.main(smk)
    return out


def swap_in_place(path, new):
    """Overwrite `path` with other bytes of the same size and put its old times back, as
    the hostile tester did: size and mtime match, only ctime (and the bytes) differ."""
    st = path.stat()
    assert len(new) == st.st_size
    time.sleep(0.02)  # past the kernel's timestamp tick, so ctime moves (not a timing check)
    with open(path, "r+b") as fh:
        fh.write(new)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_mtime_ns == st.st_mtime_ns and path.stat().st_ino == st.st_ino


def refused(err, path):
    message = str(err.value)
    assert message.startswith(f"{path}: changed since it was verified"), message
    assert f"The next run verifies {path.name} again" in message and "\n" not in message


def leftovers(folder):
    return sorted(p.name for p in Path(folder).iterdir()) if Path(folder).exists() else []


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_swapped_archive_is_not_indexed(tmp_path, kind):
    """Before: the index was rebuilt from the swapped bytes and every item read from them."""
    raw = tmp_path / "raw" / f"HuGe100K.{kind}"
    raw.parent.mkdir()
    make = tar_bytes if kind == "tar" else zip_bytes
    raw.write_bytes(make(1))
    record = verified(tmp_path, raw)
    key = identity_key(raw)
    swap_in_place(raw, make(2))
    assert identity_key(raw) != key  # verify's param: Snakemake verifies it again
    out = tmp_path / "results" / "indexed" / raw.stem
    smk = SimpleNamespace(
        input=SimpleNamespace(archive=str(raw), verified=str(record)),
        params=SimpleNamespace(limits=LIMITS, progress_interval=10.0),
        output=[str(out)],
    )
    with pytest.raises(HumanprepError) as err:
        index_archive.main(smk)
    refused(err, raw)
    assert leftovers(out.parent) == []


def test_swapped_zip_is_not_extracted(tmp_path):
    raw = tmp_path / "raw" / "img_highres.zip"
    raw.parent.mkdir()
    raw.write_bytes(zip_bytes(1))
    record = verified(tmp_path, raw)
    swap_in_place(raw, zip_bytes(3))
    out = tmp_path / "results" / "unpacked" / "img_highres"
    smk = SimpleNamespace(
        wildcards=SimpleNamespace(dataset="deepfashion2"),
        input=SimpleNamespace(archive=str(raw), verified=str(record)),
        params=SimpleNamespace(password_env=None, passwords_file="", limits=LIMITS),
        output=[str(out)],
    )
    with pytest.raises(HumanprepError) as err:
        extract.main(smk)
    refused(err, raw)
    assert leftovers(out.parent) == []


def test_unchanged_archive_is_indexed(tmp_path):
    """The check lets the verified file through (a refusal of everything would pass above)."""
    raw = tmp_path / "raw" / "HuGe100K.tar"
    raw.parent.mkdir()
    raw.write_bytes(tar_bytes(1))
    record = verified(tmp_path, raw)
    out = tmp_path / "results" / "indexed" / "HuGe100K"
    smk = SimpleNamespace(
        input=SimpleNamespace(archive=str(raw), verified=str(record)),
        params=SimpleNamespace(limits=LIMITS, progress_interval=10.0),
        output=[str(out)],
    )
    index_archive.main(smk)
    assert read_json(out / "index.json")["members"] == 2


def test_archive_replaced_by_a_rename_is_refused(tmp_path):
    """A copy renamed over the archive keeps size and mtime too; its inode differs."""
    raw = tmp_path / "raw" / "HuGe100K.tar"
    raw.parent.mkdir()
    raw.write_bytes(tar_bytes(1))
    record = verified(tmp_path, raw)
    st = raw.stat()
    other = raw.with_name("other")
    other.write_bytes(tar_bytes(2))
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, raw)
    smk = SimpleNamespace(
        input=SimpleNamespace(archive=str(raw), verified=str(record)),
        params=SimpleNamespace(limits=LIMITS, progress_interval=10.0),
        output=[str(tmp_path / "results" / "indexed" / "HuGe100K")],
    )
    with pytest.raises(HumanprepError) as err:
        index_archive.main(smk)
    refused(err, raw)


def test_swapped_fdh_metadata_is_not_planned_or_normalised(tmp_path):
    """FDH's metadata.json is read in place by plan_shards and normalise."""
    raw = tmp_path / "raw" / "metadata.json"
    raw.parent.mkdir()
    raw.write_text('{"0": {"photo_url": "https://example.org/a"}}\n')
    record = verified(tmp_path, raw)
    swap_in_place(raw, b'{"0": {"photo_url": "https://example.org/b"}}\n')
    out = tmp_path / "results" / "shards" / "fdh"
    smk = SimpleNamespace(
        wildcards=SimpleNamespace(dataset="fdh"),
        input=SimpleNamespace(unpacked=[], side=[str(raw)], verified=[str(record)]),
        params=SimpleNamespace(n_shards=1, progress_interval=10.0),
        output=[str(out)],
    )
    with pytest.raises(HumanprepError) as err:
        plan_shards.main(smk)
    refused(err, raw)
    assert leftovers(out.parent) == []
    norm = tmp_path / "results" / "normalised" / "fdh"
    smk = SimpleNamespace(
        wildcards=SimpleNamespace(dataset="fdh", shard="shard-00000"),
        input=SimpleNamespace(shards=str(out), unpacked=[], verified=[str(record)]),
        params=SimpleNamespace(options={}),
        output=SimpleNamespace(
            files=str(norm / "shard-00000"),
            records=str(norm / "shard-00000.jsonl"),
            quarantine=str(norm / "shard-00000.quarantine.jsonl"),
        ),
    )
    with pytest.raises(HumanprepError) as err:
        normalise.main(smk)
    refused(err, raw)
    assert leftovers(norm) == []


def test_download_resume_starts_over_when_the_part_was_swapped(tmp_path):
    """Before: a part replaced between two runs was continued with Range, its bytes trusted."""
    data = random.Random(5).randbytes(100_000)
    dest = tmp_path / "a.tar"

    def fetch(srv):
        with requests.Session() as session:
            session.trust_env = False
            return dl.download(
                srv.url("/a"), dest, size=len(data), session=session, retries=0, sleep=[].append
            )

    with FileServer({"/a": data}, {"/a": Fault(drop_after=40_000)}) as srv:
        with pytest.raises(HumanprepError, match="gave up after 0 retries"):
            fetch(srv)
        part = dest.with_name("a.tar.part")
        assert part.stat().st_size == 40_000
        swap_in_place(part, bytes(40_000))  # zeros: a resume would keep them
        res = fetch(srv)
        assert srv.log[-1]["range"] is None  # asked for the whole file again
    assert res["resumed_from"] == 0 and dest.read_bytes() == data
    assert res["sha256"] == hashlib.sha256(data).hexdigest()


def test_download_resume_continues_an_untouched_part(tmp_path):
    data = random.Random(6).randbytes(100_000)
    dest = tmp_path / "a.tar"

    def fetch(srv):
        with requests.Session() as session:
            session.trust_env = False
            return dl.download(
                srv.url("/a"), dest, size=len(data), session=session, retries=0, sleep=[].append
            )

    with FileServer({"/a": data}, {"/a": Fault(drop_after=40_000)}) as srv:
        with pytest.raises(HumanprepError):
            fetch(srv)
        res = fetch(srv)
    assert res["resumed_from"] == 40_000 and dest.read_bytes() == data


def test_snakemake_verifies_a_swapped_archive_again(tmp_path):
    """Before: Snakemake compared mtimes only, so a swap with the old mtime restored was
    never verified again and the next re-normalise read the swapped bytes."""
    from conftest import copy_workflow, snakemake

    work = copy_workflow(tmp_path / "humanprep")
    target = "results/verified/huge100k/HuGe100K.tar.json"
    first = snakemake(work, target)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Nothing to be done" in snakemake(work, "-n", target).stdout
    raw = work / "results" / "demo" / "raw" / "huge100k" / "HuGe100K.tar"
    data = bytearray(raw.read_bytes())
    data[5000] ^= 0xFF
    swap_in_place(raw, bytes(data))
    again = snakemake(work, "-n", target)
    assert "rule verify:" in again.stdout + again.stderr
    assert "Params have changed since last execution" in again.stdout + again.stderr


def test_another_node_compares_all_but_the_device(tmp_path, monkeypatch):
    """A cluster node sees a network file system under its own device number: the check
    there compares size, times and inode; on the verifying host, the device too."""
    import socket

    from humanprep.acquire import identity

    raw = tmp_path / "a.tar"
    raw.write_bytes(tar_bytes(1))
    recorded = identity.recorded_identity(raw)
    identity.check_identity(raw, {**recorded, "host": "node-7", "dev": recorded["dev"] + 1})
    with pytest.raises(HumanprepError, match="changed since it was verified"):
        identity.check_identity(raw, {**recorded, "dev": recorded["dev"] + 1})
    with pytest.raises(HumanprepError, match="changed since it was verified"):
        identity.check_identity(raw, {**recorded, "host": "node-7", "inode": 1})
    monkeypatch.setattr(socket, "gethostname", lambda: "node-7")
    identity.check_identity(raw, {**recorded, "host": "node-7"})
