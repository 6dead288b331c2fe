"""Every configurable threshold exactly at its boundary: the value at the limit passes and
the next representable value beyond it fails. Turning a `<` into `<=` (or `>` into `>=`)
in the code makes one of these fail."""

import io
import math
import tarfile
import zipfile

import pytest

from humanprep.acquire.unpack import RATIO_MIN_BYTES, Limits, Member, check_members, extract
from humanprep.datasets.deepfashion2.fullbody import decide
from humanprep.errors import HumanprepError
from humanprep.io import write_jsonl
from humanprep.normalise.summary import summarise
from humanprep.settings import defaults

H = 200  # the defaults times 200 are exact: 100 px span, 16 px head room, 4 px feet room
BELOW, ABOVE = -math.inf, math.inf


def garment(cat, y1, y2, zoom_in=1, occlusion=1, item=1):
    names = {1: "short sleeve top", 8: "trousers"}
    return {"item": item, "category_id": cat, "category_name": names[cat],
            "bbox": [10, y1, 90, y2], "viewpoint": 2, "zoom_in": zoom_in,
            "occlusion": occlusion}  # fmt: skip


def outfit(top, bottom, **attrs):
    """An upper and a lower garment whose union spans y top..bottom."""
    mid = (top + bottom) / 2
    garments = [garment(1, top, mid, **attrs), garment(8, mid, bottom, item=2, **attrs)]
    return {"id": "x", "image": {"height": H}, "deepfashion2": {"garments": garments}}


def reason(record, **rules):
    return decide(record, rules)[0]


def test_defaults_are_the_documented_ones():
    assert defaults("fullbody")["min_height_fraction"] * H == 100.0
    assert defaults("fullbody")["min_head_room"] * H == 16.0
    assert defaults("fullbody")["min_feet_room"] * H == 4.0


def test_span_exactly_the_minimum_is_accepted():
    top = 50.0
    assert reason(outfit(top, top + 100.0)) == "accepted"  # span == 0.5 * H
    assert reason(outfit(top, math.nextafter(top + 100.0, BELOW))) == "too_short"


def test_head_room_exactly_the_minimum_is_accepted():
    assert reason(outfit(16.0, 180.0)) == "accepted"  # top == 0.08 * H
    assert reason(outfit(math.nextafter(16.0, BELOW), 180.0)) == "no_head_room"


def test_feet_room_exactly_the_minimum_is_accepted():
    assert reason(outfit(30.0, 196.0)) == "accepted"  # H - bottom == 0.02 * H
    assert reason(outfit(30.0, math.nextafter(196.0, ABOVE))) == "no_feet_room"


@pytest.mark.parametrize("fraction", [0.25, 0.6])
def test_span_boundary_follows_the_configured_fraction(fraction):
    top, span = 20.0, fraction * H
    assert reason(outfit(top, top + span), min_height_fraction=fraction) == "accepted"
    short = outfit(top, math.nextafter(top + span, BELOW))
    assert reason(short, min_height_fraction=fraction) == "too_short"


@pytest.mark.parametrize(
    "rule, field, rejected",
    [("max_zoom_in", "zoom_in", "zoomed_in"), ("max_occlusion", "occlusion", "occluded")],
)
@pytest.mark.parametrize("limit", [1, 2])
def test_attribute_exactly_at_its_maximum_is_accepted(rule, field, rejected, limit):
    assert reason(outfit(30.0, 180.0, **{field: limit}), **{rule: limit}) == "accepted"
    assert reason(outfit(30.0, 180.0, **{field: limit + 1}), **{rule: limit}) == rejected


# --------------------------------------------------------------- quarantine fraction


def df2_record(number):
    return {
        "dataset": "deepfashion2",
        "id": f"train/{number:06d}",
        "split": "train",
        "image": {
            "path": "a.jpg",
            "width": 1,
            "height": 1,
            "sha256": "0" * 64,
            "format": "jpeg",
            "reencoded": None,
        },  # fmt: skip
        "license": {"id": "x", "url": None},
        "attribution": None,
        "deepfashion2": {"source": None, "pair_id": None, "garments": []},
    }


def quarantine_run(tmp_path, kept, quarantined, max_fraction):
    write_jsonl(tmp_path / "r.jsonl", [df2_record(i) for i in range(kept)])
    entries = [{"id": f"q{i}", "kind": "quarantined", "reason": "bad", "shard": "000"}
               for i in range(quarantined)]  # fmt: skip
    write_jsonl(tmp_path / "q.jsonl", entries)
    return summarise("deepfashion2", [tmp_path / "r.jsonl"], [tmp_path / "q.jsonl"], max_fraction)


