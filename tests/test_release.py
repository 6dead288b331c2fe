"""Release assembly, checksums, verification, diff and immutability on hand-built trees."""

import hashlib
import json
import shutil
import subprocess

import pytest

from humanprep.errors import HumanprepError
from humanprep.io import write_jsonl
from humanprep.release.build import build_release
from humanprep.release.diff import diff_releases, version_bump
from humanprep.release.manifest import verify_release
from humanprep.release.provenance import public_config
from humanprep.release.select import wanted

TERMS = "# Terms\nResearch only.\n"


def record(item_id, split="train", licence="CC-BY-2.0", author="A"):
    return {
        "dataset": "fdh",
        "id": item_id,
        "split": split,
        "image": {"path": f"shard-00000/{item_id}/image.png"},
        "license": {"id": licence, "url": "https://creativecommons.org/licenses/by/2.0/"},
        "attribution": {"author": author, "title": "t", "source_url": "u", "user_nsid": "n"},
    }


def workspace(tmp_path, records):
    norm = tmp_path / "normalised"
    write_jsonl(norm / "fdh" / "shard-00000.jsonl", records)
    for r in records:
        item = norm / "fdh" / "shard-00000" / r["id"]
        item.mkdir(parents=True)
        (item / "image.png").write_bytes(r["id"].encode())
    (tmp_path / "terms").mkdir(exist_ok=True)
    (tmp_path / "terms" / "fdh.md").write_text(TERMS)
    return norm


def spec(tmp_path, norm, version="1.0.0", **release):
    digest = hashlib.sha256(TERMS.encode()).hexdigest()
    agreement = {"accepted_by": "me", "accepted_on": "2026-01-01", "terms_sha256": digest}
    return {
        "meta": {"name": "t", "version": version, "description": "d", "release": f"t-{version}"},
        "datasets": ["fdh"],
        "normalised": str(norm),
        "derived": {},
        "coco": {},
        "splits": release.get("splits", []),
        "licences": release.get("licences", {}),
        "link": "hardlink",
        "agreements": {"fdh": agreement},
        "terms_dir": str(tmp_path / "terms"),
        "summaries": {"fdh": {"kept": 3, "quarantined": 0, "removed": 0}},
        "provenance": {
            "release": f"t-{version}",
            "config": {"release": {"name": "t", "version": version}},
        },
    }


@pytest.fixture
def built(tmp_path):
    norm = workspace(
        tmp_path, [record("1"), record("2", split="val"), record("3", "train", "CC-BY-NC-2.0")]
    )
    dest = tmp_path / "releases" / "t-1.0.0"
    status, counts = build_release(dest, spec(tmp_path, norm))
    assert status == "created" and counts == {"fdh": 3}
    return tmp_path, norm, dest


def test_sha256sums_checks_with_coreutils(built):
    _, _, dest = built
    res = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=dest, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stdout + res.stderr
    listed = [line.split("  ", 1)[1] for line in (dest / "SHA256SUMS").read_text().splitlines()]
    assert "fdh/shard-00000/1/image.png" in listed and "manifest.json" in listed
    assert listed == sorted(listed)


def test_manifest_describes_every_file(built):
    _, _, dest = built
    files = json.loads((dest / "manifest.json").read_text())["files"]
    by_path = {f["path"]: f for f in files}
    assert by_path["fdh/shard-00000/2/image.png"] == {
        "path": "fdh/shard-00000/2/image.png",
        "size": 1,
        "sha256": hashlib.sha256(b"2").hexdigest(),
        "dataset": "fdh",
        "kind": "image",
    }
    assert by_path["terms/fdh.md"]["kind"] == "terms"
    assert by_path["PROVENANCE.json"]["kind"] == "provenance"


def test_verify_finds_missing_extra_and_changed(built):
    _, _, dest = built
    assert verify_release(dest) == []
    (dest / "fdh" / "shard-00000" / "1" / "image.png").unlink()
    (dest / "stray.txt").write_text("x")
    (dest / "README.md").write_text("edited")
    assert verify_release(dest) == [
        "missing: fdh/shard-00000/1/image.png",
        "extra: stray.txt",
        "changed: README.md",
    ]


