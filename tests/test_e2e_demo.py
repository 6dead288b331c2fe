"""The whole workflow on the embedded demo: outputs checked against the demo's design."""

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from humanprep import store
from humanprep.datasets import DATASETS, DEMO_PASSWORDS, DESCRIPTORS
from humanprep.io import read_jsonl
from humanprep.schemas import record_schema

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def _records(work, dataset):
    folder = Path(work, "results", "normalised", dataset)
    return [r for p in sorted(folder.glob("shard-*[0-9].jsonl")) for r in read_jsonl(p)]


def test_every_dataset_normalised_and_valid(demo_run):
    work = demo_run[0]
    validator = jsonschema.Draft202012Validator(record_schema())
    for dataset in DATASETS:
        records = _records(work, dataset)
        assert records, dataset
        for record in records:
            assert not list(validator.iter_errors(record)), record["id"]
            base = Path(work, "results", "normalised", dataset)
            assert store.image_bytes(base, record)  # its container holds it (sha256 checked)
        summary = json.loads(
            Path(work, "results", "normalised", dataset, "summary.json").read_text()
        )
        assert summary["kept"] == len(records)


def test_shards_follow_the_registry(demo_run):
    work = demo_run[0]
    for dataset in DATASETS:
        plan = json.loads(Path(work, "results", "shards", dataset, "plan.json").read_text())
        assert sum(plan["shard_items"].values()) == plan["items"]
        assert plan["n_shards"] >= 2  # the demo's tiny shards exercise sharding


