"""DeepFashion-MultiModal: format facts against the upstream README, the true-layout demo
(rebuilt byte for byte, matching its registry), item recognition, normalisation with its
planted oddities, hand-computed keypoint conversions, and the COCO export loaded and
evaluated on itself by pycocotools."""

import contextlib
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from humanprep import store
from humanprep.acquire.items import member_names
from humanprep.acquire.registry import load_registry
from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.deepfashion_mm import coco as coco_dfmm
from humanprep.datasets.deepfashion_mm import demo as demo
from humanprep.datasets.deepfashion_mm import formats as fmt
from humanprep.datasets.deepfashion_mm import normalise as norm
from humanprep.datasets.deepfashion_mm.sheet import contact_sheet as deepfashion_mm_sheet
from humanprep.items import BadItem
from humanprep.schemas import record_schema

DFMM = DESCRIPTORS["deepfashion_mm"]
REPO = Path(__file__).resolve().parents[1]
FILES = ["captions.json", "densepose.zip", "images.zip", "keypoints.zip", "labels.zip", "segm.zip"]
DRESS = "WOMEN-Dresses-id_00000002-02_1_front"
DENIM = "MEN-Denim-id_00000080-01_7_additional"
JACKET = "MEN-Jackets_Vests-id_00000971-03_4_full"
SKIRT = "WOMEN-Skirts-id_00000121-01_2_side"
BLOUSE = "WOMEN-Blouses_Shirts-id_00000001-02_4_full"
TEES = "MEN-Tees_Tanks-id_00000390-02_1_front"
# What normalisation must say about each planted oddity (see demo/deepfashion_mm.py).
EXPECTED_FIXES = {
    DENIM: [],
    DRESS: [],
    TEES: [],
    JACKET: [
        "densepose: 75x110, image is 150x220: dropped",
        "keypoints: in keypoints_loc.txt but not in keypoints_vis.txt: keypoints dropped",
    ],
    BLOUSE: [
        "colour: upper code 8 outside 0-7: left out",
        "caption: image not in captions.json",
    ],
    SKIRT: [
        "keypoints: 5 (left_ear) visibility 0 but location -1 -1: marked unlabelled",
        "shape: image not in shape_anno_all.txt",
    ],
}
EXPECTED_QUARANTINE = {
    "WOMEN-Pants-id_00000450-05_7_additional": "does not decode",
    "WOMEN-Rompers_Jumpsuits-id_00000235-01_3_back": (
        "parsing map holds class 30 at (75, 110), outside 0-23"
    ),
}


def normalise_all(entries, side):
    """Every entry normalised into one shard `s0` of the store, as normalisation does: a
    quarantined item's held files are never committed."""
    ctx = norm.load_context(side, {})
    out, records, quarantine = Path(side["captions"]).parents[1] / "normalised", {}, {}
    (out / "s0").mkdir(parents=True)
    with store.ShardWriter(out / "s0", "s0") as writer:
        for entry in entries:
            files = writer.item(entry["id"])
            try:
                record = norm.normalise(entry, ctx, files)
            except BadItem as err:
                quarantine[entry["id"]] = str(err)
            else:
                records[entry["id"]] = writer.commit(files, record)
    return records, quarantine, out


def members(shard_dir):
    """Names of every member of the shard's containers."""
    names = []
    for path in sorted(Path(shard_dir).glob("*.tar")):
        with tarfile.open(path) as tar:
            names += tar.getnames()
    return names


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("dfmm")
    paths = demo.build(base / "raw", seed=0)
    roots = []
    for path in paths:
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as zf:
                zf.extractall(base / "unpacked" / path.stem)
            roots.append(base / "unpacked" / path.stem)
    side_files = [p for p in paths if p.suffix == ".json"]
    entries, side = DFMM.entries(roots, side_files)
    records, quarantine, out = normalise_all(entries, side)
    return {"base": base, "paths": paths, "entries": entries, "side": side,
            "records": records, "quarantine": quarantine, "normalised": out}  # fmt: skip


