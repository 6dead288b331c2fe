"""Checksum registry: parsing, hashing once, registering without silent changes."""

import hashlib

import pytest

from humanprep import cli
from humanprep.acquire.registry import (
    HEADER,
    Entry,
    infer_kind,
    load_registry,
    missing_message,
    register,
    save_registry,
    verify_file,
)
from humanprep.datasets import DATASETS, DESCRIPTORS
from humanprep.errors import HumanprepError

SHA = "a" * 64


def entry_for(path, items=3, kind="zip", md5=True):
    data = path.read_bytes()
    return Entry(
        file=path.name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest() if md5 else "",
        items=items,
        kind=kind,
    )


def write_tsv(path, *rows):
    path.write_text("\n".join(["\t".join(HEADER), *rows]) + "\n")
    return path


def test_round_trip_sorted(tmp_path):
    entries = [
        Entry("b.tar", 10, SHA, "", 2, "tar"),
        Entry("a.zip", 5, "b" * 64, "c" * 32, 7, "zip"),
    ]
    path = tmp_path / "reg" / "shhq.tsv"
    save_registry(path, entries)
    lines = path.read_text().splitlines()
    assert lines[0] == "file\tsize\tsha256\tmd5\titems\tkind"
    assert [line.split("\t")[0] for line in lines[1:]] == ["a.zip", "b.tar"]
    assert load_registry(path) == sorted(entries, key=lambda e: e.file)
    assert [p.name for p in path.parent.iterdir()] == ["shhq.tsv"]  # no temporary left


def test_entry_is_frozen():
    with pytest.raises(AttributeError):
        Entry("a", 1, SHA, "", 0, "file").size = 2


def test_missing_registry_names_path_and_register(tmp_path):
    with pytest.raises(HumanprepError, match="humanprep register") as err:
        load_registry(tmp_path / "nope.tsv")
    assert str(tmp_path / "nope.tsv") in str(err.value)


@pytest.mark.parametrize(
    "row,match",
    [
        (f"a.zip\t1\t{SHA}\t\t1", "expected 6"),
        (f"a.zip\tone\t{SHA}\t\t1\tzip", "size 'one'"),
        ("a.zip\t1\tABC\t\t1\tzip", "sha256 'ABC'"),
        (f"a.zip\t1\t{SHA}\txyz\t1\tzip", "md5 'xyz'"),
        (f"a.zip\t1\t{SHA}\t\t-1\tzip", "items '-1'"),
        (f"a.zip\t1\t{SHA}\t\t1\trar", "kind 'rar'"),
        (f"sub/a.zip\t1\t{SHA}\t\t1\tzip", "bad file name"),
    ],
)
def test_bad_line_reports_line_number(tmp_path, row, match):
    path = write_tsv(tmp_path / "r.tsv", f"ok.zip\t1\t{SHA}\t\t1\tzip", row)
    with pytest.raises(HumanprepError, match=match) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}:3:")


def test_duplicate_and_header_errors(tmp_path):
    row = f"a.zip\t1\t{SHA}\t\t1\tzip"
    with pytest.raises(HumanprepError, match="listed twice"):
        load_registry(write_tsv(tmp_path / "d.tsv", row, row))
    bad = tmp_path / "h.tsv"
    bad.write_text("file size sha256\n")
    with pytest.raises(HumanprepError, match=r"h.tsv:1: header"):
        load_registry(bad)


def test_header_only_and_comments(tmp_path):
    path = write_tsv(tmp_path / "r.tsv", "# a comment", "", f"a\t0\t{SHA}\t\t0\tfile")
    assert load_registry(path) == [Entry("a", 0, SHA, "", 0, "file")]
    assert load_registry(write_tsv(tmp_path / "e.tsv")) == []