def test_attribution_lists_cc_by_items(built):
    _, _, dest = built
    lines = (dest / "ATTRIBUTION.csv").read_text().splitlines()
    assert lines[0] == "dataset,id,author,title,url,licence,licence_url"
    assert [line.split(",")[1] for line in lines[1:]] == ["1", "2", "3"]


def test_rebuild_identical_is_a_no_op_and_different_content_is_refused(built):
    tmp_path, norm, dest = built
    before = (dest / "SHA256SUMS").read_bytes()
    assert build_release(dest, spec(tmp_path, norm))[0] == "unchanged"
    assert (dest / "SHA256SUMS").read_bytes() == before
    with pytest.raises(HumanprepError, match="already exists with different content"):
        build_release(dest, spec(tmp_path, norm, splits=["train"]))
    assert (dest / "SHA256SUMS").read_bytes() == before
    assert not list(dest.parent.glob(".*.tmp"))


def test_licence_and_split_selection(tmp_path):
    norm = workspace(
        tmp_path, [record("1"), record("2", split="val"), record("3", "train", "CC-BY-NC-2.0")]
    )
    dest = tmp_path / "r"
    _, counts = build_release(
        dest, spec(tmp_path, norm, splits=["train"], licences={"fdh": ["CC-BY-2.0"]})
    )
    assert counts == {"fdh": 1}
    assert not (dest / "fdh" / "shard-00000" / "2").exists()
    card = (dest / "README.md").read_text()
    assert "splits train only; fdh items under CC-BY-2.0 only" in card
    assert "| fdh | release: left out by split/licence | 2 |" in card


def test_stale_terms_refused(tmp_path):
    norm = workspace(tmp_path, [record("1")])
    (tmp_path / "terms" / "fdh.md").write_text(TERMS + "changed\n")
    with pytest.raises(HumanprepError, match="differs from the accepted terms"):
        build_release(tmp_path / "r", spec(tmp_path, norm))


def test_diff_classifies_the_change(tmp_path):
    one = workspace(tmp_path / "a", [record("1"), record("2")])
    a = tmp_path / "ra"
    build_release(a, spec(tmp_path / "a", one))
    two = workspace(tmp_path / "b", [record("2", author="B"), record("3")])
    b = tmp_path / "rb"
    build_release(b, spec(tmp_path / "b", two, version="2.0.0"))
    changes, bump = diff_releases(a, b)
    assert changes == {
        "added": [("fdh", "3")],
        "removed": [("fdh", "1")],
        "changed": [("fdh", "2")],
    }
    assert bump == "major"
    assert diff_releases(a, a) == ({"added": [], "removed": [], "changed": []}, "none")


@pytest.mark.parametrize(
    "old, new, bump",
    [("1.0.0", "1.0.1", "patch"), ("1.0.9", "1.1.0", "minor"), ("1.2.3", "2.0.0", "major"),
     ("1.0.0", "1.0.0", "none"), ("1.1.0", "1.0.5", "down")],
)  # fmt: skip
def test_version_bump(old, new, bump):
    assert version_bump(old, new) == bump


def test_public_config_hides_secrets():
    config = {
        "passwords_file": "/home/me/.pw",
        "datasets": {
            "fdh": {"base_url": "https://u:p@host/x?token=s", "urls": {"a": "http://h/a?k=1"}}
        },
    }
    out = public_config(config)
    assert out["passwords_file"] == "<set>"
    assert out["datasets"]["fdh"] == {"base_url": "https://host/x", "urls": {"a": "http://h/a"}}
    assert "p@" not in json.dumps(out) and "token" not in json.dumps(out)


def test_wanted():
    r = record("1", split="val", licence="CC-BY-2.0")
    assert wanted(r, [], []) and wanted(r, ["val"], ["CC-BY-2.0"])
    assert not wanted(r, ["train"], []) and not wanted(r, [], ["CC-BY-NC-2.0"])


def test_hardlinks_share_the_source_inode(built):
    _, norm, dest = built
    src = norm / "fdh" / "shard-00000" / "1" / "image.png"
    assert (dest / "fdh" / "shard-00000" / "1" / "image.png").stat().st_ino == src.stat().st_ino
    shutil.rmtree(dest)


