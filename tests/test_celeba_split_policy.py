"""CelebA split policy (`normalise.celeba.split`): CelebA's own partition, or CelebAMask-HQ's
g_partition.py rule, checked on the two boundary images against a re-statement of that
script's comparisons, through the normaliser and the summary."""

import numpy as np
import pytest

from humanprep.datasets.celeba import demo as demo
from humanprep.datasets.celeba import normalise as celeba
from humanprep.datasets.celeba.formats import celeba_split, celebamask_hq_split
from humanprep.demo import figure
from humanprep.io import write_jsonl
from humanprep.items import png_bytes
from humanprep.normalise.summary import summarise
from humanprep.store import ItemFiles

BOUNDARY = (162770, 182637)  # 0-based CelebA indices: files 162771.jpg and 182638.jpg


def g_partition(x):
    """The comparisons g_partition.py applies to column 1 (orig_idx) of the mapping file."""
    if x >= 162771 and x < 182638:
        return "val"
    if x >= 182638:
        return "test"
    return "train"


def test_boundary_images_land_one_split_apart():
    assert [celeba_split(x) for x in BOUNDARY] == ["val", "test"]
    assert [celebamask_hq_split(x) for x in BOUNDARY] == ["train", "val"]
    assert [g_partition(x) for x in BOUNDARY] == ["train", "val"]


def test_rule_agrees_with_g_partition_around_both_boundaries():
    for x in [*range(162760, 162785), *range(182625, 182650), 0, 202598]:
        assert celebamask_hq_split(x) == g_partition(x), x
        if x not in BOUNDARY:  # only the two boundary images differ between the rules
            assert celeba_split(x) == g_partition(x), x


def entry(tmp_path, k):
    """One CelebA item on disk: image, one part mask, ten captions."""
    image = tmp_path / f"{k}.jpg"
    image.write_bytes(figure.jpeg_bytes(np.full((32, 32, 3), 128, np.uint8)))
    mask = tmp_path / f"{k}_skin.png"
    mask.write_bytes(png_bytes(np.full((16, 16), 255, np.uint8)))
    captions = tmp_path / f"{k}.txt"
    captions.write_text("".join(f"caption {i}\n" for i in range(10)))
    return {"id": f"{k:05d}", "files": {"image": image, "mask_skin": mask, "captions": captions}}


@pytest.mark.parametrize(
    "policy, expected", [("celeba", ["val", "test"]), ("celebamask_hq", ["train", "val"])]
)
def test_normaliser_and_summary_follow_the_policy(tmp_path, policy, expected):
    mapping = tmp_path / "mapping.txt"
    rows = [f"{k} {x} {x + 1:06d}.jpg" for k, x in enumerate(BOUNDARY)]
    mapping.write_text("idx orig_idx orig_file\n" + "\n".join(rows) + "\n")
    ctx = celeba.load_context({"CelebA-HQ-to-CelebA-mapping.txt": mapping}, {"split": policy})
    records = [celeba.normalise(entry(tmp_path, k), ctx, ItemFiles(f"{k:05d}")) for k in range(2)]
    assert [r["split"] for r in records] == expected
    assert [r["celeba"]["celeba_split"] for r in records] == ["val", "test"]  # always CelebA's
    assert {r["celeba"]["split_policy"] for r in records} == {policy}
    write_jsonl(tmp_path / "shard-00000.jsonl", records)
    summary = summarise("celeba", [tmp_path / "shard-00000.jsonl"], [], 0.0)
    assert summary["split_policy"] == policy
    assert summary["splits"] == {s: expected.count(s) for s in sorted(set(expected))}
    assert summary["splits_by_policy"] == {
        "celeba": {"test": 1, "val": 1},
        "celebamask_hq": {"train": 1, "val": 1},
    }


def test_demo_holds_both_boundary_images():
    assert set(BOUNDARY) <= set(demo.ORIG_IDX.values())


def test_card_says_which_rule_and_both_counts():
    from humanprep.release.build import conventions

    summary = {"split_policy": "celebamask_hq"}
    summary["splits_by_policy"] = {"celeba": {"val": 1, "test": 1}, "celebamask_hq": {"train": 1}}
    spec = {"coco": {"deepfashion2": "x"}, "summaries": {"celeba": summary}}
    lines = conventions(
        {**spec, "coco_options": {"deepfashion2": {"compat": "official"}}},
        {"celeba": [], "deepfashion2": []},
    )
    assert "official converter" in lines[0] and "info.convention`: official" in lines[0]
    assert "g_partition.py (`normalise.celeba.split: celebamask_hq`)" in lines[1]
    assert "list_eval_partition): test 1, val 1" in lines[1]
    assert "corrected" in conventions(spec, {"deepfashion2": []})[0]
