"""A second, independent test for each protective line that a mutation test found guarded
by one test only, and the test that was missing for record_first_use (issue 28).
docs/mutants.md lists the mutants; tools/mutants.py applies each and runs the suite's tests
on it: every mutant must fail at least two of them."""

import hashlib
import io
import json
import os
import shutil
import tarfile
import warnings
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from test_release import record as release_record
from test_release import spec as release_spec
from test_release import workspace as release_workspace

from humanprep import store
from humanprep.acquire.registry import (
    Entry,
    digests,
    load_registry,
    record_first_use,
    save_registry,
)
from humanprep.acquire.secrets import get_password
from humanprep.acquire.tarindex import build_index
from humanprep.acquire.unpack import extract
from humanprep.acquire.zipindex import build_zip_index
from humanprep.datasets.deepfashion2.coco import garment_annotation
from humanprep.errors import HumanprepError
from humanprep.io import read_jsonl, write_jsonl
from humanprep.normalise.shard import normalise_shard
from humanprep.release.build import build_release
from humanprep.stages import verify

# ------------------------------------------------------------ record_first_use's conflict check


def overlay_with(path, entry):
    save_registry(path, [entry])
    return path.read_bytes()


def test_first_use_refuses_to_overwrite_a_different_complete_record(tmp_path):
    """The survivor: `old.complete` -> `not old.complete` overwrote a complete record."""
    overlay = tmp_path / "local" / "fdh.tsv"
    before = overlay_with(overlay, Entry("a.tar", 10, "a" * 64, "b" * 32, 1, "tar"))
    got = {"size": 11, "sha256": "c" * 64, "md5": "d" * 32}
    with pytest.raises(HumanprepError) as err:
        record_first_use(overlay, Entry("a.tar", None, "", "", 1, "tar"), got)
    assert str(err.value) == (
        f"{overlay}: a.tar is recorded with 10 bytes, sha256 {'a' * 64}, but the file has 11 "
        f"bytes, sha256 {'c' * 64}"
    )
    assert overlay.read_bytes() == before  # nothing overwritten


def test_first_use_completes_an_incomplete_record(tmp_path):
    """An overlay line without checksums (a registered name, sizes unknown) is completed,
    not refused: the conflict check is about complete records only."""
    overlay = tmp_path / "local" / "fdh.tsv"
    overlay_with(overlay, Entry("a.tar", None, "", "", 1, "tar"))
    got = {"size": 11, "sha256": "c" * 64, "md5": "d" * 32}
    line = record_first_use(overlay, Entry("a.tar", None, "", "", 1, "tar"), got)
    assert line.startswith("recorded a.tar: 11 bytes")
    assert load_registry(overlay) == [Entry("a.tar", 11, "c" * 64, "d" * 32, 1, "tar")]


# ------------------------------------------------------------ the published md5


def test_verify_stage_refuses_a_file_whose_published_md5_differs(tmp_path):
    """FDH publishes md5 only: a file with another md5 is refused, and nothing is recorded
    into the overlay (trust on first use must not take it)."""
    raw = tmp_path / "raw" / "cc-by-2.tar"
    raw.parent.mkdir()
    raw.write_bytes(b"the bytes upstream did not publish")
    registry = tmp_path / "fdh.tsv"
    size = raw.stat().st_size
    save_registry(registry, [Entry("cc-by-2.tar", size, "", "0" * 32, 1, "tar")])
    overlay = tmp_path / "local" / "fdh.tsv"
    smk = SimpleNamespace(
        input=SimpleNamespace(file=str(raw), registry=str(registry)),
        params=SimpleNamespace(local_registry=str(overlay)),
        output=[str(tmp_path / "verified.json")],
    )
    with pytest.raises(HumanprepError, match=f"md5 mismatch: expected {'0' * 32}, found "):
        verify.main(smk)
    assert not overlay.exists() and not (tmp_path / "verified.json").exists()
    # the same file with its true md5 published passes
    save_registry(registry, [Entry("cc-by-2.tar", size, "", digests(raw)["md5"], 1, "tar")])
    verify.main(smk)
    assert load_registry(overlay)[0].sha256 == digests(raw)["sha256"]


