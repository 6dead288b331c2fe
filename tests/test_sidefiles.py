"""FDH's metadata.json split once: the streamed parse gives what json.load gives, and the
shard jobs' lookups give the entries json.load would have given them."""

import json

import pytest

from humanprep import sidefiles
from humanprep.datasets.fdh import normalise as fdh
from humanprep.errors import HumanprepError
from humanprep.sidefiles import MetadataDB, build_metadata_db, iter_object


def sample():
    data = {
        str(i): {"author": 'a"b\\c', "cateogry": "train", "n": 1e21 + i, "u": "\u00e9\u4e2d"}
        for i in range(300)
    }
    data["0000042"] = [1, 2.5, None, True, {"x": []}]
    data["big"] = 123456789012345678901234567890
    return data


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_stream_equals_json_load(tmp_path, monkeypatch, chunk, indent):
    monkeypatch.setattr(sidefiles, "CHUNK", chunk)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(sample(), indent=indent), encoding="utf-8")
    got = {key: json.loads(text) for key, text in iter_object(path)}
    assert got == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text, problem",
    [('{"a": 1', "ends where"), ('{"a" 1}', "':' was expected"), ("[1]", "'{' was expected"),
     ('{"a": tru}', "invalid JSON"), ('{1: 2}', "invalid JSON|not a string")],
)  # fmt: skip
def test_bad_json_is_one_clear_error(tmp_path, text, problem):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(HumanprepError, match=problem):
        list(iter_object(path))


def test_db_lookups_and_last_duplicate_wins(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"7": {"a": 1}, "8": {"b": 2}, "7": {"a": 3}}')
    assert build_metadata_db(path, tmp_path / "m.sqlite") == 3  # entries read
    db = MetadataDB(tmp_path / "m.sqlite")
    assert db.get("7") == {"a": 3} == json.loads(path.read_text())["7"]
    assert db.get("9") is None


def test_fdh_context_reads_the_split_copy(tmp_path):
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps({"42": {"user_nsid": "1@N00", "cateogry": "val"}}))
    build_metadata_db(path, tmp_path / "metadata.sqlite")
    side = {"metadata.json": str(path), "metadata.sqlite": str(tmp_path / "metadata.sqlite")}
    ctx = fdh.load_context(side, {})
    assert ctx["metadata"].get("42") == {"user_nsid": "1@N00", "cateogry": "val"}
    assert ctx["metadata"].get("0042") is None
