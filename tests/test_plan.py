"""The shard plan streamed through per-shard files: the same manifests as splitting a
list, and an id met twice (FDH members of one key apart in a tar) gets its files merged."""

from humanprep.io import read_json, read_jsonl
from humanprep.shards import shard_name, split_into_shards
from humanprep.stages.plan_shards import MANIFEST, shard_entries, write_plan


def test_streamed_plan_matches_split_and_merges_repeats(tmp_path):
    ids = [f"{i:07d}" for i in range(500)]
    entries = [{"id": i, "files": {"image.png": f"{i}.png"}} for i in ids]
    entries.append({"id": ids[7], "files": {"mask.png": "late.png"}})  # the key again
    plan = write_plan(tmp_path / "plan", "fdh", iter(entries), {}, 7)
    expected = split_into_shards(ids, 7)
    assert plan["items"] == 500
    for index, shard_ids in enumerate(expected):
        rows = shard_entries(tmp_path / "plan", plan, shard_name(index))
        assert [r["id"] for r in rows] == shard_ids
        assert plan["shard_items"][shard_name(index)] == len(shard_ids)
    # one manifest for all shards, each shard's lines where plan.json says
    assert sorted((tmp_path / "plan").iterdir()) == [
        tmp_path / "plan" / n for n in (MANIFEST, "plan.json")
    ]
    merged = [r for r in read_jsonl(tmp_path / "plan" / MANIFEST) if r["id"] == ids[7]]
    assert merged == [
        {"id": ids[7], "files": {"image.png": f"{ids[7]}.png", "mask.png": "late.png"}}
    ]
    assert read_json(tmp_path / "plan" / "plan.json") == plan
    assert not list((tmp_path / "plan").glob(".*.part"))