def test_webdataset_export_reads_back_with_webdataset(tmp_path):
    import webdataset as wds

    norm = workspace(tmp_path, [record("1"), record("2", split="val")])
    dest = tmp_path / "r"
    build_release(dest, {**spec(tmp_path, norm), "webdataset": True})
    tar = dest / "webdataset" / "fdh-shard-00000.tar"
    samples = list(wds.WebDataset(str(tar), shardshuffle=False))
    assert [s["__key__"] for s in samples] == ["1", "2"]
    assert samples[0]["image.png"] == b"1" and json.loads(samples[1]["json"])["split"] == "val"
    again = tmp_path / "r2"
    build_release(again, {**spec(tmp_path, norm), "webdataset": True})
    assert (again / "webdataset" / "fdh-shard-00000.tar").read_bytes() == tar.read_bytes()
    assert verify_release(dest) == []


def test_coco_linked_when_complete_exported_again_when_selected(tmp_path):
    from test_coco import df2_records

    from humanprep.coco import export

    records = df2_records()
    norm = tmp_path / "normalised"
    write_jsonl(norm / "deepfashion2" / "shard-00000.jsonl", records)
    coco = tmp_path / "coco" / "deepfashion2"
    coco.mkdir(parents=True)
    export("deepfashion2", [norm / "deepfashion2" / "shard-00000.jsonl"], norm, coco)
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "fdh.md").write_text(TERMS)
    base = {
        **spec(tmp_path, norm),
        "datasets": ["deepfashion2"],
        "coco": {"deepfashion2": str(coco)},
    }
    base["agreements"] = {"deepfashion2": base["agreements"]["fdh"]}
    (tmp_path / "terms" / "deepfashion2.md").write_text(TERMS)
    base["summaries"] = {"deepfashion2": {"kept": 4, "quarantined": 0, "removed": 0}}

    full = tmp_path / "full"
    build_release(full, base)
    source = coco / "instances_train.json"
    assert (full / "coco/deepfashion2/instances_train.json").stat().st_ino == source.stat().st_ino

    part = tmp_path / "part"
    build_release(part, {**base, "splits": ["val"]})
    files = sorted(p.name for p in (part / "coco/deepfashion2").glob("*.json"))
    assert "instances_val.json" in files and "instances_train.json" not in files
    val = json.loads((part / "coco/deepfashion2/instances_val.json").read_text())
    assert val == json.loads((coco / "instances_val.json").read_text())


def modes(root):
    """{relative path: octal mode} of every file and folder under root (itself: ".")."""
    import os
    import stat

    out = {".": oct(stat.S_IMODE(os.stat(root).st_mode))}
    for path in sorted(root.rglob("*")):
        out[str(path.relative_to(root))] = oct(stat.S_IMODE(path.stat().st_mode))
    return out


def test_release_is_readable_by_others_whatever_the_umask(tmp_path):
    """Under umask 077 mkstemp, mkdir and the sources (linked in) are all private; the
    release is still 0644 files in 0755 folders."""
    import os

    old = os.umask(0o077)
    try:
        norm = workspace(tmp_path, [record("1"), record("2", split="val")])
        dest = tmp_path / "releases" / "t-1.0.0"
        build_release(dest, spec(tmp_path, norm))
    finally:
        os.umask(old)
    found = modes(dest)
    assert {"SHA256SUMS", "manifest.json", "ATTRIBUTION.csv", "fdh/shard-00000/1/image.png"} <= set(
        found
    )
    want = {p: oct(0o755 if (dest / p).is_dir() else 0o644) for p in found}
    assert found == want


def test_writers_make_0644_whatever_the_umask(tmp_path):
    import os
    import stat

    from humanprep.io import tmp_beside, write_bytes
    from humanprep.release.hf import write_parquet

    old = os.umask(0o077)
    try:
        write_bytes(tmp_path / "a.bin", b"x")
        write_parquet(tmp_path / "m.parquet", [{"id": "1"}], [{"name": "id", "dtype": "string"}])
        tmp = tmp_beside(tmp_path / "b.bin")
    finally:
        os.umask(old)
    for path in (tmp_path / "a.bin", tmp_path / "m.parquet", tmp):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