def read_zip(path, name):
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


# Format facts ---------------------------------------------------------------------------


def test_format_facts_match_the_readme():
    assert len(fmt.CLASSES) == 24
    assert (fmt.CLASSES[0], fmt.CLASSES[1], fmt.CLASSES[13], fmt.CLASSES[17]) == (
        "background", "top", "hair", "wrist wearing",
    )  # fmt: skip
    assert fmt.CLASSES[23] == "tie"
    assert len(fmt.KEYPOINTS) == len(set(fmt.KEYPOINTS)) == 21
    assert all(1 <= a <= 21 and 1 <= b <= 21 and a != b for a, b in fmt.SKELETON)
    assert fmt.TO_COCO_V == {0: 2, 1: 1, 2: 0}  # README: 0 visible, 1 hidden, 2 absent
    # README "Shape Annotations": value counts of attributes 0-11, NA last in each.
    assert [len(v) for _, v in fmt.SHAPE] == [6, 5, 4, 3, 5, 3, 3, 3, 5, 7, 3, 3]
    assert all(v[-1] == "NA" for _, v in fmt.SHAPE)
    assert fmt.FABRIC.index("NA") == fmt.COLOUR.index("NA") == 7
    assert fmt.COLOUR[6] == "color block" and fmt.FABRIC[5] == "chiffon"
    match = fmt.NAME.match(DENIM)
    assert match.groupdict() == {"gender": "MEN", "category": "Denim", "item": "00000080",
                                 "look": "01", "photo": "7", "view": "additional"}  # fmt: skip


def test_descriptor():
    assert DFMM.password_env is None
    assert "yumingj/DeepFashion-MultiModal" in DFMM.how_to_obtain
    assert all(name in DFMM.how_to_obtain for name in FILES)
    assert "@article{jiang2022text2human" in DFMM.citation
    assert DFMM.licence == norm.LICENSE


# Demo -----------------------------------------------------------------------------------