def test_quarantine_fraction_exactly_at_the_limit_passes(tmp_path):
    assert 3 / 10 == 0.3
    assert quarantine_run(tmp_path, 7, 3, 0.3)["quarantined"] == 3  # 30% of 10, limit 30%
    with pytest.raises(HumanprepError, match=r"4 of 10 items quarantined \(40.0%\)"):
        quarantine_run(tmp_path, 6, 4, 0.3)
    assert quarantine_run(tmp_path, 6, 4, 0.4)["quarantined"] == 4
    with pytest.raises(HumanprepError, match="1 of 4"):
        quarantine_run(tmp_path, 3, 1, 0.0)  # 0: no quarantine allowed at all
    assert quarantine_run(tmp_path, 4, 0, 0.0)["quarantined"] == 0


# --------------------------------------------------------------------- unpack limits


def files(n, size):
    return [Member(f"f{i}.bin", "file", size, size) for i in range(n)]


def test_total_bytes_exactly_at_the_limit_pass():
    check_members("a.zip", files(4, 25), 100, Limits(max_total_bytes=100))
    with pytest.raises(HumanprepError, match="101 bytes uncompressed, over"):
        check_members("a.zip", [*files(4, 25), Member("g", "file", 1, 1)], 101,
                      Limits(max_total_bytes=100))  # fmt: skip


def test_member_count_exactly_at_the_limit_passes():
    check_members("a.zip", files(3, 1), 3, Limits(max_members=3))
    with pytest.raises(HumanprepError, match="4 members, over unpack_limits.max_members 3"):
        check_members("a.zip", files(4, 1), 4, Limits(max_members=3))


def test_member_ratio_exactly_at_the_limit_passes():
    packed = 1 << 15
    big = 64 * packed  # 2 MiB: above the per-member floor
    check_members("a.zip", [Member("z.bin", "file", big, packed)], big, Limits(max_ratio=64))
    over = [Member("z.bin", "file", big + 1, packed)]
    with pytest.raises(HumanprepError, match="'z.bin'.*ratio over unpack_limits.max_ratio 64"):
        check_members("a.zip", over, big, Limits(max_ratio=64))


def test_member_at_the_ratio_floor_is_not_ratio_checked():
    check_members("a.zip", [Member("z.bin", "file", RATIO_MIN_BYTES, 1)], RATIO_MIN_BYTES,
                  Limits(max_ratio=2))  # fmt: skip
    with pytest.raises(HumanprepError, match="'z.bin'"):
        check_members("a.zip", [Member("z.bin", "file", RATIO_MIN_BYTES + 1, 1)],
                      10 * RATIO_MIN_BYTES, Limits(max_ratio=2))  # fmt: skip


def test_overall_ratio_exactly_at_the_limit_passes():
    members = [Member(f"z{i}.bin", "file", RATIO_MIN_BYTES, RATIO_MIN_BYTES) for i in range(4)]
    total = 4 * RATIO_MIN_BYTES
    check_members("a.zip", members, total // 8, Limits(max_ratio=8))  # total == 8 * size
    with pytest.raises(HumanprepError, match=f"{total} bytes uncompressed from {total // 8 - 1}"):
        check_members("a.zip", members, total // 8 - 1, Limits(max_ratio=8))


def zip_of(path, n):
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(n):
            zf.writestr(f"f{i}.txt", b"x")
    return path


def tar_of(path, n):
    with tarfile.open(path, "w") as tf:
        for i in range(n):
            info = tarfile.TarInfo(f"f{i}.txt")
            info.size = 1
            tf.addfile(info, io.BytesIO(b"x"))
    return path


@pytest.mark.parametrize("build", [zip_of, tar_of], ids=["zip", "tar"])
def test_archive_with_exactly_max_members_extracts(tmp_path, build):
    """The listing readers stop early on too many members: the same boundary there."""
    ok = build(tmp_path / "three", 3)
    assert len(extract(ok, tmp_path / "out", limits=Limits(max_members=3))) == 3
    over = build(tmp_path / "four", 4)
    with pytest.raises(HumanprepError, match="over unpack_limits.max_members 3 members"):
        extract(over, tmp_path / "out2", limits=Limits(max_members=3))
