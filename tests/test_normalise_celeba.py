import os
import pickle

import numpy as np
import pytest

from humanprep.datasets.celeba.formats import celeba_split
from humanprep.datasets.celeba.normalise import load_split_pickle, merge_parts, parse_mapping
from humanprep.errors import HumanprepError


def test_merge_order_later_parts_win():
    skin = np.zeros((4, 4), np.uint8)
    skin[:, :] = 255
    nose = np.zeros((4, 4), np.uint8)
    nose[1, 1] = 255
    hair = np.zeros((4, 4), np.uint8)
    hair[0, :] = 255
    hair[1, 1] = 255  # hair (13) over nose (2) over skin (1)
    label = merge_parts({"hair": hair, "skin": skin, "nose": nose}, (4, 4))
    expected = np.ones((4, 4), np.uint8)
    expected[0, :] = 13
    expected[1, 1] = 13
    assert np.array_equal(label, expected)
    label = merge_parts({"skin": skin, "nose": nose}, (4, 4))
    assert label[1, 1] == 2 and label[0, 0] == 1


@pytest.mark.parametrize(
    "orig_idx, split",
    # file 162770.jpg (index 162769) is CelebA's last training image; 182637.jpg the last val
    [(0, "train"), (162769, "train"), (162770, "val"), (182636, "val"), (182637, "test")],
)
def test_celeba_split_zero_based(orig_idx, split):
    assert celeba_split(orig_idx) == split


def test_mapping_checks_one_based_file_names():
    lines = ["idx orig_idx orig_file", "0 119613 119614.jpg", "1 99094 099095.jpg"]
    assert parse_mapping(lines, "m.txt") == {0: 119613, 1: 99094}
    with pytest.raises(HumanprepError, match="line 2: 119613.jpg is not orig_idx 119613 \\+ 1"):
        parse_mapping(["idx orig_idx orig_file", "0 119613 119613.jpg"], "m.txt")


def test_split_pickle_plain_list_and_refusal(tmp_path):
    good = tmp_path / "good.pickle"
    good.write_bytes(pickle.dumps(["0", "24001"], protocol=2))
    assert load_split_pickle(good) == {"00000", "24001"}

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    bad = tmp_path / "bad.pickle"
    bad.write_bytes(pickle.dumps([Evil()], protocol=2))
    with pytest.raises(HumanprepError, match="refused global"):
        load_split_pickle(bad)
    assert not (tmp_path / "pwned").exists()
