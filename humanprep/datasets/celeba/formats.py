"""CelebAMask-HQ / Multi-Modal-CelebA-HQ format facts (docs/formats.md)."""

# Label order 1-18 of the official merge (0 = background); later parts overwrite earlier.
PARTS = (
    "skin", "nose", "eye_g", "l_eye", "r_eye", "l_brow", "r_brow", "l_ear", "r_ear", "mouth",
    "u_lip", "l_lip", "hair", "hat", "ear_r", "neck_l", "neck", "cloth",
)  # fmt: skip
# CelebA's list_eval_partition by 0-based original index: train, val, then test.
TRAIN_END, VAL_END = 162_770, 182_637
N_CAPTIONS = 10


def celeba_split(orig_idx):
    """Split of a 0-based CelebA index (file number orig_idx + 1)."""
    if orig_idx < TRAIN_END:
        return "train"
    return "val" if orig_idx < VAL_END else "test"


def celebamask_hq_split(orig_idx):
    """CelebAMask-HQ's face_parsing/Data_preprocessing/g_partition.py: it compares the 0-based
    orig_idx with CelebA's 1-based file-number bounds (val from 162771, test from 182638),
    so originals 162770 (CelebA val) and 182637 (CelebA test) fall one split earlier.
    Papers report CelebAMask-HQ's split counts from this rule."""
    if orig_idx < TRAIN_END + 1:
        return "train"
    return "val" if orig_idx < VAL_END + 1 else "test"


# normalise.celeba.split: which rule sets a record's `split`.
SPLIT_POLICIES = {"celeba": celeba_split, "celebamask_hq": celebamask_hq_split}