def test_no_secret_anywhere(demo_run):
    from conftest import URL_PASSWORD, URL_TOKEN, URL_USER

    work, res, _, _, command_lines = demo_run
    canaries = [*DEMO_PASSWORDS.values(), URL_USER, URL_PASSWORD, URL_TOKEN]
    for secret in canaries:
        # Everything the run wrote: Snakemake's records (metadata, logs, incomplete markers),
        # rule logs, benchmarks and outputs, the release; and what it printed.
        hits = subprocess.run(
            ["grep", "-rl", "--", secret, ".snakemake", "results", "releases"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        assert hits.stdout == "", f"{secret!r} found in {hits.stdout}"
        assert secret not in res.stdout + res.stderr
        assert not [line for line in command_lines if secret in line], secret
    assert any("snakemake" in line for line in command_lines)  # the poller saw the run


def test_url_credentials_reached_the_server(demo_run):
    import base64

    from conftest import URL_PASSWORD, URL_TOKEN, URL_USER

    server = demo_run[2]
    basic = "Basic " + base64.b64encode(f"{URL_USER}:{URL_PASSWORD}".encode()).decode()
    gets = [e for e in server.log if e["method"] == "GET"]
    assert gets and all(e["query"] == f"token={URL_TOKEN}" for e in gets)
    assert all(e["authorization"] == basic for e in gets)


def test_rerun_is_a_no_op(plain_run):
    from conftest import snakemake

    work = plain_run[0]
    res = snakemake(work, "-n")
    assert res.returncode == 0, res.stderr
    assert "Nothing to be done" in res.stdout + res.stderr


def test_fdh_downloaded_and_resumed(demo_run):
    from conftest import DROPPED

    work, _, server, served, _ = demo_run
    for path, data in served.items():
        local = Path(work, "results", "demo", "raw", path.lstrip("/"))
        assert local.read_bytes() == data, path
        assert not local.with_name(local.name + ".part").exists()
    # the dropped transfer resumed: its bytes crossed the wire once, not twice
    assert server.bytes_served[DROPPED] == len(served[DROPPED])
    assert server.gets[DROPPED] == 2
    ranged = [e for e in server.log if e["path"] == DROPPED and e.get("range")]
    assert ranged and ranged[0]["range"] == f"bytes={len(served[DROPPED]) // 2}-"
    log = Path(work, "results", "logs", "download", "fdh", DROPPED.rsplit("/", 1)[1] + ".log")
    assert "done" in log.read_text()


RELEASE = Path("releases", "humanprep-demo-0.1.0")


def test_release_passes_its_own_verify(plain_run):
    work, res = plain_run
    release = work / RELEASE
    assert str(RELEASE) in res.stdout + res.stderr or (work / RELEASE).is_dir()
    ok = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=release)
    assert ok.returncode == 0
    from humanprep.cli import main

    assert main(["verify-release", str(release)]) == 0
    (release / "fdh" / "stray").write_text("x")
    assert main(["verify-release", str(release)]) == 1
    (release / "fdh" / "stray").unlink()


def test_release_contents_follow_the_demo(plain_run):
    work, _ = plain_run
    release = work / RELEASE
    manifest = json.loads((release / "manifest.json").read_text())
    datasets = {f["dataset"] for f in manifest["files"] if f["dataset"]}
    assert datasets == set(DATASETS)
    provenance = json.loads((release / "PROVENANCE.json").read_text())
    assert {i["dataset"] for i in provenance["inputs"]} == set(DATASETS)
    assert {a["dataset"] for a in provenance["agreements"]} == set(DATASETS)
    attribution = (release / "ATTRIBUTION.csv").read_text().splitlines()[1:]
    # 12 FDH items kept (14 minus the two of the opted-out user), all CC-BY family
    assert len(attribution) == 12 and not any("0001201" in line for line in attribution)
    card = (release / "README.md").read_text()
    assert "| fdh | normalise: removed | 2 |" in card
    fullbody = json.loads((release / "derived/deepfashion2-fullbody/summary.json").read_text())
    assert fullbody["accepted"] == 6 and fullbody["decisions"] == 18
    # derived files of the released items come along: 4 maps per CelebA face, 1 composite
    # per kept SHHQ image (12 minus the truncated one)
    assert members(release / "derived/celeba-sketch", ".png") == 4 * 10
    assert members(release / "derived/shhq-composite", ".jpg") == 11


def members(folder, suffix):
    """Members of a folder's shard containers ending with suffix."""
    import tarfile

    count = 0
    for tar in sorted(folder.glob("shard-*/*.tar")):
        with tarfile.open(tar) as members:
            count += sum(name.endswith(suffix) for name in members.getnames())
    return count


def test_release_deepprivacy2_layout_holds_every_fdh_item(plain_run):
    import webdataset as wds

    release = plain_run[0] / RELEASE
    records = [r for p in sorted((release / "fdh").glob("shard-*.jsonl")) for r in read_jsonl(p)]
    shards = json.loads((release / "deepprivacy2/fdh/shards.json").read_text())
    for split in ("train", "val"):
        pattern = str(release / "deepprivacy2/fdh" / shards[split]["pattern"])
        samples = list(wds.DataPipeline(wds.SimpleShardList(pattern), wds.tarfile_to_samples()))
        assert [s["__key__"] for s in samples] == [r["id"] for r in records if r["split"] == split]
        assert all(
            {"image.png", "mask.png", "keypoints.npy", "vertices.npy"} <= set(s) for s in samples
        )


def test_release_split_tars_hold_every_record(plain_run):
    """A release shard's tars never mix splits: webdataset reads each split's items from
    that split's tars alone, each with its record and image."""
    import webdataset as wds

    work, _ = plain_run
    release = work / RELEASE
    for dataset in DATASETS:
        records = [
            r for p in sorted((release / dataset).glob("shard-*.jsonl")) for r in read_jsonl(p)
        ]
        for split in sorted({r["split"] for r in records}):
            tars = sorted((release / dataset).glob(f"shard-*/{split}.tar"))
            samples = [s for t in tars for s in wds.WebDataset(str(t), shardshuffle=False)]
            wanted = [r for r in records if r["split"] == split]
            assert [json.loads(s["json"]) for s in samples] == wanted, (dataset, split)
            for sample, record in zip(samples, wanted, strict=True):
                image = store.member_name(record["image"]["path"]).split(".", 1)[1]
                assert image in sample, (dataset, sample["__key__"])


# Rebuilding from scratch gives the same bytes: tests/test_module.py runs the demo again from
# nothing, elsewhere (as a module), and compares its release with plain_run's.


def test_opt_out_release_diff_lists_removed_items(plain_run, tmp_path):
    import shutil

    from conftest import run_or_fail

    from humanprep.cli import main

    work = tmp_path / "humanprep"
    shutil.copytree(plain_run[0], work, symlinks=True)
    extra = tmp_path / "v1.yaml"
    extra.write_text(
        "release:\n  version: 1.0.0\n"
        "normalise:\n  fdh:\n    opt_out_nsids: ['12345678@N00', '23456789@N01']\n"
    )
    run_or_fail(work, "--configfile", "config/config.yaml", extra)
    old, new = work / RELEASE, work / "releases" / "humanprep-demo-1.0.0"
    out = tmp_path / "CHANGES.md"
    assert main(["diff", str(old), str(new), "--out", str(out)]) == 0
    text = out.read_text()
    # 23456789@N01 owns FDH ids 42 and 812004 (humanprep.datasets.fdh.demo.SAMPLES)
    assert "## Removed: 2\n\n- fdh 0000042\n- fdh 0812004\n" in text
    assert "## Added: 0" in text and "## Changed: 0" in text
    assert "Required version bump: **major**; this release made: **major**." in text


def test_released_coco_files_load_and_masks_decode(plain_run, tmp_path):
    from pycocotools.coco import COCO

    work, _ = plain_run
    files = sorted((work / RELEASE / "coco").rglob("*.json"))
    assert {f.parent.name for f in files} == {d for d in DATASETS if DESCRIPTORS[d].coco}
    from humanprep.io import dumps
    from humanprep.release.export import export_images

    for path in files:
        # canonical bytes: linking an unfiltered export equals filtering it
        assert path.read_text() == dumps(json.loads(path.read_text())), path.name
        coco = COCO(str(path))
        for ann in coco.loadAnns(coco.getAnnIds()):
            if "segmentation" in ann:
                assert coco.annToMask(ann).sum() > 0, (path.name, ann["id"])
    for dataset in {f.parent.name for f in files}:
        # file names are the images' member names: `humanprep export images` writes them
        dest = tmp_path / dataset
        export_images(work / RELEASE, dataset, dest)
        for path in (f for f in files if f.parent.name == dataset):
            for image in json.loads(path.read_text())["images"]:
                assert (dest / image["file_name"]).is_file(), (path.name, image["file_name"])
