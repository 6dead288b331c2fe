"""Release assembly, checksums, verification, diff and immutability on hand-built trees."""

import hashlib
import json
import shutil
import subprocess
import tarfile

import pytest

from humanprep import store
from humanprep.errors import HumanprepError
from humanprep.io import read_jsonl, write_jsonl
from humanprep.release import shards
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
        "image": {"path": f"{item_id}.png"},  # a store reference once written
        "license": {"id": licence, "url": "https://creativecommons.org/licenses/by/2.0/"},
        "attribution": {"author": author, "title": "t", "source_url": "u", "user_nsid": "n"},
    }


def workspace(tmp_path, records):
    """results/normalised/fdh as normalise writes it: one shard, its items' files in one
    container per split (humanprep.store), each image the bytes of its id."""
    norm = tmp_path / "normalised"
    folder = norm / "fdh" / "shard-00000"
    folder.mkdir(parents=True)
    written = []
    with store.ShardWriter(folder, "shard-00000") as writer:
        for r in records:
            files = writer.item(r["id"])
            data = r["id"].encode()
            image = {"path": files.write("image.png", data), "sha256": sha(data)}
            written.append(writer.commit(files, {**r, "image": image}))
    write_jsonl(norm / "fdh" / "shard-00000.jsonl", written)
    (tmp_path / "terms").mkdir(exist_ok=True)
    (tmp_path / "terms" / "fdh.md").write_text(TERMS)
    return norm


def sha(data):
    return hashlib.sha256(data).hexdigest()


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
    assert "fdh/shard-00000/train.tar" in listed and "manifest.json" in listed
    assert listed == sorted(listed)


def test_manifest_describes_every_file(built):
    _, _, dest = built
    files = json.loads((dest / "manifest.json").read_text())["files"]
    by_path = {f["path"]: f for f in files}
    tar = dest / "fdh" / "shard-00000" / "val.tar"
    assert by_path["fdh/shard-00000/val.tar"] == {
        "path": "fdh/shard-00000/val.tar",
        "size": tar.stat().st_size,
        "sha256": sha(tar.read_bytes()),
        "dataset": "fdh",
        "kind": "container",
    }
    assert by_path["terms/fdh.md"]["kind"] == "terms"
    assert by_path["PROVENANCE.json"]["kind"] == "provenance"


def test_verify_finds_missing_extra_and_changed(built):
    _, _, dest = built
    assert verify_release(dest) == []
    (dest / "fdh" / "shard-00000" / "val.tar").unlink()
    (dest / "stray.txt").write_text("x")
    (dest / "README.md").write_text("edited")
    assert verify_release(dest) == [
        "missing: fdh/shard-00000/val.tar",
        "extra: stray.txt",
        "changed: README.md",
    ]


