"""humanprep.load on a release laid out as the store is: items by split through an index
built once in a cache folder; and the loader installed alone, with NumPy and Pillow only."""

import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import humanprep
from humanprep import loader, store
from humanprep.io import write_jsonl

REPO = Path(__file__).resolve().parent.parent


def png(value, size=(6, 4)):
    buf = io.BytesIO()
    Image.new("RGB", size, (value, 0, 255 - value)).save(buf, "PNG")
    return buf.getvalue()


def release(root, splits):
    """A release's dataset folder `fdh`: two shards, records of the given splits in turn."""
    records = []
    for shard in ("shard-00000", "shard-00001"):
        folder = root / "fdh" / shard
        folder.mkdir(parents=True)
        rows = []
        with store.ShardWriter(folder, shard) as writer:
            for i in range(len(splits)):
                n = len(records) + len(rows)
                files = writer.item(f"{n:07d}")
                data = png(n)
                image = {"path": files.write("image.png", data)}
                image["sha256"] = hashlib.sha256(data).hexdigest()
                record = {"id": f"{n:07d}", "split": splits[i], "image": image}
                rows.append(writer.commit(files, record))
        write_jsonl(root / "fdh" / f"{shard}.jsonl", rows)
        records += rows
    return records


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HUMANPREP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_items_of_one_split_in_record_order(tmp_path):
    records = release(tmp_path, ["train", "val", "train"])
    ds = humanprep.load(tmp_path, "fdh", "train")
    train = [r for r in records if r["split"] == "train"]
    assert len(ds) == 4
    for i, want in enumerate(train):
        image, record = ds[i]
        assert record == want
        assert image.getpixel((0, 0)) == (int(want["id"]), 0, 255 - int(want["id"]))
    assert ds[-1][1] == train[-1]
    array, _ = humanprep.load(tmp_path, "fdh", "val", decode="numpy")[0]
    assert array.shape == (4, 6, 3) and array.dtype == np.uint8
    with pytest.raises(ValueError, match=r"no split 'test' \(has \['train', 'val'\]\)"):
        humanprep.load(tmp_path, "fdh", "test")
    with pytest.raises(IndexError):
        ds[4]


def test_the_index_is_built_once_and_memory_mapped(tmp_path, cache):
    release(tmp_path, ["train", "val"])
    ds = humanprep.load(tmp_path, "fdh", "train")
    assert isinstance(ds.rows, np.memmap)
    built = sorted(p.name for p in cache.rglob("*") if p.is_file())
    assert built == ["splits.json", "train.npy", "val.npy"]
    (next(cache.rglob("splits.json"))).write_text(json.dumps({"splits": {"train": 2}}))
    assert len(humanprep.load(tmp_path, "fdh", "train")) == 2  # read, not built again


def test_a_changed_record_file_gets_a_new_index(tmp_path):
    records = release(tmp_path, ["train", "val"])
    assert len(humanprep.load(tmp_path, "fdh", "train")) == 2
    write_jsonl(tmp_path / "fdh" / "shard-00001.jsonl", records[3:4])  # its train item gone
    assert len(humanprep.load(tmp_path, "fdh", "train")) == 1


def test_an_edited_image_is_named(tmp_path):
    release(tmp_path, ["train"])
    tar = tmp_path / "fdh" / "shard-00000" / "train.tar"
    data = bytearray(tar.read_bytes())
    data[data.index(b"IDAT") + 8] ^= 0xFF
    tar.write_bytes(bytes(data))
    with pytest.raises(store.StoreError, match="0000000.image.png does not match its sha256"):
        humanprep.load(tmp_path, "fdh", "train")[0]


LIGHT = """
import sys
import humanprep
ds = humanprep.load(sys.argv[1], "fdh", "train")
image, record = ds[1]
heavy = {"snakemake", "yaml", "jsonschema", "cv2", "pyarrow", "requests", "pandas"}
print(len(ds), record["id"], image.size, sorted(heavy & set(sys.modules)))
"""


