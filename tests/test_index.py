from humanprep.datasets import DESCRIPTORS


def test_fdh_groups_members_by_key_and_ignores_hidden_files(tmp_path):
    root = tmp_path / "cc-by-2"
    root.mkdir()
    for name in ("0000042.image.png", "0000042.E_mask.png", "0000009.image.png"):
        (root / name).write_bytes(b"x")
    (root / ".snakemake_timestamp").write_bytes(b"")
    entries, side = DESCRIPTORS["fdh"].entries([root], [tmp_path / "metadata.json"])
    assert [e["id"] for e in entries] == ["0000009", "0000042"]
    assert entries[1]["files"] == {
        "e_mask.png": str(root / "0000042.E_mask.png"),
        "image.png": str(root / "0000042.image.png"),
        "tar": "cc-by-2",
    }
    assert side == {"metadata.json": str(tmp_path / "metadata.json")}


def test_huge100k_ids_keep_spaces_and_tildes(tmp_path):
    group = tmp_path / "HuGe100K" / "flux_batch1" / "images0"
    (group / "videos").mkdir(parents=True)
    (group / "param").mkdir()
    name = "Algeria_female_average_high fashion_50~60 years old_844"
    for path in (group / "videos" / f"{name}.mp4", group / "videos" / f"{name}.jpg"):
        path.write_bytes(b"x")
    (group / "param" / f"{name}.npy").write_bytes(b"x")
    entries, _ = DESCRIPTORS["huge100k"].entries([tmp_path])
    assert entries[0]["id"] == f"flux_batch1/images0/{name}"
    assert set(entries[0]["files"]) == {"video", "reference", "params"}
