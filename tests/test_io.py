import json
import os

import pytest

from humanprep.io import atomic_dir, dumps, file_digests, write_json


def test_dumps_is_stable_and_sorted():
    assert (
        dumps({"b": 1, "a": [2, {"d": 1, "c": "é"}]}) == '{"a": [2, {"c": "é", "d": 1}], "b": 1}\n'
    )
    with pytest.raises(ValueError):
        dumps({"x": float("nan")})


def test_write_json_leaves_no_temp(tmp_path):
    write_json(tmp_path / "out.json", {"k": 1})
    assert json.loads((tmp_path / "out.json").read_text()) == {"k": 1}
    assert os.listdir(tmp_path) == ["out.json"]


def test_atomic_dir_failure_leaves_nothing(tmp_path):
    target = tmp_path / "tree"
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "half.txt").write_text("partial")
        raise RuntimeError("killed")
    assert os.listdir(tmp_path) == []


def test_atomic_dir_success(tmp_path):
    with atomic_dir(tmp_path / "tree") as tmp:
        (tmp / "a.txt").write_text("x")
    assert sorted(os.listdir(tmp_path)) == ["tree"]
    assert (tmp_path / "tree" / "a.txt").read_text() == "x"


def test_file_digests_known_values(tmp_path):
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    got = file_digests(path, ("sha256", "md5"))
    # FIPS 180-2 and RFC 1321 test vectors for "abc"
    assert got["sha256"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert got["md5"] == "900150983cd24fb0d6963f7d28e17f72"