def test_the_loader_installs_and_runs_with_numpy_and_pillow_only(tmp_path):
    """A venv with only the plain install (`pip install humanprep`: NumPy, Pillow)."""
    release(tmp_path, ["train", "val"])
    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", env], check=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps"]
    got = subprocess.run([*pip, "numpy==2.4.6", "pillow==13.0.0"], capture_output=True)
    if got.returncode:
        pytest.skip(f"pip cannot reach numpy/pillow here: {got.stderr.decode()[-200:]}")
    src = tmp_path / "src"  # a copy: the build leaves files in its source folder
    src.mkdir()
    shutil.copy(REPO / "pyproject.toml", src)
    shutil.copytree(REPO / "humanprep", src / "humanprep")
    got = subprocess.run([*pip, str(src)], capture_output=True)
    if got.returncode:
        pytest.skip(f"pip cannot build the package here: {got.stderr.decode()[-200:]}")
    listed = subprocess.run(
        [env / "bin" / "python", "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {line.split("==")[0].lower() for line in listed.split()}
    assert names - {"pip", "setuptools"} == {"humanprep", "numpy", "pillow"}
    out = subprocess.run(
        [env / "bin" / "python", "-c", LIGHT, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"HUMANPREP_CACHE": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "0000002", "(6,", "4)", "[]"]


def test_dependencies_are_the_light_set():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert [d.split("==")[0] for d in project["dependencies"]] == ["numpy", "pillow"]
    assert "snakemake" in " ".join(project["optional-dependencies"]["workflow"])
    assert loader.SUBSETS  # the module imports without the workflow's packages


@pytest.mark.parametrize(
    "record, split",
    [
        ({"id": "1", "split": "train"}, "train"),
        ({"a": {"split": "val"}, "split": "train"}, "train"),  # a nested key of that name
        ({"caption": 'x, "split": "val"', "split": "test"}, "test"),  # inside a string
        ({"split": "all", "z": [{"split": "x"}]}, "all"),
    ],
)
def test_a_record_lines_split(record, split):
    from humanprep.io import dumps

    assert loader.split_of(dumps(record).encode()) == split


def test_a_pickled_dataset_maps_its_index_again(tmp_path):
    """What a DataLoader worker gets (spawn start method): the same items, the index
    memory-mapped rather than copied into the pickle."""
    import pickle

    release(tmp_path, ["train", "val", "train"])
    ds = humanprep.load(tmp_path, "fdh", "train")
    data = pickle.dumps(ds)
    assert len(data) < 2000
    again = pickle.loads(data)
    assert isinstance(again.rows, np.memmap)
    assert [again[i][1] for i in range(len(again))] == [ds[i][1] for i in range(len(ds))]


def test_an_index_built_meanwhile_by_another_process_is_used(tmp_path, cache):
    files = loader.shard_files(release(tmp_path, ["train"]) and tmp_path / "fdh")
    first = loader.build_index(files, cache / "x")
    assert loader.build_index(files, cache / "x") == first  # the second rename finds it
    assert sorted(p.name for p in cache.iterdir()) == ["x"]


def test_views_without_opencv_say_what_to_install(tmp_path, monkeypatch):
    folder = tmp_path / "huge100k" / "shard-00000"
    folder.mkdir(parents=True)
    with store.ShardWriter(folder, "shard-00000") as writer:
        files = writer.item("a")
        record = {"id": "a", "split": "all", "huge100k": {"video": files.write("views.mp4", b"")}}
        record = writer.commit(files, record)
    write_jsonl(tmp_path / "huge100k" / "shard-00000.jsonl", [record])
    monkeypatch.setitem(sys.modules, "cv2", None)  # import cv2 fails as when not installed
    ds = humanprep.load(tmp_path, "huge100k", "train")  # data without splits
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'humanprep\[video\]'"):
        ds.view(0, 3)