def test_register_refuses_a_file_against_its_published_md5(tmp_path):
    """register() itself (not the command line): the published md5 differs, nothing is
    written; with the published md5 right, the file is added."""
    from humanprep.acquire.registry import register

    archive = tmp_path / "cc-by-2.tar"
    archive.write_bytes(b"not what upstream published")
    registry = tmp_path / "local" / "fdh.tsv"
    published = [Entry("cc-by-2.tar", None, "", "f" * 32, 0, "tar")]
    with pytest.raises(HumanprepError) as err:
        register(registry, [archive], items=1, published=published)
    md5 = digests(archive)["md5"]
    assert f"md5 {md5} differs from the published {'f' * 32}" in str(err.value)
    assert not registry.exists()
    published = [Entry("cc-by-2.tar", None, "", md5, 0, "tar")]
    assert register(registry, [archive], items=1, published=published)[0].startswith("added")


# ------------------------------------------------------------ the passwords file's mode


@pytest.mark.parametrize("mode", [0o660, 0o620, 0o610, 0o740], ids=lambda m: f"{m:04o}")
def test_group_only_modes_of_the_passwords_file_are_refused(tmp_path, mode, monkeypatch):
    """Group members are other people too: any group or other bit refuses the file."""
    monkeypatch.delenv("HUMANPREP_SHHQ_PASSWORD", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    secrets = tmp_path / "private" / "pw.yaml"
    secrets.parent.mkdir()
    secrets.write_text("shhq: s3cret-value\n")
    os.chmod(secrets, mode)
    with pytest.raises(HumanprepError) as err:
        get_password("shhq", "HUMANPREP_SHHQ_PASSWORD", secrets, repo_dir=repo)
    assert f"{mode:04o}" in str(err.value) and "s3cret-value" not in str(err.value)
    os.chmod(secrets, 0o600)
    assert get_password("shhq", "HUMANPREP_SHHQ_PASSWORD", secrets, repo_dir=repo) == (
        "s3cret-value"
    )


# ------------------------------------------------------------ duplicate members, in a zip


def zip_with_duplicate(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("img/1.png", b"first")
            zf.writestr("img/2.png", b"other")
            zf.writestr("img/1.png", b"second, shadowing the first")
    return path


def test_zip_with_a_duplicate_member_is_not_extracted(tmp_path):
    archive = zip_with_duplicate(tmp_path / "d.zip")
    with pytest.raises(HumanprepError, match=r"member 'img/1.png': appears twice"):
        extract(archive, tmp_path / "out", engine="python")
    assert not (tmp_path / "out").exists()


def test_zip_with_a_duplicate_member_is_not_indexed(tmp_path):
    archive = zip_with_duplicate(tmp_path / "d.zip")
    with pytest.raises(HumanprepError, match=r"member 'img/1.png': appears twice"):
        build_zip_index(archive, tmp_path / "index")
    assert not (tmp_path / "index").exists()


# ------------------------------------------------------------ the tar header checksum


def test_a_flipped_name_byte_fails_the_header_checksum(tmp_path):
    """A byte of the first member's name changed (the checksum field intact): the header
    no longer sums to its checksum, and the index names where."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name in ("a.png", "b.png"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tf.addfile(info, io.BytesIO(b"abc"))
    data = bytearray(buf.getvalue())
    data[0] = ord("z")  # "a.png" -> "z.png"
    archive = tmp_path / "c.tar"
    archive.write_bytes(bytes(data))
    with pytest.raises(HumanprepError) as err:
        build_index(archive, tmp_path / "index")
    assert str(err.value) == f"{archive}: not a readable tar: bad checksum at byte 0"
    assert not (tmp_path / "index").exists()


# ------------------------------------------------------------ DeepFashion2 boxes in COCO


def test_df2_box_is_xywh_as_the_official_converter_writes_it():
    """deepfashion2_to_coco.py: `bbox = [x1, y1, x2 - x1, y2 - y1]`; a record's box is
    [x1, y1, x2, y2] (its JSON's `bounding_box`). Here 12,30 to 112,230 -> 100 x 200."""
    from collections import Counter

    record = {
        "image": {"width": 300, "height": 300},
        "deepfashion2": {"pair_id": 1, "source": "user"},
    }
    square = [[12, 30, 112, 30, 112, 230, 12, 230]]
    garment = {
        "item": 1,
        "category_id": 1,
        "bbox": [12, 30, 112, 230],
        "segmentation": square,
        "landmarks": [[0, 0, 0]] * 25,
        "style": 1,
        "scale": 2,
        "occlusion": 1,
        "zoom_in": 1,
        "viewpoint": 2,
    }
    ann = garment_annotation(record, 7, garment, Counter())
    assert ann["bbox"] == [12, 30, 100, 200]


# ------------------------------------------------------------ a changed release, same version


def test_changed_item_bytes_under_the_same_version_are_refused(tmp_path):
    """Same records, one image's bytes changed: the version exists with other content."""
    norm = release_workspace(tmp_path, [release_record("1"), release_record("2")])
    dest = tmp_path / "releases" / "t-1.0.0"
    assert build_release(dest, release_spec(tmp_path, norm))[0] == "created"
    sums = (dest / "SHA256SUMS").read_bytes()
    released = {r["id"]: r for r in read_jsonl(dest / "fdh" / "shard-00000.jsonl")}
    # normalise again with item 2's image changed (new files, as normalise's atomic folder
    # makes them: the release's hard links keep the old ones)
    shutil.rmtree(norm / "fdh" / "shard-00000")
    folder = norm / "fdh" / "shard-00000"
    folder.mkdir()
    rows = []
    with store.ShardWriter(folder, "shard-00000") as writer:
        for item_id, data in (("1", b"1"), ("2", b"other pixels")):
            files = writer.item(item_id)
            image = {"path": files.write("image.png", data)}
            image["sha256"] = hashlib.sha256(data).hexdigest()
            rows.append(writer.commit(files, {**release_record(item_id), "image": image}))
    write_jsonl(norm / "fdh" / "shard-00000.jsonl", rows)
    with pytest.raises(HumanprepError, match="already exists with different content"):
        build_release(dest, release_spec(tmp_path, norm))
    assert (dest / "SHA256SUMS").read_bytes() == sums
    assert store.image_bytes(dest / "fdh", released["2"]) == b"2"


# ------------------------------------------------------------ FDH's NSID opt-out


def fdh_item(folder, key):
    """The files of one FDH item (as read from its tar): image, masks, keypoints, vertices."""
    folder.mkdir(parents=True)
    buf = io.BytesIO()
    Image.new("RGB", (20, 30), (10, 20, 30)).save(buf, "PNG")
    (folder / "image.png").write_bytes(buf.getvalue())
    buf = io.BytesIO()
    Image.new("L", (20, 30), 255).save(buf, "PNG")
    (folder / "mask.png").write_bytes(buf.getvalue())
    for name, array in (("keypoints.npy", np.zeros((17, 3))), ("vertices.npy", np.zeros(4))):
        out = io.BytesIO()
        np.save(out, array)
        (folder / name).write_bytes(out.getvalue())
    files = {p.name: str(p) for p in folder.iterdir()}
    return {"id": key, "files": {**files, "tar": "cc-by-2.tar"}}


def test_fdh_normalise_removes_an_opted_out_users_items(tmp_path):
    """Before, only the e2e run checked this outside a unit test of opt_out_reason."""
    meta = {
        key: {
            "cateogry": "train",
            "user_nsid": nsid,
            "author": "a",
            "photo_title": "t",
            "photo_url": "u",
            "license_url": "http://creativecommons.org/licenses/by/2.0/",
            "date_taken": "2010",
        }
        for key, nsid in (("0000001", "11@N00"), ("0000002", "22@N00"))
    }
    side = tmp_path / "metadata.json"
    side.write_text(json.dumps(meta))
    manifest = tmp_path / "shard-00000.jsonl"
    write_jsonl(manifest, [fdh_item(tmp_path / "in" / k, k) for k in sorted(meta)])
    out = tmp_path / "normalised" / "shard-00000"
    records, quarantine = normalise_shard(
        "fdh", "shard-00000", read_jsonl(manifest), {"metadata.json": str(side)},
        {"opt_out_nsids": ["11@N00"]}, out,
    )  # fmt: skip
    assert [r["id"] for r in records] == ["0000002"]
    assert quarantine == [
        {
            "id": "0000001",
            "kind": "removed",
            "reason": "Flickr user 11@N00 opted out",
            "shard": "shard-00000",
        }
    ]
    (container,) = out.iterdir()  # nothing of the opted out user in the shard's container
    with tarfile.open(container) as tar:
        assert {m.name.split(".")[0] for m in tar.getmembers()} == {store.item_key("0000002")}
    assert read_jsonl(manifest)[0]["id"] == "0000001"  # the input is left as it was
    assert store.image_bytes(out.parent, records[0]).startswith(b"\x89PNG")