def test_verify_file_hashes_once_both_digests(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(b"payload" * 300_000)  # > 1 read
    entry = entry_for(path)
    result = verify_file(path, entry)
    identity = result.pop("identity")
    assert result == {"file": "a.zip", "size": entry.size, "sha256": entry.sha256, "md5": entry.md5}
    st = path.stat()
    assert identity == {
        "path": str(path),
        "host": __import__("socket").gethostname(),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "dev": st.st_dev,
        "inode": st.st_ino,
    }
    # md5 empty in the registry: only sha256 is compared, md5 still reported
    assert verify_file(path, entry_for(path, md5=False))["md5"] == entry.md5


def test_verify_file_size_mismatch(tmp_path):
    path = tmp_path / "a.zip"
    path.write_bytes(b"12345")
    entry = Entry("a.zip", 6, SHA, "", 1, "zip")
    with pytest.raises(HumanprepError, match="expected 6 bytes, found 5") as err:
        verify_file(path, entry)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


@pytest.mark.parametrize("field", ["sha256", "md5"])
def test_verify_file_checksum_mismatch(tmp_path, field):
    path = tmp_path / "a.zip"
    path.write_bytes(b"12345")
    good = entry_for(path)
    wrong = "0" * len(getattr(good, field))
    bad = Entry(**{**good.__dict__, field: wrong})
    with pytest.raises(HumanprepError, match=f"{field} mismatch") as err:
        verify_file(path, bad)
    message = str(err.value)
    assert wrong in message and getattr(good, field) in message and "\n" not in message


def test_kind_inference():
    assert infer_kind("train.zip") == "zip"
    assert [infer_kind(n) for n in ("a.tar", "a.tar.gz", "a.tgz")] == ["tar"] * 3
    assert infer_kind("metadata.json") == "file"


def test_register_adds_keeps_and_refuses_changes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "train.zip").write_bytes(b"zip bytes")
    (raw / "shard.tar.gz").write_bytes(b"tar bytes")
    (raw / "meta.json").write_bytes(b"{}")
    reg = tmp_path / "registry" / "deepfashion2.tsv"

    changes = register(reg, [raw / "train.zip", raw / "shard.tar.gz"], items=4)
    assert [c.split(" (")[0] for c in changes] == ["added train.zip", "added shard.tar.gz"]
    entries = {e.file: e for e in load_registry(reg)}
    assert entries["train.zip"] == entry_for(raw / "train.zip", items=4, kind="zip")
    assert entries["shard.tar.gz"].kind == "tar"

    assert register(reg, [raw / "train.zip"]) == []  # identical: nothing to do
    assert register(reg, [raw / "meta.json"]) == ["added meta.json (2 bytes, 0 items, file)"]
    assert register(reg, [raw / "train.zip"], items=9) == ["updated train.zip: items 4 -> 9"]

    before = reg.read_text()
    (raw / "train.zip").write_bytes(b"another release")
    with pytest.raises(HumanprepError, match="use --force") as err:
        register(reg, [raw / "train.zip"])
    assert "train.zip" in str(err.value)
    assert reg.read_text() == before  # refused: nothing written

    (changed,) = register(reg, [raw / "train.zip"], force=True)
    assert changed.startswith("replaced train.zip: size 9 -> 15")
    assert {e.file: e for e in load_registry(reg)}["train.zip"].items == 9


def test_register_kind_override_and_missing_file(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"x")
    reg = tmp_path / "r.tsv"
    register(reg, [tmp_path / "blob.bin"], kind="zip")
    assert load_registry(reg)[0].kind == "zip"
    with pytest.raises(HumanprepError, match="not a file"):
        register(reg, [tmp_path / "nope.zip"])


def test_cli_register(tmp_path, capsys):
    # HuGe100K publishes no file names: any name is taken
    (tmp_path / "notes.json").write_bytes(b"{}")
    args = ["register", "huge100k", str(tmp_path / "notes.json"), "--registry-dir", str(tmp_path)]
    assert cli.main(args) == 0
    assert "added notes.json" in capsys.readouterr().out
    assert cli.main(args) == 0
    assert "unchanged" in capsys.readouterr().out
    assert load_registry(tmp_path / "huge100k.tsv")[0].kind == "file"


