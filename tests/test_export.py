"""`humanprep export images`: the image files a release's COCO files name, written under
one root, so that the COCO files work as they are (pycocotools AP 1.0 on each, every
file_name resolving to its image's bytes)."""

import json

import pytest
from pycocotools.coco import COCO
from test_coco import df2_records, self_eval
from test_release import TERMS, in_containers, spec

from humanprep import store
from humanprep.cli import main
from humanprep.coco import export
from humanprep.io import read_jsonl, write_jsonl
from humanprep.release.build import build_release


def df2_release(tmp_path, **select):
    """A release of hand-built DeepFashion2 records, their images in the store's
    containers and their COCO files exported by the COCO stage."""
    norm = tmp_path / "normalised"
    records = in_containers(norm / "deepfashion2", df2_records())
    write_jsonl(norm / "deepfashion2" / "shard-00000.jsonl", records)
    coco = tmp_path / "coco" / "deepfashion2"
    coco.mkdir(parents=True)
    export("deepfashion2", [norm / "deepfashion2" / "shard-00000.jsonl"], norm, coco)
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "deepfashion2.md").write_text(TERMS)
    base = {**spec(tmp_path, norm, **select), "datasets": ["deepfashion2"]}
    base["coco"] = {"deepfashion2": str(coco)}
    base["agreements"] = {"deepfashion2": base["agreements"]["fdh"]}
    base["summaries"] = {"deepfashion2": {"kept": 4, "quarantined": 0, "removed": 0}}
    dest = tmp_path / "release"
    build_release(dest, base)
    return dest


@pytest.mark.parametrize("select", [{}, {"splits": ["val"]}])
def test_every_file_name_resolves_and_every_coco_file_evaluates(tmp_path, capsys, select):
    release = df2_release(tmp_path, **select)
    dest = tmp_path / "images"
    assert main(["export", "images", str(release), "deepfashion2", str(dest)]) == 0
    records = read_jsonl(release / "deepfashion2" / "shard-00000.jsonl")
    image_of = {store.member_name(r["image"]["path"]): r for r in records}
    names = set()
    files = sorted((release / "coco" / "deepfashion2").glob("*.json"))
    assert files
    for path in files:
        coco = COCO(str(path))
        for image in coco.loadImgs(coco.getImgIds()):
            names.add(image["file_name"])
            record = image_of[image["file_name"]]
            got = (dest / image["file_name"]).read_bytes()
            assert got == store.image_bytes(release / "deepfashion2", record)
        if coco.getAnnIds():
            assert self_eval(coco, "bbox") == pytest.approx(1.0), path.name
    assert {p.name for p in dest.iterdir()} == names  # exactly the files named
    assert f"{len(names)} images" in capsys.readouterr().out


def test_a_file_name_without_an_image_is_refused(tmp_path, capsys):
    release = df2_release(tmp_path)
    path = next((release / "coco" / "deepfashion2").glob("instances_*.json"))
    coco = json.loads(path.read_text())
    coco["images"][0]["file_name"] = "nowhere.image.jpg"
    path.write_text(json.dumps(coco))
    assert main(["export", "images", str(release), "deepfashion2", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "1 file_name(s) name no file of the release, e.g. nowhere.image.jpg" in err