def test_demo_is_deterministic_and_matches_its_registry(run, tmp_path):
    again = demo.build(tmp_path, seed=0)
    assert [p.name for p in run["paths"]] == [p.name for p in again] == FILES
    for a, b in zip(run["paths"], again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    registry = {e.file: e for e in load_registry(REPO / "registry/demo/deepfashion_mm.tsv")}
    assert sorted(registry) == FILES
    for path in run["paths"]:
        data = path.read_bytes()
        assert registry[path.name].sha256 == hashlib.sha256(data).hexdigest(), path.name
        assert registry[path.name].size == len(data)
        if path.suffix == ".zip":
            counted = DFMM.count_items(member_names(path))
            assert registry[path.name].items == counted, path.name
        else:
            assert registry[path.name].items == 0
    assert registry["images.zip"].items == 8


def test_upstream_registry():
    entries = {e.file: e for e in load_registry(REPO / "registry/upstream/deepfashion_mm.tsv")}
    assert sorted(entries) == FILES
    assert entries["images.zip"].items == 44_096  # README: 44,096 images
    assert entries["captions.json"].kind == "file"
    assert (REPO / "terms" / "deepfashion_mm.md").is_file()


def test_demo_layout(run):
    raw = run["base"] / "raw"
    images = [n for n in member_names(raw / "images.zip")]
    assert images == [f"images/{n}.jpg" for n in demo.NAMES] and len(images) == 8
    segm = member_names(raw / "segm.zip")
    assert segm == [f"segm/{n}_segm.png" for n in demo.FULL_BODY] and len(segm) == 5
    assert member_names(raw / "keypoints.zip") == [
        "keypoints/keypoints_loc.txt", "keypoints/keypoints_vis.txt",
    ]  # fmt: skip
    assert member_names(raw / "labels.zip") == [
        "labels/shape/shape_anno_all.txt", "labels/texture/fabric_ann.txt",
        "labels/texture/pattern_ann.txt",
    ]  # fmt: skip
    image = Image.open(io.BytesIO(read_zip(raw / "images.zip", f"images/{DENIM}.jpg")))
    assert (image.format, image.size) == ("JPEG", (150, 220))  # the real 750 x 1101 / 5
    parsing = Image.open(io.BytesIO(read_zip(raw / "segm.zip", f"segm/{DENIM}_segm.png")))
    assert parsing.mode == "L" and np.asarray(parsing).max() <= 23
    vis = read_zip(raw / "keypoints.zip", "keypoints/keypoints_vis.txt").decode().split("\n")
    dress = next(line.split() for line in vis if line.startswith(DRESS))
    assert len(dress) == 22 and dress[2] == "2" and dress[16] == "1"  # right_ear, wrist
    captions = json.loads((raw / "captions.json").read_text())
    assert f"{BLOUSE}.jpg" not in captions and f"{DENIM}.jpg" in captions


# Recognition ----------------------------------------------------------------------------


def test_index_finds_items_and_side_files(run):
    entries = {e["id"]: e["files"] for e in run["entries"]}
    assert sorted(entries) == demo.NAMES
    assert sorted(entries[DENIM]) == ["densepose", "image", "parsing"]
    assert sorted(entries[TEES]) == ["densepose", "image"]
    assert sorted(run["side"]) == ["captions", "colour", "fabric", "keypoints_loc",
                                   "keypoints_vis", "shape"]  # fmt: skip
    assert Path(run["side"]["colour"]).name == "pattern_ann.txt"


def test_index_ignores_folders_and_flags_orphans(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("x.jpg", "x_segm.png", "y_densepose.png", "keypoints_loc.txt"):
        (tmp_path / "a" / name).write_bytes(b"")
    entries, side = DFMM.entries([tmp_path / "a"], [])
    assert [e["id"] for e in entries] == ["x", "y"]
    assert sorted(entries[0]["files"]) == ["image", "parsing"]
    assert list(entries[1]["files"]) == ["densepose"]
    assert list(side) == ["keypoints_loc"]
    with pytest.raises(BadItem, match=r"no image y\.jpg for its densepose file"):
        norm.normalise(entries[1], {}, store.ItemFiles("y"))


# Keypoints, hand-computed -----------------------------------------------------------------


def test_keypoint_conversion_by_hand():
    # point: (x, y), upstream code -> expected COCO triple
    cases = [
        ((10, 20), 0, [10, 20, 2]),  # visible
        ((30, 40), 1, [30, 40, 1]),  # hidden but present
        ((-1, -1), 2, [0, 0, 0]),  # absent
        ((-1, -1), 0, [0, 0, 0]),  # "visible" without a location: repaired
        ((5, 6), 2, [0, 0, 0]),  # "absent" with a location: repaired
        ((500, 7), 0, [0, 0, 0]),  # beyond the 100-px width: repaired
        ((8, 9), 7, [0, 0, 0]),  # unknown code: repaired
    ]
    cases += [((1, 1), 0, [1, 1, 2])] * (21 - len(cases))
    loc = [float(c) for (xy, _, _) in cases for c in xy]
    vis = [code for (_, code, _) in cases]
    fixes = []
    points = norm.convert_keypoints(loc, vis, 100, 200, fixes)
    assert points == [want for (_, _, want) in cases]
    assert fixes == [
        "keypoints: 4 (left_eye) visibility 0 but location -1 -1: marked unlabelled",
        "keypoints: 5 (left_ear) absent (2) but located at (5, 6): location dropped",
        "keypoints: 6 (nose) (500, 7) outside the 100x200 image: marked unlabelled",
        "keypoints: 7 (chin) visibility code 7 unknown: marked unlabelled",
    ]


def test_malformed_line_quarantines_only_its_image():
    table = norm.parse_table(["a.jpg 1 2", "b.jpg 1", "c.jpg x y", ""], "f.txt", 2, float)
    assert table["a"] == [1.0, 2.0]
    assert table["b"] == "f.txt line 2: 2 fields, expected 3"
    assert table["c"].startswith("f.txt line 3: could not convert")
    with pytest.raises(BadItem, match="malformed line in f.txt line 2"):
        norm._row({"shape": table}, "shape", "b")


# Normalisation of the demo ----------------------------------------------------------------


def test_oddities_are_fixed_or_quarantined_with_reasons(run):
    assert sorted(run["records"]) == sorted(EXPECTED_FIXES)
    for item, fixes in EXPECTED_FIXES.items():
        assert run["records"][item]["deepfashion_mm"]["fixes"] == fixes, item
    assert sorted(run["quarantine"]) == sorted(EXPECTED_QUARANTINE)
    names = members(run["normalised"] / "s0")
    assert f"{store.item_key(DENIM)}.image.jpg" in names
    for item, reason in EXPECTED_QUARANTINE.items():
        assert reason in run["quarantine"][item]
        # nothing of the item stays in the store
        assert not [n for n in names if n.startswith(f"{store.item_key(item)}.")], item


def test_records_follow_the_schema(run):
    validator = jsonschema.Draft202012Validator(record_schema())
    for record in run["records"].values():
        assert not list(validator.iter_errors(record)), record["id"]
    bad = json.loads(json.dumps(run["records"][DRESS]))
    bad["deepfashion_mm"]["keypoints"] = bad["deepfashion_mm"]["keypoints"][:20]
    assert list(validator.iter_errors(bad))


def test_keypoints_follow_the_files(run):
    raw = run["base"] / "raw"
    loc = read_zip(raw / "keypoints.zip", "keypoints/keypoints_loc.txt").decode()
    fields = next(line.split() for line in loc.splitlines() if line.startswith(DRESS))
    xy = [float(v) for v in fields[1:]]
    points = run["records"][DRESS]["deepfashion_mm"]["keypoints"]
    for k, (x, y, v) in enumerate(points):
        if k == fmt.KEYPOINTS.index("right_ear"):  # code 2, -1 -1
            assert [x, y, v] == [0, 0, 0] and xy[2 * k : 2 * k + 2] == [-1, -1]
        else:
            assert [x, y] == xy[2 * k : 2 * k + 2]
            assert v == (1 if k == fmt.KEYPOINTS.index("left_wrist_inner") else 2)
    assert run["records"][JACKET]["deepfashion_mm"]["keypoints"] is None
    assert run["records"][TEES]["deepfashion_mm"]["keypoints"] is None  # not full-body


def test_parsing_labels_and_caption(run):
    raw, out = run["base"] / "raw", run["normalised"]
    denim = run["records"][DENIM]
    sub = denim["deepfashion_mm"]
    shipped = np.asarray(
        Image.open(io.BytesIO(read_zip(raw / "segm.zip", f"segm/{DENIM}_segm.png")))
    )
    assert store.member_name(sub["parsing"]) == f"{DENIM}.parsing.png"  # a safe id: its key
    written = np.asarray(store.open_image(out, sub["parsing"]))
    assert np.array_equal(written, shipped)
    assert (sub["gender"], sub["category"], sub["full_body"]) == ("MEN", "Denim", True)
    assert sub["shape"]["sleeve_length"] == "short-sleeve"  # code 1
    assert sub["shape"]["lower_clothing_length"] == "long"  # code 3
    assert sub["shape"]["outer_clothing_a_cardigan"] is None  # code 2 = NA
    assert sub["fabric"] == {"upper": "cotton", "lower": "denim", "outer": None}
    assert sub["caption"].startswith("The upper clothing has short sleeves")
    pose = np.asarray(store.open_image(out, sub["densepose"]))
    assert pose.shape == (220, 150, 3) and pose[..., 2].max() <= 24
    blouse = run["records"][BLOUSE]["deepfashion_mm"]
    assert blouse["colour"]["upper"] is None and blouse["caption"] is None
    assert blouse["full_body"] is False and blouse["parsing"] is None
    assert run["records"][SKIRT]["deepfashion_mm"]["shape"] is None
    assert run["records"][JACKET]["deepfashion_mm"]["densepose"] is None


# COCO export ----------------------------------------------------------------------------


def test_image_ids():
    assert coco_dfmm.image_id(DENIM) == 80 * 10**5 + 1 * 10**3 + 7 * 10 + 5
    assert coco_dfmm.image_id(DRESS) == 2 * 10**5 + 2 * 10**3 + 1 * 10 + 1
    odd = coco_dfmm.image_id("not-a-deepfashion-name")
    assert 10**13 <= odd < 2 * 10**13 and odd == coco_dfmm.image_id("not-a-deepfashion-name")
    assert (2 * 10**13) * 100 < 2**53  # annotation ids stay exact in JSON readers


@pytest.fixture(scope="module")
def export(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("coco")
    records = [run["records"][k] for k in sorted(run["records"])]
    return out, coco_dfmm.export(records, out, run["normalised"])


def quiet_eval(gt, anns, iou_type, sigmas=None):
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes([dict(a, score=1.0) for a in anns])
        ev = COCOeval(gt, dt, iou_type)
        if sigmas is not None:
            ev.params.kpt_oks_sigmas = sigmas
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats


def test_export_counts(export):
    _, result = export
    assert result["files"] == {
        "parsing_all.json": {"images": 4, "annotations": result["counts"]["parsing_annotations"]},
        "person_keypoints_all.json": {"images": 6, "annotations": 4},
    }
    assert result["counts"]["images"] == 6 and result["counts"]["parsing_images"] == 4


def test_export_loads_and_evaluates_on_itself(export, run):
    out, _ = export
    with contextlib.redirect_stdout(io.StringIO()):
        people = COCO(str(out / "person_keypoints_all.json"))
        parsing = COCO(str(out / "parsing_all.json"))
    category = people.loadCats(1)[0]
    assert category["keypoints"] == list(fmt.KEYPOINTS) and len(category["skeleton"]) == 25
    anns = people.dataset["annotations"]
    with_points = [a for a in anns if a["num_keypoints"]]
    stats = quiet_eval(people, with_points, "keypoints", np.full(21, 0.05))
    assert stats[0] == pytest.approx(1.0)
    assert quiet_eval(parsing, parsing.dataset["annotations"], "segm")[0] == pytest.approx(1.0)
    # the person mask is every non-background parsing pixel (counted with numpy)
    denim = run["records"][DENIM]
    label = np.asarray(store.open_image(run["normalised"], denim["deepfashion_mm"]["parsing"]))
    ann = people.loadAnns(people.getAnnIds(imgIds=[coco_dfmm.image_id(DENIM)]))[0]
    assert ann["area"] == int((label > 0).sum())
    flat = [c for point in denim["deepfashion_mm"]["keypoints"] for c in point]
    assert ann["keypoints"] == flat and ann["num_keypoints"] == 21
    classes = {
        a["category_id"] for a in parsing.loadAnns(parsing.getAnnIds(imgIds=[ann["image_id"]]))
    }
    assert classes == set(np.unique(label).tolist()) - {0}


def test_export_is_deterministic(export, run, tmp_path):
    out, _ = export
    records = [run["records"][k] for k in sorted(run["records"])]
    coco_dfmm.export(list(reversed(records)), tmp_path, run["normalised"])
    for name in ("person_keypoints_all.json", "parsing_all.json"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


# Report ---------------------------------------------------------------------------------


def test_contact_sheet(run):
    records = list(run["records"].values())
    first = deepfashion_mm_sheet(records, run["normalised"], {}, n=4)
    second = deepfashion_mm_sheet(list(reversed(records)), run["normalised"], {}, n=4)
    assert first.tobytes() == second.tobytes() and first.size == second.size
    assert first.width > 4 * 150  # four tiles in a row: both full-body and other images


def test_card_entry(run):
    (note,) = DFMM.card_notes({}, {})
    assert "SHHQ" in note and "DeepFashion" in note
    assert DFMM.categories(run["records"][DENIM]) == ["Denim"]
    odd = {"deepfashion_mm": {"category": None}}
    assert DFMM.categories(odd) == []