def test_verify_release_names_an_edited_shard(built, capsys):
    """A user edits one byte of a released container (a copy: the store keeps its own)."""
    from humanprep.cli import main

    _, _, dest = built
    tar = dest / "fdh" / "shard-00000" / "train.tar"
    data = bytearray(tar.read_bytes())
    data[data.index(b"1", 512)] = ord("9")  # the first item's image (b"1")
    tar.unlink()  # break the hard link: the store's container stays as it was
    tar.write_bytes(bytes(data))
    assert main(["verify-release", str(dest)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"{dest}: changed: fdh/shard-00000/train.tar"]
    assert "1 problem(s) found" in out.err


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
    assert sorted(p.name for p in (dest / "fdh" / "shard-00000").iterdir()) == ["train.tar"]
    (kept,) = read_jsonl(dest / "fdh" / "shard-00000.jsonl")
    assert kept["id"] == "1" and store.image_bytes(dest / "fdh", kept) == b"1"
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
    for name in ("train.tar", "val.tar"):
        src = norm / "fdh" / "shard-00000" / name
        assert (dest / "fdh" / "shard-00000" / name).stat().st_ino == src.stat().st_ino
    src = norm / "fdh" / "shard-00000.jsonl"
    assert (dest / "fdh" / "shard-00000.jsonl").stat().st_ino == src.stat().st_ino
    shutil.rmtree(dest)


def test_only_a_filtered_container_is_written_again(tmp_path):
    """Item 3 (train, CC-BY-NC) left out by licence: train.tar is written again with item
    1 alone, its reference follows the new offset; val.tar, untouched, is linked."""
    norm = workspace(
        tmp_path, [record("1"), record("2", split="val"), record("3", "train", "CC-BY-NC-2.0")]
    )
    dest = tmp_path / "r"
    build_release(dest, spec(tmp_path, norm, licences={"fdh": ["CC-BY-2.0"]}))
    src, out = norm / "fdh" / "shard-00000", dest / "fdh" / "shard-00000"
    assert (out / "val.tar").stat().st_ino == (src / "val.tar").stat().st_ino
    assert (out / "train.tar").stat().st_ino != (src / "train.tar").stat().st_ino
    released = read_jsonl(dest / "fdh" / "shard-00000.jsonl")
    assert [r["id"] for r in released] == ["1", "2"]
    for r in released:
        assert store.image_bytes(dest / "fdh", r) == r["id"].encode()
    with tarfile.open(out / "train.tar") as tar:
        assert tar.getnames() == ["1.image.png", "1.json"]
        assert json.loads(tar.extractfile("1.json").read()) == released[0]
    assert verify_release(dest) == []


def test_derived_rows_follow_their_dataset_references(tmp_path):
    """A derived shard whose rows name a file of their own and one of the dataset's: the
    dataset's train container written again moves the dataset's files, so the derived
    train rows (and their container's own copies) follow; the val rows, whose dataset
    container is placed as it is, keep theirs and their container."""
    norm = workspace(
        tmp_path, [record("1"), record("2", split="val"), record("3", "train", "CC-BY-NC-2.0")]
    )
    records = read_jsonl(norm / "fdh" / "shard-00000.jsonl")
    subset = tmp_path / "derived" / "fdh-maps"
    (subset / "shard-00000").mkdir(parents=True)
    rows = []
    with store.ShardWriter(subset / "shard-00000", "shard-00000") as writer:
        for r in records:
            files = writer.item(r["id"])
            own = files.write("map.png", b"map " + r["id"].encode())
            row = {"id": r["id"], "split": r["split"], "map": own, "photo": r["image"]["path"]}
            rows.append(writer.commit(files, row))
    write_jsonl(subset / "shard-00000.jsonl", rows)
    dest = tmp_path / "r"
    selection = shards_for(norm, dest, keep={"1", "2"})
    part = shards.place_shard(
        subset, dest / "derived", subset / "shard-00000.jsonl",
        lambda r: r["id"] in {"1", "2"}, lambda a, b: shutil.copyfile(a, b),
        outer=selection.mapping,
        foreign=set(selection.mapping) | {x for r in selection.rows for x in store.refs_in(r)},
    )  # fmt: skip
    assert [r["id"] for r in part.rows] == ["1", "2"]
    for row in part.rows:
        assert store.read(dest / "fdh", row["photo"]) == row["id"].encode()
        assert store.read(dest / "derived", row["map"]) == b"map " + row["id"].encode()
    assert part.members == {"train": {"map.png"}, "val": {"map.png"}}
    with tarfile.open(dest / "derived" / "shard-00000" / "train.tar") as tar:
        assert tar.getnames() == ["1.map.png", "1.json"]  # written again: 1's photo moved
        assert json.loads(tar.extractfile("1.json").read()) == part.rows[0]
    val = (dest / "derived" / "shard-00000" / "val.tar").read_bytes()
    assert val == (subset / "shard-00000" / "val.tar").read_bytes()  # placed as it is


def shards_for(norm, dest, keep):
    (dest / "fdh").mkdir(parents=True)
    return shards.place_shard(
        norm / "fdh", dest / "fdh", norm / "fdh" / "shard-00000.jsonl",
        lambda r: r["id"] in keep, lambda a, b: shutil.copyfile(a, b),
    )  # fmt: skip


def test_release_splits_read_with_webdataset(built):
    """Each split's tar holds that split's items only, as webdataset reads them."""
    import webdataset as wds

    _, _, dest = built
    released = read_jsonl(dest / "fdh" / "shard-00000.jsonl")
    for split in ("train", "val"):
        tar = dest / "fdh" / "shard-00000" / f"{split}.tar"
        samples = list(wds.WebDataset(str(tar), shardshuffle=False))
        assert [json.loads(s["json"]) for s in samples] == [
            r for r in released if r["split"] == split
        ]
        assert [s["image.png"] for s in samples] == [
            r["id"].encode() for r in released if r["split"] == split
        ]


def test_coco_linked_when_complete_exported_again_when_selected(tmp_path):
    from test_coco import df2_records

    from humanprep.coco import export

    norm = tmp_path / "normalised"
    records = in_containers(norm / "deepfashion2", df2_records())
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


def in_containers(folder, records):
    """The records with their images (bytes of the id) in the shard's containers."""
    from storeutil import put

    out = []
    for r in records:
        data = r["id"].encode()
        ref = put(folder, "shard-00000", r["id"], "image.jpg", data, r["split"])
        out.append({**r, "image": {**r["image"], "path": ref, "sha256": sha(data)}})
    return out


def test_a_dataset_with_nothing_released_leaves_no_config(tmp_path):
    """Only the test split, which no item is in: no config, no record set, the card
    says so (before: the card's snippets looked up the dataset's config and failed)."""
    norm = workspace(tmp_path, [record("1"), record("2", split="val")])
    dest = tmp_path / "r"
    _, counts = build_release(dest, spec(tmp_path, norm, splits=["test"]))
    assert counts == {"fdh": 0}
    card = (dest / "README.md").read_text()
    assert "configs: []" in card and "Nothing was released" in card
    croissant = json.loads((dest / "croissant.json").read_text())
    assert [r["@id"] for r in croissant["recordSet"]] == ["splits"]
    assert not (dest / "fdh").exists() and verify_release(dest) == []


def test_an_empty_derived_subset_is_listed_as_without_config():
    from humanprep.release import card, hf
    from humanprep.release.stats import DatasetStats, SplitStats

    full = SplitStats()
    full.splits.update({"val": 1})
    full.members = {"val": {"image.jpg"}}
    meta, empty = hf.view_meta({"deepfashion2": full, "deepfashion2-fullbody": SplitStats()})
    assert [c["config_name"] for c in meta["configs"]] == ["deepfashion2"]
    assert empty == ["deepfashion2-fullbody"]
    stats = DatasetStats()
    stats.count, stats.splits = 1, {"val": 1}
    lines = card.how_to_load({"deepfashion2": stats}, meta, "r-1", empty)
    assert "No items released, so no config: deepfashion2-fullbody." in lines


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
    wanted = {"SHA256SUMS", "manifest.json", "ATTRIBUTION.csv", "fdh/shard-00000/train.tar"}
    assert wanted <= set(found)
    want = {p: oct(0o755 if (dest / p).is_dir() else 0o644) for p in found}
    assert found == want


def test_writers_make_0644_whatever_the_umask(tmp_path):
    import os
    import stat

    from humanprep.io import tmp_beside, write_bytes

    old = os.umask(0o077)
    try:
        write_bytes(tmp_path / "a.bin", b"x")
        tmp = tmp_beside(tmp_path / "b.bin")
    finally:
        os.umask(old)
    for path in (tmp_path / "a.bin", tmp):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_rewritten_release_is_byte_identical_when_built_again(tmp_path):
    """Containers written again (a licence selection) come out the same bytes: the same
    SHA256SUMS from two builds."""
    norm = workspace(
        tmp_path, [record("1"), record("2", split="val"), record("3", "train", "CC-BY-NC-2.0")]
    )
    select = spec(tmp_path, norm, licences={"fdh": ["CC-BY-2.0"]})
    build_release(tmp_path / "a", select)
    build_release(tmp_path / "b", select)
    assert (tmp_path / "a" / "SHA256SUMS").read_bytes() == (
        tmp_path / "b" / "SHA256SUMS"
    ).read_bytes()
    assert "fdh/croissant.parquet" in (tmp_path / "a" / "SHA256SUMS").read_text()