def test_cli_register_refuses_a_name_upstream_does_not_list(tmp_path, capsys):
    text = tmp_path / "text.zip"
    text.write_bytes(b"not really a zip")
    own = tmp_path / "local"
    args = ["register", "celeba", str(text), "--registry-dir", str(own), "--items", "0"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "text.zip is not a celeba file" in err
    assert "lists CelebAMask-HQ.zip, multimodal-celeba-hq.zip" in err and "--as NAME" in err
    assert not (own / "celeba.tsv").exists()
    # --as must name an upstream file too
    assert cli.main([*args, "--as", "other.zip"]) == 1
    assert "--as takes one of those names" in capsys.readouterr().err
    # under its upstream name: registered so, and the user told to rename it
    assert cli.main([*args, "--as", "multimodal-celeba-hq.zip"]) == 0
    out = capsys.readouterr().out
    assert "added multimodal-celeba-hq.zip" in out
    assert f"mv {text} {tmp_path / 'multimodal-celeba-hq.zip'}" in out
    assert [e.file for e in load_registry(own / "celeba.tsv")] == ["multimodal-celeba-hq.zip"]
    # --force: under its own name
    assert cli.main([*args, "--force"]) == 0
    names = [e.file for e in load_registry(own / "celeba.tsv")]
    assert names == ["multimodal-celeba-hq.zip", "text.zip"]


def test_cli_register_remove_undoes_an_entry(tmp_path, capsys):
    (tmp_path / "a.bin").write_bytes(b"a")
    (tmp_path / "b.bin").write_bytes(b"bb")
    reg = ["--registry-dir", str(tmp_path / "local")]
    files = [str(tmp_path / "a.bin"), str(tmp_path / "b.bin")]
    assert cli.main(["register", "huge100k", *files, *reg]) == 0
    capsys.readouterr()
    assert cli.main(["register", "huge100k", "--remove", "a.bin", *reg]) == 0
    assert "removed a.bin (1 bytes)" in capsys.readouterr().out
    assert [e.file for e in load_registry(tmp_path / "local" / "huge100k.tsv")] == ["b.bin"]
    assert cli.main(["register", "huge100k", "--remove", "a.bin", *reg]) == 1
    err = capsys.readouterr().err
    assert "no entry a.bin to remove; it holds b.bin" in err and err.count("\n") == 1


def test_cli_accept_names_what_it_binds_to(tmp_path, capsys):
    """HuGe100K's shipped registry lists nothing: the message says so, and names the
    overlay the runs also check (here with the user's archive in it)."""
    own = tmp_path / "local"
    (tmp_path / "HuGe100K.tar").write_bytes(b"x" * 10)
    assert cli.main(["register", "huge100k", str(tmp_path / "HuGe100K.tar"),
                     "--registry-dir", str(own), "--items", "3"]) == 0  # fmt: skip
    capsys.readouterr()
    args = ["accept", "huge100k", "--by", "Ada <a@b.c>", "--local-registry-dir", str(own)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "which lists no file (nothing is published)" in out
    assert f"plus your overlay {own / 'huge100k.tsv'} (HuGe100K.tar)" in out
    assert "It opens only" not in out
    assert cli.main(["accept", "shhq", "--by", "Ada <a@b.c>", "--local-registry-dir", ""]) == 0
    assert "which lists SHHQ-1.0.zip." in capsys.readouterr().out


@pytest.mark.parametrize("day", ["2026-13-45", "2026-02-30", "26-01-02", "2026-1-2", "today"])
def test_cli_accept_refuses_a_date_that_is_none(day, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["accept", "shhq", "--by", "Ada <a@b.c>", "--today", day])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"'{day}' is not a date YYYY-MM-DD" in err


def test_cli_register_refuses_a_file_that_contradicts_the_published_md5(tmp_path, capsys):
    # FDH's download.py publishes metadata.json's md5 (registry/upstream/fdh.tsv).
    (tmp_path / "metadata.json").write_bytes(b"{}")
    own = tmp_path / "local"
    args = ["register", "fdh", str(tmp_path / "metadata.json"), "--registry-dir", str(own)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "md5 99914b932bd37a50b983c5e7c90ae93b differs from the published" in err
    assert "220b8e5f495a6bd60aed267f66da1c5a" in err and err.count("\n") == 1
    assert not (own / "fdh.tsv").exists()


def test_registry_admits_unknown_size_and_sha256(tmp_path):
    reg = tmp_path / "r.tsv"
    reg.write_text("\t".join(HEADER) + "\nbig.tar\t\t\t" + "b" * 32 + "\t7\ttar\n")
    (entry,) = load_registry(reg)
    assert (entry.size, entry.sha256, entry.md5, entry.items) == (None, None, "b" * 32, 7)
    assert not entry.complete
    assert entry.line() == "big.tar\t\t\t" + "b" * 32 + "\t7\ttar"


def first_use(tmp_path, data=b"payload", md5=""):
    from humanprep.acquire.registry import merged_registry, record_first_use

    raw = tmp_path / "raw.tar"
    raw.write_bytes(data)
    base = tmp_path / "upstream.tsv"
    base.write_text("\t".join(HEADER) + f"\nraw.tar\t\t\t{md5}\t5\ttar\n")
    overlay = tmp_path / "local" / "x.tsv"
    (entry,) = merged_registry(base, overlay)
    got = verify_file(raw, entry)
    line = record_first_use(overlay, entry, got)
    return base, overlay, raw, line


def test_first_use_records_what_it_found_and_later_runs_verify_it(tmp_path):
    from humanprep.acquire.registry import merged_registry

    base, overlay, raw, line = first_use(tmp_path)
    sha = hashlib.sha256(b"payload").hexdigest()
    md5 = hashlib.md5(b"payload").hexdigest()
    assert line == (
        f"recorded raw.tar: 7 bytes, sha256 {sha}, md5 {md5} into {overlay} "
        "(trust on first use: later runs verify against it)"
    )
    (entry,) = merged_registry(base, overlay)
    assert (entry.size, entry.sha256, entry.md5, entry.items) == (7, sha, md5, 5)
    raw.write_bytes(b"payloaD")  # same size, other bytes: the recorded sha256 catches it
    with pytest.raises(HumanprepError, match="sha256 mismatch"):
        verify_file(raw, entry)


def test_first_use_never_records_a_file_against_a_published_md5(tmp_path):
    with pytest.raises(HumanprepError, match="md5 mismatch: expected " + "c" * 32):
        first_use(tmp_path, md5="c" * 32)
    assert not (tmp_path / "local" / "x.tsv").exists()


def test_overlay_that_contradicts_the_published_registry_is_refused(tmp_path):
    from humanprep.acquire.registry import merged_registry

    base = tmp_path / "upstream.tsv"
    base.write_text("\t".join(HEADER) + "\nraw.tar\t\t\t" + "c" * 32 + "\t5\ttar\n")
    overlay = tmp_path / "local.tsv"
    overlay.write_text("\t".join(HEADER) + f"\nraw.tar\t3\t{SHA}\t" + "d" * 32 + "\t5\ttar\n")
    with pytest.raises(HumanprepError, match="differs from the published " + "c" * 32):
        merged_registry(base, overlay)


@pytest.mark.parametrize("dataset", DATASETS)
def test_upstream_registry_ships_for_every_dataset(dataset):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "registry" / "upstream" / f"{dataset}.tsv"
    entries = load_registry(path)
    assert all(e.sha256 is None for e in entries)  # nobody publishes sha256s
    published = {e.file: e.items for e in entries}
    expected = {
        "shhq": {"SHHQ-1.0.zip": 40000},
        "deepfashion2": {"train.zip": 191961, "validation.zip": 32153, "test.zip": 62629},
        "fdh": {
            "cc-by-2.tar": 440855,
            "cc-by-nc-2.tar": 365344,
            "cc-by-nc-sa-2.tar": 816664,
            "cc-by-sa-2.tar": 236633,
            "metadata.json": 0,
        },
        "huge100k": {},
        "celeba": {"CelebAMask-HQ.zip": 30000, "multimodal-celeba-hq.zip": 0},
        "deepfashion_mm": {"images.zip": 44096, "captions.json": 0}
        | dict.fromkeys(("segm.zip", "keypoints.zip", "densepose.zip", "labels.zip"), 0),
    }[dataset]
    assert published == expected


def test_fdh_upstream_urls_and_md5s_are_those_of_download_py():
    from pathlib import Path

    from humanprep.acquire.registry import load_urls

    folder = Path(__file__).resolve().parent.parent / "registry" / "upstream"
    urls = load_urls(folder / "fdh.urls.tsv")
    md5 = {e.file: e.md5 for e in load_registry(folder / "fdh.tsv")}
    assert set(urls) == set(md5)
    assert md5["metadata.json"] == "220b8e5f495a6bd60aed267f66da1c5a"  # docs/formats.md too
    assert all(u.startswith("https://api.loke.aws.unit.no/") for u in urls.values())


HOW_TO_OBTAIN = {d: DESCRIPTORS[d].how_to_obtain for d in DATASETS}


def test_how_to_obtain_covers_every_dataset():
    assert all(len(text) > 40 for text in HOW_TO_OBTAIN.values())
    assert "password" in HOW_TO_OBTAIN["shhq"] and "StyleGAN-Human" in HOW_TO_OBTAIN["shhq"]
    assert "md5" in HOW_TO_OBTAIN["fdh"] and "hukkelas/FDH" in HOW_TO_OBTAIN["fdh"]
    assert "form" in HOW_TO_OBTAIN["deepfashion2"]
    assert "IDOL" in HOW_TO_OBTAIN["huge100k"]
    assert "CelebAMask-HQ" in HOW_TO_OBTAIN["celeba"]


def test_missing_message_says_what_where_how(tmp_path):
    folder = tmp_path / "raw" / "deepfashion2"
    message = missing_message("deepfashion2", "train.zip", folder)
    assert str(folder / "train.zip") in message
    assert "missing" in message and HOW_TO_OBTAIN["deepfashion2"] in message
    assert "\n" not in message


def test_registered_entry_found_or_named_in_one_line(tmp_path):
    from humanprep.acquire.registry import registered_entry

    data = tmp_path / "a.zip"
    data.write_bytes(b"abc")
    registry = tmp_path / "reg.tsv"
    register(registry, [data], items=1)
    assert registered_entry(registry, tmp_path / "raw" / "a.zip").size == 3
    with pytest.raises(
        HumanprepError, match=r"b\.zip: not listed in .*reg\.tsv; register it first"
    ):
        registered_entry(registry, tmp_path / "b.zip")
